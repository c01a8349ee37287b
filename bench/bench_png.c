/* PNG encode/decode of a screenshot-like 3840x2160 32-bpp DIB: our encoder
 * settings (vda_png_options_default) against libpng's defaults, both measured in
 * this run, with the ratios and the target (encode >= 3x faster at <= 1.25x the
 * size). --quick: a small image, one repetition (the ctest smoke run).
 * --explore: also times a grid of other settings (how the defaults were chosen).
 * Exit code 0 unless a conversion fails: the target is reported, not enforced. */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "image/image_convert.h"
#include "base/le_bytes.h"

static double now_ms(void)
{
    struct timespec ts;
    /* CPU time: single-threaded work, steadier than wall time on a busy machine */
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void put_px(uint8_t *pix, uint32_t w, uint32_t h, uint32_t x, uint32_t y, uint32_t rgb)
{
    /* bottom-up BGRA, alpha 0 as GDI screenshots have it */
    uint8_t *p = pix + ((size_t)(h - 1 - y) * w + x) * 4;
    p[0] = (uint8_t)rgb;
    p[1] = (uint8_t)(rgb >> 8);
    p[2] = (uint8_t)(rgb >> 16);
    p[3] = 0;
}

static void fill_rect(uint8_t *pix, uint32_t w, uint32_t h, uint32_t x0, uint32_t y0,
                      uint32_t rw, uint32_t rh, uint32_t rgb)
{
    for (uint32_t y = y0; y < y0 + rh && y < h; y++)
        for (uint32_t x = x0; x < x0 + rw && x < w; x++)
            put_px(pix, w, h, x, y, rgb);
}

/* Lines of 7x12 "glyphs": random strokes, the way text looks to a compressor. */
static void text_block(uint8_t *pix, uint32_t w, uint32_t h, uint32_t x0, uint32_t y0,
                       uint32_t bw, uint32_t bh, uint32_t fg)
{
    for (uint32_t ly = y0; ly + 12 <= y0 + bh; ly += 18) {
        uint32_t line_len = bw * (60 + rnd() % 40) / 100;
        for (uint32_t gx = x0; gx + 7 <= x0 + line_len; gx += 8) {
            if (rnd() % 7 == 0)
                continue;   /* a space */
            uint32_t bits = rnd();
            for (uint32_t gy = 2; gy < 11; gy++)
                for (uint32_t k = 0; k < 6; k++)
                    if ((bits >> ((gy * 3 + k) % 31)) & 1)
                        put_px(pix, w, h, gx + k, ly + gy, fg);
        }
    }
}

/* A 32-bpp BI_RGB DIB of a desktop: flat background, windows with title bars and
 * text, a gradient, and a noisy "photo". Deterministic. */
static uint8_t *make_screenshot(uint32_t w, uint32_t h, size_t *len)
{
    size_t size = 40 + (size_t)w * h * 4;
    uint8_t *dib = calloc(1, size);
    if (!dib)
        return NULL;
    vda_put_le32(dib, 40);
    vda_put_le32(dib + 4, w);
    vda_put_le32(dib + 8, h);
    dib[12] = 1;
    dib[14] = 32;
    uint8_t *pix = dib + 40;
    rng_state = 12345;
    fill_rect(pix, w, h, 0, 0, w, h, 0x2D5F8B);                      /* desktop */
    fill_rect(pix, w, h, 0, h - h / 40, w, h / 40, 0x202020);        /* taskbar */
    /* editor window with text */
    fill_rect(pix, w, h, w / 20, h / 20, w / 2, h * 3 / 4, 0xFFFFFF);
    fill_rect(pix, w, h, w / 20, h / 20, w / 2, 30, 0xE0E0E0);
    text_block(pix, w, h, w / 20 + 10, h / 20 + 40, w / 2 - 20, h * 3 / 4 - 50, 0x000000);
    /* terminal window */
    fill_rect(pix, w, h, w * 6 / 10, h / 10, w / 3, h / 3, 0x101010);
    text_block(pix, w, h, w * 6 / 10 + 8, h / 10 + 8, w / 3 - 16, h / 3 - 16, 0x33DD33);
    /* gradient panel */
    for (uint32_t y = h / 2; y < h / 2 + h / 5 && y < h; y++)
        for (uint32_t x = w * 6 / 10; x < w * 6 / 10 + w / 3 && x < w; x++)
            put_px(pix, w, h, x, y, ((x * 255 / w) << 16) | ((y * 255 / h) << 8) | 0x80);
    /* photo: smooth shapes plus sensor noise */
    uint32_t px0 = w * 6 / 10, py0 = h * 3 / 4, pw = w / 3, ph = h / 6;
    for (uint32_t y = py0; y < py0 + ph && y < h; y++)
        for (uint32_t x = px0; x < px0 + pw && x < w; x++) {
            uint32_t n = rnd();
            int r = (int)((x * 3 + y) % 256) + (int)(n & 15) - 8;
            int g = (int)((x + y * 2) % 256) + (int)((n >> 4) & 15) - 8;
            int b = (int)((x ^ y) & 255) + (int)((n >> 8) & 15) - 8;
            r = r < 0 ? 0 : r > 255 ? 255 : r;
            g = g < 0 ? 0 : g > 255 ? 255 : g;
            b = b < 0 ? 0 : b > 255 ? 255 : b;
            put_px(pix, w, h, x, y, (uint32_t)r << 16 | (uint32_t)g << 8 | (uint32_t)b);
        }
    *len = size;
    return dib;
}

typedef struct result {
    double encode_ms, decode_ms;
    size_t size;
} result;

static int measure(const uint8_t *dib, size_t len, const vda_png_options *o, int reps,
                   result *r)
{
    r->encode_ms = r->decode_ms = 1e30;
    for (int i = 0; i < reps; i++) {
        vda_buf png, back;
        double t0 = now_ms();
        if (vda_dib_to_png(dib, len, NULL, o, &png, NULL) != VDA_IMG_OK)
            return 0;
        double t1 = now_ms();
        if (vda_png_to_dib(png.data, png.size, NULL, 0, &back, NULL) != VDA_IMG_OK)
            return 0;
        double t2 = now_ms();
        if (t1 - t0 < r->encode_ms)
            r->encode_ms = t1 - t0;
        if (t2 - t1 < r->decode_ms)
            r->decode_ms = t2 - t1;
        r->size = png.size;
        free(png.data);
        free(back.data);
    }
    return 1;
}

static const char *strategy_name(int s)
{
    switch (s) {
    case -1: return "libpng";
    case Z_DEFAULT_STRATEGY: return "default";
    case Z_FILTERED: return "filtered";
    case Z_RLE: return "rle";
    case Z_HUFFMAN_ONLY: return "huffman";
    }
    return "?";
}

static const char *filters_name(int f)
{
    switch (f) {
    case -1: return "libpng";
    case PNG_FILTER_NONE: return "none";
    case PNG_FILTER_SUB: return "sub";
    case PNG_FILTER_UP: return "up";
    case PNG_FILTER_PAETH: return "paeth";
    case PNG_FILTER_SUB | PNG_FILTER_UP: return "sub+up";
    case PNG_ALL_FILTERS: return "all";
    }
    return "mix";
}

int main(int argc, char **argv)
{
    int quick = 0, explore = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            quick = 1;
        else if (!strcmp(argv[i], "--explore"))
            explore = 1;
    }
    uint32_t w = quick ? 320 : 3840, h = quick ? 180 : 2160;
    int reps = quick ? 1 : 3;
    size_t len;
    uint8_t *dib = make_screenshot(w, h, &len);
    if (!dib) {
        fprintf(stderr, "bench_png: out of memory\n");
        return 1;
    }
    vda_png_options ours, libpng_default = { -1, -1, -1 };
    vda_png_options_default(&ours);
    result r_ours, r_def;
    if (!measure(dib, len, &ours, reps, &r_ours) || !measure(dib, len, &libpng_default, reps, &r_def)) {
        fprintf(stderr, "bench_png: a conversion failed\n");
        free(dib);
        return 1;
    }
    printf("bench_png: %ux%u 32-bpp screenshot-like DIB (%zu bytes), best of %d, CPU time\n", w, h, len,
           reps);
    printf("  ours   (level %d, %s, filters %s): encode %8.1f ms  %9zu bytes  decode %7.1f ms\n",
           ours.zlib_level, strategy_name(ours.zlib_strategy), filters_name(ours.filters),
           r_ours.encode_ms, r_ours.size, r_ours.decode_ms);
    printf("  libpng defaults (level 6, filtered, all): encode %8.1f ms  %9zu bytes  decode %7.1f ms\n",
           r_def.encode_ms, r_def.size, r_def.decode_ms);
    double speedup = r_def.encode_ms / r_ours.encode_ms;
    double size_ratio = (double)r_ours.size / (double)r_def.size;
    printf("  ratios: encode %.2fx faster, size %.3fx, decode %.2fx faster\n", speedup, size_ratio,
           r_def.decode_ms / r_ours.decode_ms);
    printf("  target (encode >= 3x faster at <= 1.25x size): %s%s\n",
           speedup >= 3.0 && size_ratio <= 1.25 ? "PASS" : "MISS",
           quick ? " (quick run: image too small to mean much)" : "");

    if (explore) {
        static const int levels[] = { 1, 2, 3, 4, 6 };
        static const int strategies[] = { Z_DEFAULT_STRATEGY, Z_FILTERED, Z_RLE };
        static const int filters[] = { PNG_FILTER_NONE, PNG_FILTER_SUB, PNG_FILTER_UP,
                                       PNG_FILTER_SUB | PNG_FILTER_UP, PNG_FILTER_PAETH,
                                       PNG_ALL_FILTERS };
        for (size_t a = 0; a < sizeof levels / sizeof *levels; a++)
            for (size_t b = 0; b < sizeof strategies / sizeof *strategies; b++)
                for (size_t c = 0; c < sizeof filters / sizeof *filters; c++) {
                    vda_png_options o = { levels[a], strategies[b], filters[c] };
                    result r;
                    if (!measure(dib, len, &o, 1, &r))
                        continue;
                    printf("  explore level %d %-8s %-7s: encode %7.1f ms (%.2fx)  %9zu bytes (%.3fx)\n",
                           o.zlib_level, strategy_name(o.zlib_strategy), filters_name(o.filters),
                           r.encode_ms, r_def.encode_ms / r.encode_ms, r.size,
                           (double)r.size / (double)r_def.size);
                }
    }
    free(dib);
    return 0;
}
