/* Clipboard text: UTF-8 (SPICE, VD_AGENT_CLIPBOARD_UTF8_TEXT) <-> UTF-16
 * (Win32 CF_UNICODETEXT).
 *
 * UTF-16 here is uint16_t code units in host byte order. Every Windows target is
 * little-endian, so that is UTF-16LE, which CF_UNICODETEXT is; nothing in this
 * module swaps bytes (on a big-endian host the units would be UTF-16BE).
 *
 * Both directions are two passes: *_len measures, then the conversion writes into a
 * buffer the caller allocated (for the agent: the HGLOBAL itself), so a large paste
 * is never held in an intermediate copy. *_len always equals what the conversion
 * returns for the same arguments.
 *
 * Invalid UTF-8 becomes U+FFFD per maximal subpart (Unicode ch. 3 "U+FFFD
 * Substitution of Maximal Subparts", the W3C/WHATWG decoder behaviour): a bad lead
 * byte (80..C1, F5..FF), an overlong (E0 80.., F0 80..), a surrogate (ED A0..),
 * a value past U+10FFFF (F4 90..), a truncated sequence, or a stray continuation
 * byte each give one U+FFFD for the bytes consumed up to the first byte that
 * cannot continue the sequence; that byte starts afresh. Conversion goes on:
 * nothing is truncated at an embedded error. Unpaired UTF-16 surrogates become
 * U+FFFD. An embedded NUL is kept as a character on the way to UTF-16 (Win32
 * readers stop there; that is their business).
 *
 * Line ends: the agent's contract with the client
 * -----------------------------------------------
 * spice-protocol (spice/vd_agent.h) only defines VD_AGENT_CAP_GUEST_LINEEND_LF and
 * VD_AGENT_CAP_GUEST_LINEEND_CRLF, without comment. Their meaning comes from the
 * maintainers and spice-gtk: the agent announces the line-end convention of the
 * guest's clipboard text ("the guest agent uses a text clipboard with CRLF ending,
 * both ways", M.-A. Lureau on qemu-devel), and a client that knows the caps converts
 * itself: spice-gtk tests the AGENT's GUEST_LINEEND_CRLF and runs spice_unix2dos
 * on text it sends (fixup_clipboard_text) and spice_dos2unix on text it receives
 * (clipboard_got_from_guest), both in src/spice-gtk-session.c. Note that spice-gtk
 * converts without announcing either cap itself (agent_announce_caps in
 * src/channel-main.c sets neither), so "client has the cap" is rare in practice.
 *
 * This agent announces VD_AGENT_CAP_GUEST_LINEEND_CRLF (Windows text is CRLF) and
 * decides per message with vda_text_flags_for():
 *  - client announces GUEST_LINEEND_CRLF: it converts, so text passes unchanged
 *    both ways (flags 0);
 *  - client does not: LF -> CRLF into the Windows clipboard, CRLF -> LF out of it,
 *    so a client that never converts (the common case for clients that do not
 *    know the caps) still sees its own LF convention and Windows sees CRLF.
 *    For spice-gtk, which converts but does not announce, both conversions are
 *    idempotent on what it sends/expects (unix2dos output has no bare LF; dos2unix
 *    of LF text is a no-op); the only difference is that a run "\r\r\n" copied
 *    in the guest loses one more CR on the way out.
 * The conversions themselves (flags below) leave a lone CR alone. */
#ifndef VDA_TEXT_CONVERT_H
#define VDA_TEXT_CONVERT_H

#include <stddef.h>
#include <stdint.h>

/* Line-end conversion, applied while converting. Setting both is meaningless and
 * is treated as no conversion; unknown bits are ignored. */
enum vda_text_flags {
    VDA_TEXT_LF_TO_CRLF = 1 << 0,   /* "\n" not preceded by "\r" becomes "\r\n" */
    VDA_TEXT_CRLF_TO_LF = 1 << 1,   /* "\r\n" becomes "\n" ("\r\r\n" -> "\r\n") */
};

/* The flags for one clipboard text transfer (see the contract above).
 * client_has_crlf_cap: the client announced VD_AGENT_CAP_GUEST_LINEEND_CRLF;
 * to_guest: nonzero for client -> Windows clipboard, 0 for Windows -> client. */
unsigned vda_text_flags_for(int client_has_crlf_cap, int to_guest);

/* UTF-16 code units that vda_utf8_to_utf16 writes, NOT counting the final NUL.
 * At most 2 * len. */
size_t vda_utf8_to_utf16_len(const uint8_t *src, size_t len, unsigned flags);

/* Converts and appends a NUL unit. dst must hold vda_utf8_to_utf16_len(...) + 1
 * units. Returns units written, not counting the NUL. */
size_t vda_utf8_to_utf16(const uint8_t *src, size_t len, uint16_t *dst, unsigned flags);

/* Bytes of UTF-8 for src[0..units); conversion stops at the first NUL unit if any
 * (CF_UNICODETEXT is NUL-terminated). No NUL is written or counted. At most
 * 3 * units. */
size_t vda_utf16_to_utf8_len(const uint16_t *src, size_t units, unsigned flags);
size_t vda_utf16_to_utf8(const uint16_t *src, size_t units, uint8_t *dst, unsigned flags);

#endif
