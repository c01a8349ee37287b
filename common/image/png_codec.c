#include "image/png_codec.h"

#include <inttypes.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "image/image_limits.h"

void vda_png_options_default(vda_png_options *o)
{
    /* Measured by bench/bench_png.c (--explore) on a screenshot-like 3840x2160
     * image: level 2 with the SUB filter alone is ~3.4x faster than libpng's
     * defaults (level 6, Z_FILTERED, adaptive choice among all five filters) at
     * ~1.24x the size. Levels 1-3 ignore the strategy except RLE/HUFFMAN; Z_RLE
     * is faster still but ~1.4x the size; level 3 is ~1.19x the size but only
     * ~2.9x faster. A single filter also skips libpng's per-row filter trial. */
    o->zlib_level = 2;
    o->zlib_strategy = Z_DEFAULT_STRATEGY;
    o->filters = PNG_FILTER_SUB;
}

/* ---- shared: libpng's error and warning callbacks --------------------------- */

typedef struct png_errors {
    char msg[160];
    char warning[120];        /* the last warning: often says why an error came */
    const vda_logger *log;
} png_errors;

static void on_png_error(png_structp png, png_const_charp msg)
{
    png_errors *e = png_get_error_ptr(png);
    if (e->warning[0])
        snprintf(e->msg, sizeof e->msg, "%s (%s)", msg, e->warning);
    else
        snprintf(e->msg, sizeof e->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg)
{
    /* Benign oddities (bad ancillary CRC, extra data...): not worth a line each. */
    png_errors *e = png_get_error_ptr(png);
    snprintf(e->warning, sizeof e->warning, "%s", msg);
    vda_debug(e->log, "libpng: %s", msg);
}

/* ---- encoding --------------------------------------------------------------- */

typedef struct png_encoder {
    png_errors err;
    png_structp png;
    png_infop info;
    uint32_t width, height;
    int with_alpha;
    vda_png_row_fn fill_row;
    void *ctx;
    vda_png_options opts;
    uint8_t *row;
    vda_buf out;
    size_t cap;
    int no_memory;
} png_encoder;

static void on_png_write(png_structp png, png_bytep data, size_t n)
{
    png_encoder *e = png_get_io_ptr(png);
    if (n > e->cap - e->out.size) {
        size_t cap = e->cap ? e->cap : 4096;
        while (cap - e->out.size < n) {
            if (cap > SIZE_MAX / 2) {
                e->no_memory = 1;
                png_error(png, "output too large");
            }
            cap *= 2;
        }
        uint8_t *p = realloc(e->out.data, cap);
        if (!p) {
            e->no_memory = 1;
            png_error(png, "out of memory for the output");
        }
        e->out.data = p;
        e->cap = cap;
    }
    memcpy(e->out.data + e->out.size, data, n);
    e->out.size += n;
}

static void on_png_flush(png_structp png)
{
    (void)png;
}

/* The setjmp scope: nothing local changes after setjmp, all state is in *e. */
static int encode_run(png_encoder *e)
{
    if (setjmp(png_jmpbuf(e->png)))
        return 0;
    png_set_write_fn(e->png, e, on_png_write, on_png_flush);
    png_set_IHDR(e->png, e->info, e->width, e->height, 8,
                 e->with_alpha ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (e->opts.zlib_level >= 0)
        png_set_compression_level(e->png, e->opts.zlib_level);
    if (e->opts.zlib_strategy >= 0)
        png_set_compression_strategy(e->png, e->opts.zlib_strategy);
    if (e->opts.filters >= 0)
        png_set_filter(e->png, PNG_FILTER_TYPE_BASE, e->opts.filters);
    png_write_info(e->png, e->info);
    for (uint32_t y = 0; y < e->height; y++) {
        e->fill_row(e->ctx, y, e->row);
        png_write_row(e->png, e->row);
    }
    png_write_end(e->png, NULL);
    return 1;
}

vda_image_status vda_png_encode(uint32_t width, uint32_t height, int with_alpha,
                                vda_png_row_fn fill_row, void *ctx,
                                const vda_png_options *opts, vda_buf *out,
                                const vda_logger *log)
{
    out->data = NULL;
    out->size = 0;
    if (width == 0 || height == 0 || width > PNG_UINT_31_MAX || height > PNG_UINT_31_MAX) {
        vda_warn(log, "PNG encode refused: %" PRIu32 "x%" PRIu32 " image", width, height);
        return VDA_IMG_ERR_MALFORMED;
    }
    png_encoder e;
    memset(&e, 0, sizeof e);
    e.err.log = log;
    e.width = width;
    e.height = height;
    e.with_alpha = with_alpha;
    e.fill_row = fill_row;
    e.ctx = ctx;
    if (opts)
        e.opts = *opts;
    else
        vda_png_options_default(&e.opts);
    size_t channels = with_alpha ? 4 : 3;
    if (width > SIZE_MAX / channels) {
        vda_warn(log, "PNG encode refused: %" PRIu32 "-pixel rows", width);
        return VDA_IMG_ERR_TOO_LARGE;
    }
    e.row = malloc(width * channels);
    e.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &e.err, on_png_error,
                                    on_png_warning);
    e.info = e.png ? png_create_info_struct(e.png) : NULL;
    vda_image_status st = VDA_IMG_OK;
    if (!e.row || !e.info) {
        vda_warn(log, "PNG encode: out of memory");
        st = VDA_IMG_ERR_NO_MEMORY;
    } else if (!encode_run(&e)) {
        vda_warn(log, "PNG encode failed: %s", e.err.msg);
        st = e.no_memory ? VDA_IMG_ERR_NO_MEMORY : VDA_IMG_ERR_MALFORMED;
    }
    png_destroy_write_struct(e.png ? &e.png : NULL, e.info ? &e.info : NULL);
    free(e.row);
    if (st != VDA_IMG_OK) {
        free(e.out.data);
        return st;
    }
    *out = e.out;
    return VDA_IMG_OK;
}

/* ---- decoding --------------------------------------------------------------- */

/* Ancillary chunks we never need: skipped unread (no inflating of iCCP or zTXt). */
static const png_byte ignored_chunks[] =
    "bKGD\0cHRM\0eXIf\0gAMA\0hIST\0iCCP\0iTXt\0oFFs\0pCAL\0pHYs\0sBIT\0sCAL\0sPLT\0sRGB\0"
    "tEXt\0tIME\0zTXt";

typedef struct png_decoder {
    png_errors err;
    png_structp png;
    png_infop info;
    const uint8_t *data;
    size_t len, pos;
    const vda_image_limits *lim;
    int header_only;
    size_t prefix;
    vda_png_info hdr;
    vda_buf out;
    vda_image_status status;   /* set by our own refusals inside the run */
} png_decoder;

static void on_png_read(png_structp png, png_bytep data, size_t n)
{
    png_decoder *d = png_get_io_ptr(png);
    if (n > d->len - d->pos)
        png_error(png, "truncated");
    memcpy(data, d->data + d->pos, n);
    d->pos += n;
}

static void set_transforms(png_decoder *d)
{
    png_structp png = d->png;
    int ct = d->hdr.color_type;
    if (ct == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (ct == PNG_COLOR_TYPE_GRAY && d->hdr.bit_depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, d->info, PNG_INFO_tRNS))
        png_set_tRNS_to_alpha(png);
    if (d->hdr.bit_depth == 16)
        png_set_scale_16(png);
    if (!(ct & PNG_COLOR_MASK_COLOR))
        png_set_gray_to_rgb(png);
    png_set_bgr(png);
    if (!d->hdr.has_alpha)
        png_set_filler(png, 0xFF, PNG_FILLER_AFTER);
}

static int decode_run(png_decoder *d)
{
    if (setjmp(png_jmpbuf(d->png)))
        return 0;
    png_set_read_fn(d->png, d, on_png_read);
    /* Our limits are checked below with a precise status; libpng's own (1e6
     * pixels by default) would refuse first, with a warning. */
    png_set_user_limits(d->png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
    png_set_chunk_cache_max(d->png, 256);
    png_set_chunk_malloc_max(d->png, 4u << 20);
    png_set_keep_unknown_chunks(d->png, PNG_HANDLE_CHUNK_NEVER, NULL, 0);
    png_set_keep_unknown_chunks(d->png, PNG_HANDLE_CHUNK_NEVER, ignored_chunks,
                                (int)(sizeof ignored_chunks / 5));
    png_read_info(d->png, d->info);

    png_uint_32 w, h;
    int depth, ct, interlace;
    png_get_IHDR(d->png, d->info, &w, &h, &depth, &ct, &interlace, NULL, NULL);
    d->hdr.width = w;
    d->hdr.height = h;
    d->hdr.bit_depth = depth;
    d->hdr.color_type = ct;
    d->hdr.interlaced = interlace != PNG_INTERLACE_NONE;
    d->hdr.has_alpha = (ct & PNG_COLOR_MASK_ALPHA) || png_get_valid(d->png, d->info, PNG_INFO_tRNS);
    if (d->header_only)
        return 1;

    d->status = vda_image_check_size(w, h, d->lim, "PNG", d->err.log);
    if (d->status != VDA_IMG_OK)
        return 1;
    set_transforms(d);
    int passes = png_set_interlace_handling(d->png);
    png_read_update_info(d->png, d->info);
    size_t row_bytes = (size_t)w * 4;
    if (png_get_rowbytes(d->png, d->info) != row_bytes)
        png_error(d->png, "unexpected row size after transforms");
    /* check_size bounded w * h * 4 by max_bytes; it may still exceed a 32-bit size_t. */
    if ((SIZE_MAX - d->prefix) / row_bytes < h) {
        d->status = VDA_IMG_ERR_TOO_LARGE;
        png_error(d->png, "decoded size does not fit in memory");
    }
    d->out.size = d->prefix + row_bytes * h;
    d->out.data = malloc(d->out.size);
    if (!d->out.data) {
        d->status = VDA_IMG_ERR_NO_MEMORY;
        png_error(d->png, "out of memory for the pixels");
    }
    uint8_t *bottom = d->out.data + d->prefix + row_bytes * (h - 1);
    for (int pass = 0; pass < passes; pass++)
        for (uint32_t y = 0; y < h; y++)
            png_read_row(d->png, bottom - row_bytes * y, NULL);
    /* The trailing chunks (and IEND) are not read: the pixels are all there. */
    return 1;
}

static vda_image_status decode(png_decoder *d, const vda_logger *log)
{
    d->err.log = log;
    if (d->len < 8 || png_sig_cmp(d->data, 0, 8) != 0) {
        vda_warn(log, "PNG refused: no PNG signature (%zu bytes)", d->len);
        return VDA_IMG_ERR_MALFORMED;
    }
    /* Refuse an over-large image from its IHDR bytes before libpng sees it: the
     * same status on every architecture (libpng's own check of a width too large
     * for a 32-bit address space would call it malformed). Zero or > 2^31-1
     * dimensions are left to libpng, which refuses them as malformed. */
    if (!d->header_only && d->len >= 24 && memcmp(d->data + 12, "IHDR", 4) == 0) {
        uint32_t w = png_get_uint_32(d->data + 16), h = png_get_uint_32(d->data + 20);
        if (w && h && w <= PNG_UINT_31_MAX && h <= PNG_UINT_31_MAX) {
            vda_image_status st = vda_image_check_size(w, h, d->lim, "PNG", log);
            if (st != VDA_IMG_OK)
                return st;
        }
    }
    d->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &d->err, on_png_error,
                                    on_png_warning);
    d->info = d->png ? png_create_info_struct(d->png) : NULL;
    vda_image_status st;
    if (!d->info) {
        vda_warn(log, "PNG decode: out of memory");
        st = VDA_IMG_ERR_NO_MEMORY;
    } else if (!decode_run(d)) {
        vda_warn(log, "PNG refused: %s", d->err.msg);
        st = d->status != VDA_IMG_OK ? d->status : VDA_IMG_ERR_MALFORMED;
    } else {
        st = d->status;   /* a size refusal was logged by the check */
    }
    png_destroy_read_struct(d->png ? &d->png : NULL, d->info ? &d->info : NULL, NULL);
    if (st != VDA_IMG_OK) {
        free(d->out.data);
        d->out.data = NULL;
        d->out.size = 0;
    }
    return st;
}

vda_image_status vda_png_read_info(const uint8_t *png, size_t len, vda_png_info *info,
                                   const vda_logger *log)
{
    png_decoder d;
    memset(&d, 0, sizeof d);
    d.data = png;
    d.len = len;
    d.header_only = 1;
    vda_image_status st = decode(&d, log);
    *info = d.hdr;
    return st;
}

vda_image_status vda_png_decode_bgra_bottom_up(const uint8_t *png, size_t len,
                                               const vda_image_limits *lim, size_t prefix,
                                               vda_buf *out, vda_png_info *info,
                                               const vda_logger *log)
{
    png_decoder d;
    memset(&d, 0, sizeof d);
    d.data = png;
    d.len = len;
    d.lim = lim;
    d.prefix = prefix;
    vda_image_status st = decode(&d, log);
    if (info)
        *info = d.hdr;
    *out = d.out;
    return st;
}
