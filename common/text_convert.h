/* Clipboard text: UTF-8 (SPICE, VD_AGENT_CLIPBOARD_UTF8_TEXT) <-> UTF-16LE
 * (Win32 CF_UNICODETEXT).
 *
 * Both directions are two passes: *_len measures, then the conversion writes into a
 * buffer the caller allocated (for the agent: the HGLOBAL itself), so a large paste
 * is never held in an intermediate copy.
 *
 * Invalid UTF-8 (bad lead or continuation bytes, overlongs, surrogates, values past
 * U+10FFFF, truncated sequences) becomes U+FFFD per maximal subpart, and conversion
 * goes on: nothing is truncated at an embedded error. Unpaired UTF-16 surrogates
 * become U+FFFD. An embedded NUL is kept as a character on the way to UTF-16 (Win32
 * readers stop there; that is their business). */
#ifndef VDA_TEXT_CONVERT_H
#define VDA_TEXT_CONVERT_H

#include <stddef.h>
#include <stdint.h>

/* Line-end conversion, applied while converting. */
enum vda_text_flags {
    VDA_TEXT_LF_TO_CRLF = 1 << 0,   /* "\n" not preceded by "\r" becomes "\r\n" */
    VDA_TEXT_CRLF_TO_LF = 1 << 1,   /* "\r\n" becomes "\n" */
};

/* UTF-16 code units that vda_utf8_to_utf16 writes, NOT counting the final NUL. */
size_t vda_utf8_to_utf16_len(const uint8_t *src, size_t len, unsigned flags);

/* Converts and appends a NUL unit. dst must hold vda_utf8_to_utf16_len(...) + 1
 * units. Returns units written, not counting the NUL. */
size_t vda_utf8_to_utf16(const uint8_t *src, size_t len, uint16_t *dst, unsigned flags);

/* Bytes of UTF-8 for src[0..units); conversion stops at the first NUL unit if any
 * (CF_UNICODETEXT is NUL-terminated). No NUL is written or counted. */
size_t vda_utf16_to_utf8_len(const uint16_t *src, size_t units, unsigned flags);
size_t vda_utf16_to_utf8(const uint16_t *src, size_t units, uint8_t *dst, unsigned flags);

#endif
