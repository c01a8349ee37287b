/* agent_host scenarios: images both ways (PNG and BMP from the client, DIBs
 * from the guest, up to 4K), a PNG that does not decode, hostile and palette
 * DIBs. Images are made and checked with libpng's own simplified API. */
#include <windows.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spice/vd_agent.h>

#include "harness.h"
#include "base/le_bytes.h"
#include "wire/caps.h"
#include "wire/chunk_writer.h"

/* Screenshot-like pixels: flat areas, gradients and edges. */
static void pixel(uint32_t x, uint32_t y, int alpha, uint8_t *rgba)
{
    int band = (int)((y / 97) % 4);
    rgba[0] = (uint8_t)(band == 0 ? 0x30 : x * 3 + y);
    rgba[1] = (uint8_t)(band == 1 ? 0xd0 : (x ^ y));
    rgba[2] = (uint8_t)(band == 2 ? 0x80 : (x + 2 * y) / 3);
    rgba[3] = alpha ? (uint8_t)((x * 255) / 64 % 256) : 0xff;
}

static uint8_t *make_png(uint32_t w, uint32_t hgt, int alpha, size_t *size)
{
    uint8_t *rgba = malloc((size_t)w * hgt * 4);
    if (!rgba)
        return NULL;
    for (uint32_t y = 0; y < hgt; y++)
        for (uint32_t x = 0; x < w; x++)
            pixel(x, y, alpha, rgba + ((size_t)y * w + x) * 4);
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = w;
    img.height = hgt;
    img.format = PNG_FORMAT_RGBA;
    png_alloc_size_t n = 0;
    uint8_t *out = NULL;
    if (png_image_write_to_memory(&img, NULL, &n, 0, rgba, 0, NULL) && (out = malloc(n)) &&
        !png_image_write_to_memory(&img, out, &n, 0, rgba, 0, NULL)) {
        free(out);
        out = NULL;
    }
    free(rgba);
    *size = n;
    return out;
}

/* Checks a 24/32-bpp BI_RGB/BI_BITFIELDS (standard masks) DIB against pixel(). */
static int check_dib(const uint8_t *d, size_t n, uint32_t w, uint32_t hgt, int alpha)
{
    if (n < 40)
        FAIL("DIB of %zu bytes", n);
    uint32_t hs = vda_le32(d);
    int32_t dw = (int32_t)vda_le32(d + 4), dh = (int32_t)vda_le32(d + 8);
    unsigned bpp = d[14] | d[15] << 8;
    uint32_t comp = vda_le32(d + 16);
    if (dw != (int32_t)w || (dh != (int32_t)hgt && dh != -(int32_t)hgt) || (bpp != 32 && bpp != 24))
        FAIL("DIB %dx%d %u bpp, expected %ux%u", dw, dh, bpp, w, hgt);
    size_t off = hs + (comp == 3 && hs == 40 ? 12 : 0);
    size_t stride = ((size_t)w * bpp / 8 + 3) & ~(size_t)3;
    if (off + stride * hgt > n)
        FAIL("DIB truncated: %zu bytes for %zu", n, off + stride * hgt);
    for (uint32_t y = 0; y < hgt; y++) {
        const uint8_t *row = d + off + stride * (dh > 0 ? hgt - 1 - y : y);
        for (uint32_t x = 0; x < w; x++) {
            uint8_t e[4];
            pixel(x, y, alpha, e);
            const uint8_t *p = row + (size_t)x * (bpp / 8);
            if (p[2] != e[0] || p[1] != e[1] || p[0] != e[2] ||
                (alpha && bpp == 32 && p[3] != e[3]))
                FAIL("pixel (%u,%u): got %02x%02x%02x/%02x, expected %02x%02x%02x/%02x", x, y,
                     p[2], p[1], p[0], bpp == 32 ? p[3] : 0xff, e[0], e[1], e[2], e[3]);
        }
    }
    return 1;
}

int sc_paste_image(host *h, uint32_t w, uint32_t hgt, int alpha)
{
    size_t n;
    uint8_t *png = make_png(w, hgt, alpha, &n);
    if (!png)
        FAIL("making the PNG");
    if (!send_caps(h, 0, 1) || !send_grab(h, VD_AGENT_CLIPBOARD_IMAGE_PNG))
        FAIL("send");
    if (!wait_format(CF_DIB, 5000))
        FAIL("the agent did not offer CF_DIB");
    wchar_t out[MAX_PATH];
    tmp_file(h, L"paste.dib", out);
    DeleteFileW(out);
    DWORD t0 = GetTickCount();
    HANDLE cb = cbtool(h, L"get-dib", out, alpha ? L" --v5" : NULL);
    vda_message m;
    if (!cb || !expect(h, VD_AGENT_CLIPBOARD_REQUEST, 10000, &m))
        FAIL("no REQUEST");
    uint32_t type = m.size == 4 ? vda_le32(m.data) : 0;
    free(m.data);
    if (type != VD_AGENT_CLIPBOARD_IMAGE_PNG)
        FAIL("REQUEST for type %u, not PNG", type);
    if (!send_data(h, VD_AGENT_CLIPBOARD_IMAGE_PNG, png, n, 0))
        FAIL("send");
    int code = wait_exit(cb, 60000);
    DWORD ms = GetTickCount() - t0;
    free(png);
    if (code != 0)
        FAIL("cbtool get-dib exit %d", code);
    size_t dn;
    uint8_t *dib = wtest_read_file(out, &dn);
    int ok = dib && check_dib(dib, dn, w, hgt, alpha);
    free(dib);
    if (ok)
        printf("ok: paste of a %ux%u PNG (%zu bytes%s) -> %s with exact pixels, %lu ms\n", w, hgt,
               n, alpha ? ", alpha" : "", alpha ? "CF_DIBV5" : "CF_DIB", (unsigned long)ms);
    return ok;
}

/* A BI_RGB 32-bpp bottom-up DIB of pixel(), alpha 0 as screenshots have. */
static uint8_t *make_dib(uint32_t w, uint32_t hgt, size_t *out_size)
{
    size_t stride = (size_t)w * 4, size = 40 + stride * hgt;
    uint8_t *dib = calloc(1, size);
    vda_put_le32(dib, 40);
    vda_put_le32(dib + 4, w);
    vda_put_le32(dib + 8, hgt);
    dib[12] = 1;
    dib[14] = 32;
    vda_put_le32(dib + 20, (uint32_t)(stride * hgt));
    for (uint32_t y = 0; y < hgt; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint8_t e[4];
            pixel(x, y, 0, e);
            uint8_t *p = dib + 40 + stride * (hgt - 1 - y) + (size_t)x * 4;
            p[0] = e[2];
            p[1] = e[1];
            p[2] = e[0];
            p[3] = 0;
        }
    *out_size = size;
    return dib;
}

int sc_paste_bmp(host *h, uint32_t w, uint32_t hgt)
{
    size_t size;
    uint8_t *dib = make_dib(w, hgt, &size);
    size_t n = 14 + size;
    uint8_t *bmp = malloc(n);
    bmp[0] = 'B';
    bmp[1] = 'M';
    vda_put_le32(bmp + 2, (uint32_t)n);
    vda_put_le32(bmp + 6, 0);
    vda_put_le32(bmp + 10, 14 + 40);
    memcpy(bmp + 14, dib, size);
    free(dib);
    if (!send_caps(h, 0, 1) || !send_grab(h, VD_AGENT_CLIPBOARD_IMAGE_BMP))
        FAIL("send");
    if (!wait_format(CF_DIB, 5000))
        FAIL("the agent did not offer CF_DIB");
    wchar_t out[MAX_PATH];
    tmp_file(h, L"bmp.dib", out);
    DeleteFileW(out);
    HANDLE cb = cbtool(h, L"get-dib", out, NULL);
    vda_message m;
    if (!cb || !expect(h, VD_AGENT_CLIPBOARD_REQUEST, 10000, &m))
        FAIL("no REQUEST");
    uint32_t type = m.size == 4 ? vda_le32(m.data) : 0;
    free(m.data);
    if (type != VD_AGENT_CLIPBOARD_IMAGE_BMP)
        FAIL("REQUEST for type %u, not BMP", type);
    send_data(h, VD_AGENT_CLIPBOARD_IMAGE_BMP, bmp, n, 0);
    free(bmp);
    int code = wait_exit(cb, 30000);
    if (code != 0)
        FAIL("cbtool get-dib exit %d", code);
    size_t dn;
    uint8_t *got = wtest_read_file(out, &dn);
    int ok = got && check_dib(got, dn, w, hgt, 0);
    free(got);
    if (ok)
        printf("ok: paste of a %ux%u BMP -> CF_DIB with exact pixels\n", w, hgt);
    return ok;
}

/* A PNG that does not decode: the paste gets nothing, promptly, and the agent goes
 * on (a text paste right after works). */
int sc_bad_png(host *h)
{
    if (!send_caps(h, 0, 1) || !send_grab(h, VD_AGENT_CLIPBOARD_IMAGE_PNG))
        FAIL("send");
    if (!wait_format(CF_DIB, 5000))
        FAIL("the agent did not offer CF_DIB");
    wchar_t out[MAX_PATH];
    tmp_file(h, L"bad.dib", out);
    DWORD t0 = GetTickCount();
    HANDLE cb = cbtool(h, L"get-dib", out, NULL);
    vda_message m;
    if (!cb || !expect(h, VD_AGENT_CLIPBOARD_REQUEST, 10000, &m))
        FAIL("no REQUEST");
    free(m.data);
    static const uint8_t junk[] = "\x89PNG\r\n\x1a\n but then nothing a decoder could use";
    send_data(h, VD_AGENT_CLIPBOARD_IMAGE_PNG, junk, sizeof junk, 0);
    int code = wait_exit(cb, 10000);
    DWORD ms = GetTickCount() - t0;
    if (code != 3 || ms > 3000)
        FAIL("paste of a bad PNG: exit %d after %lu ms", code, (unsigned long)ms);
    printf("ok: a PNG that does not decode gave an empty paste in %lu ms\n", (unsigned long)ms);
    if (!send_grab(h, VD_AGENT_CLIPBOARD_UTF8_TEXT))
        FAIL("send");
    uint8_t *text = make_text(3000, 9);
    int ok = paste_and_check(h, text, 3000, 1, L"after.bin");
    free(text);
    return ok;
}

int sc_copy_image(host *h, uint32_t w, uint32_t hgt)
{
    if (!send_caps(h, 0, 1))
        FAIL("send");
    drain_quiet(h, 500);
    size_t size;
    uint8_t *dib = make_dib(w, hgt, &size);
    wchar_t in[MAX_PATH];
    tmp_file(h, L"copy.dib", in);
    spit(in, dib, size);
    int code = wait_exit(cbtool(h, L"set-dib", in, NULL), 30000);
    if (code != 0)
        FAIL("cbtool set-dib exit %d", code);
    vda_message m;
    if (!expect(h, VD_AGENT_CLIPBOARD_GRAB, 10000, &m))
        FAIL("no GRAB after the guest copied an image");
    int png_offered = 0, bmp_offered = 0;
    for (uint32_t o = 4; o + 4 <= m.size; o += 4) {
        png_offered |= vda_le32(m.data + o) == VD_AGENT_CLIPBOARD_IMAGE_PNG;
        bmp_offered |= vda_le32(m.data + o) == VD_AGENT_CLIPBOARD_IMAGE_BMP;
    }
    free(m.data);
    if (!png_offered || !bmp_offered)
        FAIL("GRAB offers png %d bmp %d", png_offered, bmp_offered);
    uint8_t req[4];
    vda_put_le32(req, VD_AGENT_CLIPBOARD_IMAGE_PNG);
    DWORD t0 = GetTickCount();
    send_msg(h, VD_AGENT_CLIPBOARD_REQUEST, req, 4);
    if (!expect(h, VD_AGENT_CLIPBOARD, 60000, &m))
        FAIL("no CLIPBOARD answer");
    DWORD ms = GetTickCount() - t0;
    if (m.size < 4 || vda_le32(m.data) != VD_AGENT_CLIPBOARD_IMAGE_PNG)
        FAIL("answer of %u bytes, type %u", m.size, m.size >= 4 ? vda_le32(m.data) : 0);
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&img, m.data + 4, m.size - 4))
        FAIL("the PNG does not decode: %s", img.message);
    if (img.width != w || img.height != hgt)
        FAIL("PNG %ux%u", img.width, img.height);
    img.format = PNG_FORMAT_RGBA;
    uint8_t *rgba = malloc((size_t)w * hgt * 4);
    if (!png_image_finish_read(&img, NULL, rgba, 0, NULL))
        FAIL("the PNG does not decode: %s", img.message);
    for (uint32_t y = 0; y < hgt; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint8_t e[4];
            pixel(x, y, 0, e);
            const uint8_t *p = rgba + ((size_t)y * w + x) * 4;
            if (memcmp(p, e, 4) != 0)
                FAIL("PNG pixel (%u,%u): %02x%02x%02x%02x, expected %02x%02x%02x%02x", x, y,
                     p[0], p[1], p[2], p[3], e[0], e[1], e[2], e[3]);
        }
    printf("ok: guest copy of a %ux%u DIB -> PNG of %u bytes with exact pixels, %lu ms\n", w, hgt,
           m.size - 4, (unsigned long)ms);
    free(rgba);
    free(m.data);
    /* and as BMP: a file header, then the pixels */
    vda_put_le32(req, VD_AGENT_CLIPBOARD_IMAGE_BMP);
    send_msg(h, VD_AGENT_CLIPBOARD_REQUEST, req, 4);
    if (!expect(h, VD_AGENT_CLIPBOARD, 60000, &m))
        FAIL("no CLIPBOARD answer for BMP");
    int ok = m.size > 4 + 14 && m.data[4] == 'B' && m.data[5] == 'M' &&
             check_dib(m.data + 4 + 14, m.size - 4 - 14, w, hgt, 0);
    if (ok)
        printf("ok: the same as BMP (%u bytes) with exact pixels\n", m.size - 4);
    free(m.data);
    free(dib);
    return ok;
}

/* Another program puts DIBs with lying headers on the clipboard (dimensions far
 * beyond the bytes it holds, a palette count past the end, bad masks): every
 * client REQUEST must get an answer (NONE) and the agent must stay up. */
int sc_hostile_dib(host *h)
{
    if (!send_caps(h, 0, 1))
        FAIL("send");
    drain_quiet(h, 500);
    static const struct { int32_t w, h; uint16_t bpp; uint32_t comp, clr; size_t size; } bad[] = {
        { 30000, 30000, 32, 0, 0, 100 },        /* 3.6 GB of pixels in 100 bytes */
        { 65536, -65536, 24, 0, 0, 64 },        /* top-down, w*h*3 overflows 32 bits */
        { 1 << 30, 4, 32, 0, 0, 80 },           /* stride overflows 32 bits */
        { 8, 8, 8, 0, 0xFFFFFFFFu, 60 },        /* palette count absurd */
        { 8, 8, 32, 3, 0, 52 },                 /* BI_BITFIELDS, masks cut off */
        { 16, 16, 1, 0, 0, 48 },                /* palette truncated */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t d[256];
        memset(d, 0x5a, sizeof d);
        vda_put_le32(d, 40);
        vda_put_le32(d + 4, (uint32_t)bad[i].w);
        vda_put_le32(d + 8, (uint32_t)bad[i].h);
        d[12] = 1;
        d[13] = 0;
        d[14] = (uint8_t)bad[i].bpp;
        d[15] = 0;
        vda_put_le32(d + 16, bad[i].comp);
        vda_put_le32(d + 20, 0);
        vda_put_le32(d + 32, bad[i].clr);
        wchar_t in[MAX_PATH];
        tmp_file(h, L"hostile.dib", in);
        spit(in, d, bad[i].size);
        int code = wait_exit(cbtool(h, L"set-dib", in, NULL), 30000);
        if (code != 0)
            FAIL("cbtool set-dib exit %d (case %zu)", code, i);
        vda_message m;
        if (!expect(h, VD_AGENT_CLIPBOARD_GRAB, 10000, &m))
            FAIL("no GRAB after hostile DIB %zu", i);
        free(m.data);
        for (uint32_t t = VD_AGENT_CLIPBOARD_IMAGE_PNG; t <= VD_AGENT_CLIPBOARD_IMAGE_BMP; t++) {
            uint8_t req[4];
            vda_put_le32(req, t);
            send_msg(h, VD_AGENT_CLIPBOARD_REQUEST, req, 4);
            if (!expect(h, VD_AGENT_CLIPBOARD, 20000, &m))
                FAIL("no CLIPBOARD answer for hostile DIB %zu as type %u", i, t);
            uint32_t got = m.size >= 4 ? vda_le32(m.data) : 99;
            free(m.data);
            if (got != VD_AGENT_CLIPBOARD_NONE)
                FAIL("hostile DIB %zu as type %u: answer type %u, want NONE", i, t, got);
        }
        if (WaitForSingleObject(h->io.agent.hProcess, 0) == WAIT_OBJECT_0)
            FAIL("the agent died on hostile DIB %zu", i);
        printf("ok: hostile DIB %zu (%dx%d, %u bpp, %zu bytes): NONE for PNG and BMP\n", i,
               bad[i].w, bad[i].h, bad[i].bpp, bad[i].size);
    }
    return 1;
}

/* A program copies 1/4/8-bpp palette DIBs (CF_DIB only). The client must get
 * them as PNG with exact pixels and as BMP: the system's CF_DIBV5 made from such
 * a CF_DIB may not carry the palette (Wine's does not), so that one alone is
 * not enough. */
static uint32_t pal_index(uint32_t x, uint32_t y, uint32_t bpp)
{
    return (x + 3 * y) % (1u << bpp);
}

static void pal_color(uint32_t i, uint8_t *rgb)
{
    rgb[0] = (uint8_t)(i * 37 + 11);
    rgb[1] = (uint8_t)(i * 91 + 5);
    rgb[2] = (uint8_t)(i * 53 + 200);
}

int sc_copy_palette_dib(host *h)
{
    if (!send_caps(h, 0, 1))
        FAIL("send");
    drain_quiet(h, 500);
    const uint32_t w = 13, hgt = 7;
    static const uint32_t bpps[] = { 1, 4, 8 };
    for (size_t i = 0; i < sizeof bpps / sizeof bpps[0]; i++) {
        uint32_t bpp = bpps[i], pal = 1u << bpp;
        size_t stride = ((w * bpp + 31) / 32) * 4;
        size_t size = 40 + pal * 4 + stride * hgt;
        uint8_t *d = calloc(1, size);
        if (!d)
            FAIL("no memory");
        vda_put_le32(d, 40);
        vda_put_le32(d + 4, w);
        vda_put_le32(d + 8, hgt);          /* bottom-up */
        d[12] = 1;
        d[14] = (uint8_t)bpp;
        vda_put_le32(d + 20, (uint32_t)(stride * hgt));
        vda_put_le32(d + 32, pal);
        for (uint32_t k = 0; k < pal; k++) {
            uint8_t rgb[3];
            pal_color(k, rgb);
            d[40 + k * 4] = rgb[2];       /* RGBQUAD: blue, green, red */
            d[40 + k * 4 + 1] = rgb[1];
            d[40 + k * 4 + 2] = rgb[0];
        }
        uint8_t *bits = d + 40 + pal * 4;
        for (uint32_t y = 0; y < hgt; y++) {
            uint8_t *row = bits + (size_t)(hgt - 1 - y) * stride;
            for (uint32_t x = 0; x < w; x++) {
                uint32_t bit = x * bpp;
                row[bit / 8] |= (uint8_t)(pal_index(x, y, bpp) << (8 - bpp - bit % 8));
            }
        }
        wchar_t in[MAX_PATH];
        tmp_file(h, L"pal.dib", in);
        spit(in, d, size);
        free(d);
        int code = wait_exit(cbtool(h, L"set-dib", in, NULL), 30000);
        vda_message m;
        if (code != 0)
            FAIL("cbtool set-dib exit %d", code);
        if (!expect(h, VD_AGENT_CLIPBOARD_GRAB, 10000, &m))
            FAIL("no GRAB after the guest copied a %u-bpp DIB", bpp);
        free(m.data);
        uint8_t req[4];
        vda_put_le32(req, VD_AGENT_CLIPBOARD_IMAGE_PNG);
        send_msg(h, VD_AGENT_CLIPBOARD_REQUEST, req, 4);
        if (!expect(h, VD_AGENT_CLIPBOARD, 20000, &m))
            FAIL("no CLIPBOARD answer");
        if (m.size < 4 || vda_le32(m.data) != VD_AGENT_CLIPBOARD_IMAGE_PNG) {
            uint32_t t = m.size >= 4 ? vda_le32(m.data) : 99;
            free(m.data);
            FAIL("%u-bpp palette DIB as PNG: answer type %u (%u bytes)", bpp, t, m.size);
        }
        png_image img;
        memset(&img, 0, sizeof img);
        img.version = PNG_IMAGE_VERSION;
        uint8_t rgba[13 * 7 * 4];
        int dec = png_image_begin_read_from_memory(&img, m.data + 4, m.size - 4) &&
                  img.width == w && img.height == hgt;
        img.format = PNG_FORMAT_RGBA;
        dec = dec && png_image_finish_read(&img, NULL, rgba, 0, NULL);
        free(m.data);
        if (!dec)
            FAIL("%u-bpp: the PNG does not decode to %ux%u", bpp, w, hgt);
        for (uint32_t y = 0; y < hgt; y++)
            for (uint32_t x = 0; x < w; x++) {
                uint8_t e[3];
                pal_color(pal_index(x, y, bpp), e);
                const uint8_t *p = rgba + ((size_t)y * w + x) * 4;
                if (memcmp(p, e, 3) != 0 || p[3] != 255)
                    FAIL("%u-bpp PNG pixel (%u,%u): %02x%02x%02x%02x, want %02x%02x%02xff", bpp,
                         x, y, p[0], p[1], p[2], p[3], e[0], e[1], e[2]);
            }
        vda_put_le32(req, VD_AGENT_CLIPBOARD_IMAGE_BMP);
        send_msg(h, VD_AGENT_CLIPBOARD_REQUEST, req, 4);
        if (!expect(h, VD_AGENT_CLIPBOARD, 20000, &m))
            FAIL("no CLIPBOARD answer");
        int bmp_ok = m.size > 4 + 14 + 40 && vda_le32(m.data) == VD_AGENT_CLIPBOARD_IMAGE_BMP &&
                     m.data[4] == 'B' && m.data[5] == 'M';
        free(m.data);
        if (!bmp_ok)
            FAIL("%u-bpp palette DIB as BMP: no BMP file (%u bytes)", bpp, m.size);
        printf("ok: guest copy of a %ux%u %u-bpp palette DIB -> exact PNG, and a BMP\n", w, hgt,
               bpp);
    }
    return 1;
}
