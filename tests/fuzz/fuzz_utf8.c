/* Fuzzes UTF-8 -> UTF-16 (each line-end flag set) and back. Checks: *_len equals
 * what the conversion writes; the NUL unit is there; outputs are well-formed
 * UTF-16 / UTF-8; LF count is kept, LF -> CRLF leaves no bare LF; and well-formed
 * UTF-8 without CR comes back exactly (up to its first NUL, where UTF-16 -> UTF-8
 * stops by contract); the portable (non-SIMD) copy gives the same output. Any
 * violation aborts, which libFuzzer reports. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text_portable.h"
#include "text_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned flag_sets[] = {
        0, VDA_TEXT_LF_TO_CRLF, VDA_TEXT_CRLF_TO_LF, VDA_TEXT_LF_TO_CRLF | VDA_TEXT_CRLF_TO_LF,
    };
    const int valid = utf8_is_valid(data, size);
    const int has_cr = size > 0 && memchr(data, '\r', size) != NULL;
    const uint8_t *nul = size > 0 ? memchr(data, 0, size) : NULL;
    const size_t prefix = nul ? (size_t)(nul - data) : size;
    size_t in_lf;
    COUNT_OF(data, size, '\n', in_lf);

    for (size_t k = 0; k < sizeof flag_sets / sizeof flag_sets[0]; k++) {
        const unsigned f = flag_sets[k];
        size_t n16;
        uint16_t *u = both_utf8_to_utf16(data, size, f, &n16);
        if (n16 > 2 * size) abort();
        if (!utf16_is_valid(u, n16)) abort();
        size_t lf;
        COUNT_OF(u, n16, '\n', lf);
        if (lf != in_lf) abort();
        if (f == VDA_TEXT_LF_TO_CRLF) CHECK_NO_BARE_LF(u, n16);

        const unsigned back_flags = f == VDA_TEXT_LF_TO_CRLF ? VDA_TEXT_CRLF_TO_LF : 0;
        size_t n8;
        uint8_t *b = both_utf16_to_utf8(u, n16, back_flags, &n8);
        if (n8 > 3 * n16) abort();
        if (!utf8_is_valid(b, n8)) abort();
        if (n8 > 0 && memchr(b, 0, n8) != NULL) abort();
        if (valid && !has_cr && (n8 != prefix || memcmp(b, data, prefix) != 0)) abort();
        free(b);
        free(u);
    }
    return 0;
}
