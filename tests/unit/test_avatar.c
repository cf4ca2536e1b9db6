/* test_avatar.c — avatar_check(): real PNG and JPEG files (made here with libpng's and
 * libjpeg's encoders) pass; anything else, a truncated or corrupt file, declared dimensions
 * out of range and empty input are refused with the reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jpeglib.h>
#include <png.h>

#include "core/buf.h"
#include "core/err.h"
#include "staff/avatar.h"

/* ---- encoders ----------------------------------------------------------------------------- */

static void png_write_mem(png_structp png, png_bytep p, size_t n)
{
    assert_int_equal(buf_add(png_get_io_ptr(png), p, n), 0);
}

static void png_flush_nothing(png_structp png)
{
    (void)png;
}

/* A w×h RGB PNG (a gradient), optionally interlaced, in *out (caller buf_free()s). */
static void make_png(struct buf *out, uint32_t w, uint32_t h, bool interlaced)
{
    buf_init(out, 64u << 20);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    assert_non_null(info);
    if (setjmp(png_jmpbuf(png)))
        fail_msg("libpng could not write the test image");
    png_set_write_fn(png, out, png_write_mem, png_flush_nothing);
    png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_RGB,
                 interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_text text = {.compression = PNG_TEXT_COMPRESSION_NONE, .key = "Comment", .text = "test"};
    png_set_text(png, info, &text, 1);
    png_write_info(png, info);
    int passes = png_set_interlace_handling(png);
    unsigned char *row = malloc(w * 3);
    assert_non_null(row);
    for (int pass = 0; pass < passes; pass++)
        for (uint32_t y = 0; y < h; y++) {
            for (uint32_t x = 0; x < w; x++) {
                row[3 * x] = (unsigned char)x;
                row[3 * x + 1] = (unsigned char)y;
                row[3 * x + 2] = (unsigned char)(x ^ y);
            }
            png_write_row(png, row);
        }
    png_write_end(png, info);
    free(row);
    png_destroy_write_struct(&png, &info);
}

/* A w×h colour JPEG, baseline or progressive, in *out (caller free()s). */
static void make_jpeg(unsigned char **out, size_t *len, uint32_t w, uint32_t h, bool progressive)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    unsigned long n = 0;
    *out = NULL;
    jpeg_mem_dest(&c, out, &n);
    c.image_width = w;
    c.image_height = h;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 85, TRUE);
    if (progressive)
        jpeg_simple_progression(&c);
    jpeg_start_compress(&c, TRUE);
    unsigned char *row = malloc(w * 3);
    assert_non_null(row);
    while (c.next_scanline < h) {
        for (uint32_t x = 0; x < w; x++) {
            row[3 * x] = (unsigned char)(x * 3);
            row[3 * x + 1] = (unsigned char)c.next_scanline;
            row[3 * x + 2] = 128;
        }
        JSAMPROW rows[1] = {row};
        jpeg_write_scanlines(&c, rows, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    free(row);
    *len = n;
}

/* The CRC-32 of PNG chunks (ISO 3309), bit by bit: a test needs no speed. */
static uint32_t crc32(uint32_t crc, const unsigned char *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = crc & 1 ? (crc >> 1) ^ 0xedb88320u : crc >> 1;
    }
    return ~crc;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Rewrites the IHDR width and height of a PNG and recomputes the chunk's CRC, so only the
 * dimension check can refuse it. */
static void png_set_dims(unsigned char *p, uint32_t w, uint32_t h)
{
    put_be32(p + 16, w);
    put_be32(p + 20, h);
    put_be32(p + 29, crc32(0, p + 12, 17));
}

/* Offset of the SOFn marker of a JPEG (height at +5, width at +7). */
static size_t jpeg_sof(const unsigned char *p, size_t len)
{
    for (size_t i = 2; i + 9 < len; i++)
        if (p[i] == 0xff && (p[i + 1] == 0xc0 || p[i + 1] == 0xc2))
            return i;
    fail_msg("no SOF marker");
    return 0;
}

static int check(const void *p, size_t n, struct avatar_info *info)
{
    int r = avatar_check(p, n, info);
    if (r)
        assert_true(info->why[0] != 0);
    return r;
}

/* ---- tests -------------------------------------------------------------------------------- */

static void valid_png(void **state)
{
    struct buf b;
    struct avatar_info info;
    make_png(&b, 64, 48, false);
    assert_int_equal(check(b.data, b.len, &info), 0);
    assert_int_equal(info.kind, AVATAR_PNG);
    assert_int_equal(info.width, 64);
    assert_int_equal(info.height, 48);
    buf_free(&b);
    make_png(&b, 33, 17, true); /* Adam7: seven passes over the same row buffer */
    assert_int_equal(check(b.data, b.len, &info), 0);
    assert_int_equal(info.width, 33);
    buf_free(&b);
}

static void valid_jpeg(void **state)
{
    unsigned char *j;
    size_t n;
    struct avatar_info info;
    make_jpeg(&j, &n, 80, 60, false);
    assert_int_equal(check(j, n, &info), 0);
    assert_int_equal(info.kind, AVATAR_JPEG);
    assert_int_equal(info.width, 80);
    assert_int_equal(info.height, 60);
    free(j);
    make_jpeg(&j, &n, 70, 50, true);
    assert_int_equal(check(j, n, &info), 0);
    assert_int_equal(info.height, 50);
    free(j);
}

static void other_formats_refused(void **state)
{
    /* A 1×1 GIF: what a renamed .gif carries whatever its name or Content-Type. */
    static const unsigned char gif[] = {'G', 'I', 'F', '8', '9', 'a',  1,    0,    1,    0,    0x80,
                                        0,   0,   0,   0,   0,   0xff, 0xff, 0xff, 0x21, 0xf9, 4,
                                        1,   0,   0,   0,   0,   0x2c, 0,    0,    0,    0,    1,
                                        0,   1,   0,   0,   2,   2,    0x44, 1,    0,    0x3b};
    static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
    static const char webp[] = "RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0\x2f\0\0\0\x10\x07\x10\x11\x11\x88"
                               "\x88\xfe\x07\0";
    struct avatar_info info;
    assert_int_equal(check(gif, sizeof(gif), &info), SB_EINVALID);
    assert_int_equal(info.kind, AVATAR_UNKNOWN);
    assert_string_equal(info.why, "must be a PNG or JPEG image");
    assert_int_equal(check(svg, strlen(svg), &info), SB_EINVALID);
    assert_int_equal(check(webp, sizeof(webp) - 1, &info), SB_EINVALID);
    assert_int_equal(avatar_sniff(gif, sizeof(gif)), AVATAR_UNKNOWN);
    /* A PNG signature alone is not a PNG. */
    assert_int_equal(check("\x89PNG\r\n\x1a\n", 8, &info), SB_EINVALID);
    assert_int_equal(info.kind, AVATAR_PNG);
}

static void truncated_png_refused(void **state)
{
    struct buf b;
    struct avatar_info info;
    make_png(&b, 64, 64, false);
    size_t cuts[] = {b.len - 1, b.len - 12 /* no IEND */, b.len / 2, 40, 24};
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        assert_int_equal(check(b.data, cuts[i], &info), SB_EINVALID);
        assert_string_equal(info.why, "must be a complete, valid PNG image");
    }
    /* One flipped bit in the pixel data: the IDAT CRC no longer matches. */
    b.data[b.len / 2] ^= 0x10;
    assert_int_equal(check(b.data, b.len, &info), SB_EINVALID);
    buf_free(&b);
}

static void corrupt_ancillary_chunk_refused(void **state)
{
    struct buf b;
    struct avatar_info info;
    make_png(&b, 8, 8, false);
    unsigned char *t = memmem(b.data, b.len, "tEXt", 4);
    assert_non_null(t);
    assert_int_equal(check(b.data, b.len, &info), 0);
    t[4] ^= 1; /* the skipped text chunk's CRC is still checked */
    assert_int_equal(check(b.data, b.len, &info), SB_EINVALID);
    buf_free(&b);
}

static void truncated_jpeg_refused(void **state)
{
    unsigned char *j;
    size_t n;
    struct avatar_info info;
    make_jpeg(&j, &n, 64, 64, false);
    /* Without its EOI marker libjpeg only warns ("premature end") and pads: still refused. */
    size_t cuts[] = {n - 2, n - 1, n / 2, 200, 3};
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        assert_int_equal(check(j, cuts[i], &info), SB_EINVALID);
        assert_string_equal(info.why, "must be a complete, valid JPEG image");
    }
    free(j);
    make_jpeg(&j, &n, 64, 64, true);
    assert_int_equal(check(j, n * 2 / 3, &info), SB_EINVALID);
    free(j);
}

static void huge_dimensions_refused(void **state)
{
    struct buf b;
    struct avatar_info info;
    make_png(&b, 4, 4, false);
    png_set_dims((unsigned char *)b.data, 60000, 60000);
    assert_int_equal(check(b.data, b.len, &info), SB_EINVALID);
    assert_int_equal(info.width, 60000);
    assert_non_null(strstr(info.why, "60000x60000"));
    png_set_dims((unsigned char *)b.data, 4, 0);
    assert_int_equal(check(b.data, b.len, &info), SB_EINVALID);
    assert_non_null(strstr(info.why, "4x0"));
    buf_free(&b);
    /* The limit is inclusive: 4096 wide passes, 4097 does not. */
    make_png(&b, 4096, 1, false);
    assert_int_equal(check(b.data, b.len, &info), 0);
    buf_free(&b);
    make_png(&b, 4097, 1, false);
    assert_int_equal(check(b.data, b.len, &info), SB_EINVALID);
    buf_free(&b);

    unsigned char *j;
    size_t n;
    make_jpeg(&j, &n, 16, 16, false);
    size_t sof = jpeg_sof(j, n);
    j[sof + 5] = 0xc3; /* height 50000 */
    j[sof + 6] = 0x50;
    assert_int_equal(check(j, n, &info), SB_EINVALID);
    assert_int_equal(info.height, 50000);
    assert_non_null(strstr(info.why, "16x50000"));
    free(j);
    make_jpeg(&j, &n, 4097, 8, false);
    assert_int_equal(check(j, n, &info), SB_EINVALID);
    free(j);
}

static void empty_and_oversized_refused(void **state)
{
    struct avatar_info info;
    assert_int_equal(check(NULL, 0, &info), SB_EINVALID);
    assert_int_equal(check("", 0, &info), SB_EINVALID);
    assert_int_equal(check("\xff\xd8", 2, &info), SB_EINVALID);
    /* Size is checked first: 8 MiB + 1 byte is refused even before sniffing. */
    char *big = calloc(1, AVATAR_MAX_BYTES + 1);
    assert_non_null(big);
    memcpy(big, "\x89PNG\r\n\x1a\n", 8);
    assert_int_equal(check(big, AVATAR_MAX_BYTES + 1, &info), SB_ETOOBIG);
    free(big);
}

static void padded_png_accepted(void **state)
{
    /* A private ancillary chunk ("prVt") of 4 MiB: skipped, not allocated, CRC checked. */
    struct buf b;
    struct avatar_info info;
    make_png(&b, 8, 8, false);
    size_t pad = 4u << 20;
    unsigned char *p = malloc(b.len + pad + 12);
    assert_non_null(p);
    memcpy(p, b.data, 33); /* signature + IHDR */
    put_be32(p + 33, (uint32_t)pad);
    memcpy(p + 37, "prVt", 4);
    memset(p + 41, 'x', pad);
    put_be32(p + 41 + pad, crc32(0, p + 37, pad + 4));
    memcpy(p + 45 + pad, b.data + 33, b.len - 33);
    assert_int_equal(check(p, b.len + pad + 12, &info), 0);
    p[37] = 'P'; /* "PrVt": the same chunk made critical, which no decoder may skip */
    put_be32(p + 41 + pad, crc32(0, p + 37, pad + 4));
    assert_int_equal(check(p, b.len + pad + 12, &info), SB_EINVALID);
    free(p);
    buf_free(&b);
}

static void mime_types(void **state)
{
    assert_int_equal(avatar_kind_of_mime("image/png"), AVATAR_PNG);
    assert_int_equal(avatar_kind_of_mime("IMAGE/PNG ; charset=x"), AVATAR_PNG);
    assert_int_equal(avatar_kind_of_mime("image/jpeg"), AVATAR_JPEG);
    assert_int_equal(avatar_kind_of_mime("image/jpg"), AVATAR_JPEG);
    assert_int_equal(avatar_kind_of_mime("image/gif"), AVATAR_UNKNOWN);
    assert_int_equal(avatar_kind_of_mime("image/pngx"), AVATAR_UNKNOWN);
    assert_int_equal(avatar_kind_of_mime(NULL), AVATAR_UNKNOWN);
    assert_string_equal(avatar_kind_mime(AVATAR_JPEG), "image/jpeg");
    assert_string_equal(avatar_kind_ext(AVATAR_PNG), "png");
    assert_null(avatar_kind_ext(AVATAR_UNKNOWN));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_png),
        cmocka_unit_test(valid_jpeg),
        cmocka_unit_test(other_formats_refused),
        cmocka_unit_test(truncated_png_refused),
        cmocka_unit_test(corrupt_ancillary_chunk_refused),
        cmocka_unit_test(truncated_jpeg_refused),
        cmocka_unit_test(huge_dimensions_refused),
        cmocka_unit_test(empty_and_oversized_refused),
        cmocka_unit_test(padded_png_accepted),
        cmocka_unit_test(mime_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
