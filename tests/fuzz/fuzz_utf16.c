/* Fuzzes UTF-16 -> UTF-8 (each line-end flag set) and back. The input bytes are
 * taken as host-order units. Checks: *_len equals what the conversion writes;
 * output is well-formed UTF-8 without NUL (conversion stops at the first NUL
 * unit); LF count is kept; LF -> CRLF leaves no bare LF; and converting back gives
 * the input up to its first NUL with each unpaired surrogate replaced by U+FFFD
 * (exactly for flags 0, and for LF -> CRLF -> LF when there is no CR); the
 * portable (non-SIMD) copy gives the same output. */
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
    const size_t units = size / 2;
    uint16_t *in = malloc((units + 1) * sizeof *in);
    uint16_t *want = malloc((units + 1) * sizeof *want);
    if (!in || !want) abort();
    if (units > 0) memcpy(in, data, units * sizeof *in);

    /* What a round trip should give: up to the first NUL, lone surrogates -> U+FFFD. */
    size_t end = 0, has_cr = 0, in_lf = 0;
    while (end < units && in[end] != 0) end++;
    for (size_t i = 0; i < end; i++) {
        uint16_t c = in[i];
        has_cr |= c == '\r';
        in_lf += c == '\n';
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < end && in[i + 1] >= 0xDC00 && in[i + 1] <= 0xDFFF) {
            want[i] = c;
            want[i + 1] = in[i + 1];
            i++;
        } else {
            want[i] = (c >= 0xD800 && c <= 0xDFFF) ? 0xFFFD : c;
        }
    }

    for (size_t k = 0; k < sizeof flag_sets / sizeof flag_sets[0]; k++) {
        const unsigned f = flag_sets[k];
        size_t n8;
        uint8_t *b = both_utf16_to_utf8(in, units, f, &n8);
        if (n8 > 3 * units) abort();
        if (!utf8_is_valid(b, n8)) abort();
        if (n8 > 0 && memchr(b, 0, n8) != NULL) abort();
        size_t lf;
        COUNT_OF(b, n8, '\n', lf);
        if (lf != in_lf) abort();
        if (f == VDA_TEXT_LF_TO_CRLF) CHECK_NO_BARE_LF(b, n8);

        const unsigned back_flags = f == VDA_TEXT_LF_TO_CRLF ? VDA_TEXT_CRLF_TO_LF : 0;
        size_t n16;
        uint16_t *u = both_utf8_to_utf16(b, n8, back_flags, &n16);
        if (!utf16_is_valid(u, n16)) abort();
        const int exact = f == 0 || (f == VDA_TEXT_LF_TO_CRLF && !has_cr);
        if (exact && (n16 != end || memcmp(u, want, end * sizeof *u) != 0)) abort();
        free(u);
        free(b);
    }
    free(want);
    free(in);
    return 0;
}
