/* Clipboard text conversion speed: UTF-8 -> UTF-16 and back (measure + convert,
 * i.e. what the agent does per paste) on 64 MiB of mixed text (mostly ASCII lines,
 * some CJK, emoji and CRLF) and on pure ASCII, against one memcpy of the same
 * UTF-8 bytes timed in the same run. Best of several runs.
 * Usage: bench_text [--quick]   (--quick: 1 MiB, one run: a smoke test) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_support.h"
#include "base/text_convert.h"

/* Mixed text: 9 ASCII lines in 10, the 10th with CJK and an emoji; 1 line in 4
 * ends in CRLF. Deterministic, so runs compare. */
static void fill_mixed(uint8_t *buf, size_t len)
{
    static const char *const words[] = {"the", "quick", "brown", "fox", "jumps", "over",
                                        "lazy", "dog", "clipboard", "agent", "0123", "SPICE"};
    static const char cjk[] = "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x83\x86\xE3\x82\xAD";
    static const char emoji[] = "\xF0\x9F\x98\x80";
    uint32_t seed = 12345;
    size_t o = 0, line = 0;
    while (o < len) {
        char tmp[160];
        size_t t = 0;
        int words_in_line = 6 + (int)(seed % 8);
        for (int w = 0; w < words_in_line; w++) {
            seed = seed * 1103515245u + 12345u;
            const char *word = words[(seed >> 16) % 12];
            size_t wl = strlen(word);
            memcpy(tmp + t, word, wl);
            t += wl;
            tmp[t++] = ' ';
        }
        if (line % 10 == 9) {
            memcpy(tmp + t, cjk, sizeof cjk - 1);
            t += sizeof cjk - 1;
            memcpy(tmp + t, emoji, sizeof emoji - 1);
            t += sizeof emoji - 1;
        }
        if (line % 4 == 3) {
            tmp[t++] = '\r';
        }
        tmp[t++] = '\n';
        line++;
        if (t > len - o) {
            t = len - o;        /* may cut a sequence: the converters cope */
        }
        memcpy(buf + o, tmp, t);
        o += t;
    }
}

static void fill_ascii(uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = (i % 73 == 72) ? '\n' : (uint8_t)('a' + i % 26);
    }
}

typedef struct {
    double memcpy_s, to16_s, to8_s;
    size_t units, bytes_back;
} result;

static result run(const uint8_t *text, size_t len, unsigned in_flags, unsigned out_flags,
                  int reps)
{
    result r = {1e9, 1e9, 1e9, 0, 0};
    /* Sized by one untimed measuring pass, as the agent sizes its buffers. */
    const size_t units = vda_utf8_to_utf16_len(text, len, in_flags);
    uint8_t *copy = malloc(len);
    uint16_t *u = malloc((units + 1) * sizeof *u);
    uint8_t *back = u ? malloc(3 * units + 1) : NULL;
    if (!copy || !u || !back) {
        fprintf(stderr, "bench_text: out of memory\n");
        exit(1);
    }
    memset(copy, 0, len);       /* fault the pages in before timing */
    memset(u, 0, (units + 1) * sizeof *u);
    memset(back, 0, 3 * units + 1);
    for (int k = 0; k < reps; k++) {
        double t0 = bench_now();
        memcpy(copy, text, len);
        double t1 = bench_now();
        size_t n16 = vda_utf8_to_utf16_len(text, len, in_flags);
        size_t w16 = vda_utf8_to_utf16(text, len, u, in_flags);
        double t2 = bench_now();
        size_t n8 = vda_utf16_to_utf8_len(u, w16, out_flags);
        size_t w8 = vda_utf16_to_utf8(u, w16, back, out_flags);
        double t3 = bench_now();
        if (n16 != w16 || n8 != w8 || copy[len / 2] != text[len / 2]) {
            fprintf(stderr, "bench_text: length mismatch\n");
            exit(1);
        }
        r.units = w16;
        r.bytes_back = w8;
        if (t1 - t0 < r.memcpy_s) r.memcpy_s = t1 - t0;
        if (t2 - t1 < r.to16_s) r.to16_s = t2 - t1;
        if (t3 - t2 < r.to8_s) r.to8_s = t3 - t2;
    }
    free(copy);
    free(u);
    free(back);
    return r;
}

static void report(const char *name, size_t len, result r)
{
    const double mib = (double)len / (1024.0 * 1024.0);
    printf("%-28s %7.1f MiB: memcpy %8.0f MiB/s | utf8->utf16 %7.0f MiB/s (%.2fx memcpy time)"
           " | utf16->utf8 %7.0f MiB/s (%.2fx memcpy time)\n",
           name, mib, mib / r.memcpy_s, mib / r.to16_s, r.to16_s / r.memcpy_s,
           mib / r.to8_s, r.to8_s / r.memcpy_s);
}

int main(int argc, char **argv)
{
    const int quick = bench_quick(argc, argv);
    const size_t len = quick ? (1u << 20) : (64u << 20);
    const int reps = quick ? 1 : 5;
    uint8_t *text = malloc(len);
    if (!text) {
        fprintf(stderr, "bench_text: out of memory\n");
        return 1;
    }
    printf("bench_text: MiB/s of UTF-8 input; each conversion = measure + convert pass;"
           " best of %d\n", reps);

    fill_mixed(text, len);
    report("mixed, no line-end change", len, run(text, len, 0, 0, reps));
    report("mixed, LF->CRLF / CRLF->LF", len,
           run(text, len, VDA_TEXT_LF_TO_CRLF, VDA_TEXT_CRLF_TO_LF, reps));
    fill_ascii(text, len);
    report("ASCII, no line-end change", len, run(text, len, 0, 0, reps));
    report("ASCII, LF->CRLF / CRLF->LF", len,
           run(text, len, VDA_TEXT_LF_TO_CRLF, VDA_TEXT_CRLF_TO_LF, reps));
    free(text);
    return 0;
}
