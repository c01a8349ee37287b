/* BMP file -> DIB: pixel offsets (gaps accepted and dropped, offsets into the
 * headers or past the end refused), truncation, signature, V5 colour profiles;
 * DIB -> BMP file header fields. */
#include "image_test_support.h"

#define W 5
#define H 3

static const dib_layout pal4 = { "4bpp", 40, 4, 0, { 0 }, 5, 0, 0, 0 };
static const dib_layout v5_32 = { "v5", 124, 32, 3, { 0xFF0000, 0xFF00, 0xFF, 0xFF000000 }, 0, 1, 0, 0 };

/* A BMP file: file header, the DIB's headers, `gap` filler bytes, the rows. */
static uint8_t *make_bmp(const dib_layout *l, size_t gap, size_t *len, size_t *hdr_len)
{
    size_t dlen;
    uint8_t *dib = build_dib(l, W, H, &dlen);
    uint32_t stride = (W * l->bpp + 31) / 32 * 4;
    size_t headers = dlen - stride * H;
    bytes b = { 0 };
    bytes_add(&b, "BM", 2);
    put32(&b, (uint32_t)(14 + dlen + gap));
    put32(&b, 0);
    put32(&b, (uint32_t)(14 + headers + gap));
    bytes_add(&b, dib, headers);
    for (size_t i = 0; i < gap; i++)
        bytes_add(&b, "\xAA", 1);
    bytes_add(&b, dib + headers, dlen - headers);
    free(dib);
    *len = b.len;
    *hdr_len = headers;
    return b.data;
}

static void expect_refused(const uint8_t *bmp, size_t len, vda_image_status want,
                           const char *what)
{
    vda_buf dib = { (uint8_t *)1, 1 };
    test_log log;
    test_log_init(&log);
    vda_image_status st = vda_bmp_to_dib(bmp, len, NULL, &dib, &log.logger);
    if (st != want)
        fail_msg("%s: got '%s', expected '%s' (%s)", what, vda_image_status_str(st),
                 vda_image_status_str(want), log.last);
    assert_int_equal(log.lines, 1);
    assert_null(dib.data);
    assert_int_equal(dib.size, 0);
}

static void gap_before_rows_is_dropped(void **state)
{
    (void)state;
    size_t dlen, len, hl;
    uint8_t *want = build_dib(&pal4, W, H, &dlen);
    for (size_t gap = 0; gap < 9; gap += 4) {
        uint8_t *bmp = make_bmp(&pal4, gap, &len, &hl);
        vda_buf dib;
        assert_int_equal(vda_bmp_to_dib(bmp, len, NULL, &dib, NULL), VDA_IMG_OK);
        assert_int_equal(dib.size, dlen);
        assert_memory_equal(dib.data, want, dlen);
        free(dib.data);
        free(bmp);
    }
    free(want);
}

static void bad_offsets_and_truncation_refused(void **state)
{
    (void)state;
    size_t len, hl;
    uint8_t *bmp = make_bmp(&pal4, 4, &len, &hl);
    uint32_t good = vda_le32_test(bmp + 10);
    uint32_t offs[] = { 0, 13, 14, 14 + 40, (uint32_t)(14 + hl - 1), (uint32_t)len,
                        (uint32_t)len + 100, 0xFFFFFFFFu, good + 1 };
    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
        uint8_t *p = malloc(len);
        assert_non_null(p);
        memcpy(p, bmp, len);
        p[10] = (uint8_t)offs[i];
        p[11] = (uint8_t)(offs[i] >> 8);
        p[12] = (uint8_t)(offs[i] >> 16);
        p[13] = (uint8_t)(offs[i] >> 24);
        expect_refused(p, len, VDA_IMG_ERR_MALFORMED, "bad bfOffBits");
        free(p);
    }
    for (size_t cut = 0; cut < len; cut++)
        expect_refused(bmp, cut, VDA_IMG_ERR_MALFORMED, "truncated");
    bmp[1] = 'A';
    expect_refused(bmp, len, VDA_IMG_ERR_MALFORMED, "no BM");
    free(bmp);

    /* The DIB part's own checks still apply (here: height INT32_MIN). */
    bmp = make_bmp(&v5_32, 0, &len, &hl);
    bmp[14 + 8] = 0;
    bmp[14 + 9] = 0;
    bmp[14 + 10] = 0;
    bmp[14 + 11] = 0x80;
    expect_refused(bmp, len, VDA_IMG_ERR_MALFORMED, "height INT32_MIN");
    free(bmp);
}

/* An embedded ICC profile is not copied into the DIB: the header must not keep
 * pointing at it. */
static void v5_profile_dropped(void **state)
{
    (void)state;
    size_t len, hl;
    uint8_t *bmp = make_bmp(&v5_32, 0, &len, &hl);
    bytes b = { 0 };
    bytes_add(&b, bmp, len);
    bytes_add(&b, "fake-icc-profile", 16);
    uint8_t *p = b.data;
    uint8_t *h = p + 14;
    h[56] = 'D'; h[57] = 'E'; h[58] = 'B'; h[59] = 'M';     /* 'MBED' little-endian */
    uint32_t prof = (uint32_t)(len - 14);                   /* from the header's start */
    h[112] = (uint8_t)prof; h[113] = (uint8_t)(prof >> 8); h[114] = 0; h[115] = 0;
    h[116] = 16; h[117] = 0; h[118] = 0; h[119] = 0;
    vda_buf dib;
    assert_int_equal(vda_bmp_to_dib(p, b.len, NULL, &dib, NULL), VDA_IMG_OK);
    assert_int_equal(dib.size, len - 14);
    assert_int_equal(vda_le32_test(dib.data + 56), 0x73524742);   /* LCS_sRGB */
    assert_int_equal(vda_le32_test(dib.data + 112), 0);
    assert_int_equal(vda_le32_test(dib.data + 116), 0);
    assert_memory_equal(dib.data + 124, p + 14 + 124, dib.size - 124);
    free(dib.data);
    bytes_free(&b);
    free(bmp);
}

static void dib_to_bmp_header(void **state)
{
    (void)state;
    size_t dlen;
    uint8_t *dib = build_dib(&pal4, W, H, &dlen);
    vda_buf bmp;
    assert_int_equal(vda_dib_to_bmp(dib, dlen, NULL, &bmp, NULL), VDA_IMG_OK);
    assert_int_equal(bmp.size, 14 + dlen);
    assert_memory_equal(bmp.data, "BM", 2);
    assert_int_equal(vda_le32_test(bmp.data + 2), 14 + dlen);
    assert_int_equal(vda_le32_test(bmp.data + 6), 0);
    assert_int_equal(vda_le32_test(bmp.data + 10), 14 + 40 + 5 * 4);
    assert_memory_equal(bmp.data + 14, dib, dlen);
    free(bmp.data);
    /* Bytes after the rows (Windows pads some CF_DIBs) are not copied. */
    uint8_t *longer = malloc(dlen + 32);
    assert_non_null(longer);
    memcpy(longer, dib, dlen);
    memset(longer + dlen, 0x55, 32);
    assert_int_equal(vda_dib_to_bmp(longer, dlen + 32, NULL, &bmp, NULL), VDA_IMG_OK);
    assert_int_equal(bmp.size, 14 + dlen);
    free(bmp.data);
    free(longer);
    free(dib);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gap_before_rows_is_dropped),
        cmocka_unit_test(bad_offsets_and_truncation_refused),
        cmocka_unit_test(v5_profile_dropped),
        cmocka_unit_test(dib_to_bmp_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
