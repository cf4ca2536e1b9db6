#include "staff/avatar.h"

/* jpeglib.h needs FILE and size_t declared first. */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jerror.h>
#include <jpeglib.h>
#include <png.h>
#include <setjmp.h>

#include "core/err.h"

static const unsigned char png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

enum avatar_kind avatar_sniff(const void *data, size_t len)
{
    const unsigned char *p = data;
    if (len >= sizeof(png_magic) && !memcmp(p, png_magic, sizeof(png_magic)))
        return AVATAR_PNG;
    if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
        return AVATAR_JPEG;
    return AVATAR_UNKNOWN;
}

const char *avatar_kind_mime(enum avatar_kind kind)
{
    return kind == AVATAR_PNG ? "image/png" : kind == AVATAR_JPEG ? "image/jpeg" : NULL;
}

const char *avatar_kind_ext(enum avatar_kind kind)
{
    return kind == AVATAR_PNG ? "png" : kind == AVATAR_JPEG ? "jpg" : NULL;
}

enum avatar_kind avatar_kind_of_mime(const char *ct)
{
    if (!ct)
        return AVATAR_UNKNOWN;
    size_t n = strcspn(ct, ";");
    while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    if (n == 9 && !strncasecmp(ct, "image/png", n))
        return AVATAR_PNG;
    if ((n == 10 && !strncasecmp(ct, "image/jpeg", n)) ||
        (n == 9 && !strncasecmp(ct, "image/jpg", n)))
        return AVATAR_JPEG;
    return AVATAR_UNKNOWN;
}

static int refuse(struct avatar_info *info, int err, const char *why)
{
    snprintf(info->why, sizeof(info->why), "%s", why);
    return err;
}

static int check_dimensions(struct avatar_info *info)
{
    if (!info->width || !info->height || info->width > AVATAR_MAX_SIDE ||
        info->height > AVATAR_MAX_SIDE) {
        snprintf(info->why, sizeof(info->why),
                 "must be 1 to %u pixels wide and high (this image declares %" PRIu32 "x%" PRIu32
                 ")",
                 AVATAR_MAX_SIDE, info->width, info->height);
        return SB_EINVALID;
    }
    return 0;
}

/* ---- PNG ---------------------------------------------------------------------------------- */

/* Everything the decode touches lives here, outside the function that calls setjmp, so a
 * longjmp never leaves a clobbered local behind. */
struct png_job {
    const unsigned char *data;
    size_t len, pos;
    png_structp png;
    png_infop info;
    png_bytep row;
};

static void png_read_mem(png_structp png, png_bytep out, size_t n)
{
    struct png_job *j = png_get_io_ptr(png);
    if (n > j->len - j->pos)
        png_error(png, "truncated");
    memcpy(out, j->data + j->pos, n);
    j->pos += n;
}

static void png_on_error(png_structp png, png_const_charp msg)
{
    (void)msg; /* never logged: it may quote the file */
    png_longjmp(png, 1);
}

/* A warning means the file is not what it should be (a CRC error in a skipped chunk, extra
 * data, an out-of-range value libpng repaired): refuse it like an error. */
static void png_on_warning(png_structp png, png_const_charp msg)
{
    png_error(png, msg);
}

static int png_decode(struct png_job *j, struct avatar_info *info)
{
    if (setjmp(png_jmpbuf(j->png)))
        return refuse(info, SB_EINVALID, "must be a complete, valid PNG image");
    png_set_read_fn(j->png, j, png_read_mem);
    png_set_benign_errors(j->png, 0);
    png_set_user_limits(j->png, AVATAR_MAX_SIDE, AVATAR_MAX_SIDE);
    /* Skipped chunks are never allocated, so a long one is harmless: the file size bounds it. */
    png_set_chunk_malloc_max(j->png, AVATAR_MAX_BYTES);
    /* Every ancillary chunk but tRNS is skipped (CRC still checked): none changes whether the
     * pixels decode, and their parsers only add warnings about colour profiles. */
    png_set_keep_unknown_chunks(j->png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
    png_read_info(j->png, j->info);
    int passes = png_set_interlace_handling(j->png);
    png_read_update_info(j->png, j->info);
    size_t rowbytes = png_get_rowbytes(j->png, j->info);
    uint32_t height = png_get_image_height(j->png, j->info);
    j->row = png_malloc(j->png, rowbytes ? rowbytes : 1); /* longjmps on failure */
    for (int pass = 0; pass < passes; pass++)
        for (uint32_t y = 0; y < height; y++)
            png_read_row(j->png, j->row, NULL);
    png_read_end(j->png, NULL);
    return 0;
}

static int check_png(const unsigned char *data, size_t len, struct avatar_info *info)
{
    /* The dimensions first, from the IHDR chunk the signature must be followed by, so the
     * refusal of a bomb says what it declares. */
    static const unsigned char ihdr[8] = {0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    if (len < 24 || memcmp(data + 8, ihdr, sizeof(ihdr)))
        return refuse(info, SB_EINVALID, "must be a complete, valid PNG image");
    info->width =
        (uint32_t)data[16] << 24 | (uint32_t)data[17] << 16 | (uint32_t)data[18] << 8 | data[19];
    info->height =
        (uint32_t)data[20] << 24 | (uint32_t)data[21] << 16 | (uint32_t)data[22] << 8 | data[23];
    int r = check_dimensions(info);
    if (r)
        return r;
    struct png_job j = {.data = data, .len = len};
    j.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, png_on_error, png_on_warning);
    if (!j.png)
        return SB_ENOMEM;
    j.info = png_create_info_struct(j.png);
    r = j.info ? png_decode(&j, info) : SB_ENOMEM;
    if (j.row)
        png_free(j.png, j.row);
    png_destroy_read_struct(&j.png, j.info ? &j.info : NULL, NULL);
    return r;
}

/* ---- JPEG --------------------------------------------------------------------------------- */

struct jpeg_job {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr err;
    struct jpeg_progress_mgr progress;
    jmp_buf jmp;
    bool created;
    bool too_complex;
};

static struct jpeg_job *jpeg_job_of(j_common_ptr cinfo)
{
    return (struct jpeg_job *)((char *)cinfo->err - offsetof(struct jpeg_job, err));
}

static void jpeg_on_error(j_common_ptr cinfo)
{
    struct jpeg_job *j = jpeg_job_of(cinfo);
    int code = cinfo->err->msg_code;
    if (code == JERR_OUT_OF_MEMORY || code == JERR_NO_BACKING_STORE)
        j->too_complex = true;
    longjmp(j->jmp, 1);
}

/* Level -1 is a warning ("Premature end of JPEG file", "Corrupt JPEG data: …"): an error here.
 * Other levels are trace messages: ignored. */
static void jpeg_on_message(j_common_ptr cinfo, int level)
{
    if (level < 0)
        longjmp(jpeg_job_of(cinfo)->jmp, 1);
}

/* libjpeg's default prints to stderr; nothing is printed (messages may quote the file). */
static void jpeg_output_nothing(j_common_ptr cinfo)
{
    (void)cinfo;
}

static void jpeg_on_progress(j_common_ptr cinfo)
{
    struct jpeg_job *j = (struct jpeg_job *)((char *)cinfo - offsetof(struct jpeg_job, cinfo));
    if (j->cinfo.input_scan_number > AVATAR_JPEG_MAX_SCANS) {
        j->too_complex = true;
        longjmp(j->jmp, 1);
    }
}

static int jpeg_decode(struct jpeg_job *j, const unsigned char *data, size_t len,
                       struct avatar_info *info)
{
    if (setjmp(j->jmp)) {
        if (j->too_complex)
            return refuse(info, SB_EINVALID, "is too complex to decode");
        return refuse(info, SB_EINVALID, "must be a complete, valid JPEG image");
    }
    jpeg_create_decompress(&j->cinfo);
    j->created = true;
    j->cinfo.mem->max_memory_to_use = AVATAR_JPEG_MAX_MEMORY;
    j->progress.progress_monitor = jpeg_on_progress;
    j->cinfo.progress = &j->progress;
    jpeg_mem_src(&j->cinfo, data, (unsigned long)len);
    if (jpeg_read_header(&j->cinfo, TRUE) != JPEG_HEADER_OK)
        return refuse(info, SB_EINVALID, "must be a complete, valid JPEG image");
    info->width = j->cinfo.image_width;
    info->height = j->cinfo.image_height;
    int r = check_dimensions(info);
    if (r)
        return r;
    jpeg_start_decompress(&j->cinfo);
    JSAMPARRAY row = (*j->cinfo.mem->alloc_sarray)(
        (j_common_ptr)&j->cinfo, JPOOL_IMAGE,
        j->cinfo.output_width * (JDIMENSION)j->cinfo.output_components, 1);
    while (j->cinfo.output_scanline < j->cinfo.output_height)
        jpeg_read_scanlines(&j->cinfo, row, 1);
    jpeg_finish_decompress(&j->cinfo);
    return 0;
}

static int check_jpeg(const unsigned char *data, size_t len, struct avatar_info *info)
{
    struct jpeg_job j;
    memset(&j, 0, sizeof(j));
    j.cinfo.err = jpeg_std_error(&j.err);
    j.err.error_exit = jpeg_on_error;
    j.err.emit_message = jpeg_on_message;
    j.err.output_message = jpeg_output_nothing;
    int r = jpeg_decode(&j, data, len, info);
    if (j.created)
        jpeg_destroy_decompress(&j.cinfo);
    return r;
}

int avatar_check(const void *data, size_t len, struct avatar_info *info)
{
    memset(info, 0, sizeof(*info));
    if (len > AVATAR_MAX_BYTES) {
        snprintf(info->why, sizeof(info->why), "must be at most %u bytes (8 MiB)",
                 AVATAR_MAX_BYTES);
        return SB_ETOOBIG;
    }
    if (!len)
        return refuse(info, SB_EINVALID, "is empty: send a PNG or JPEG image");
    info->kind = avatar_sniff(data, len);
    switch (info->kind) {
    case AVATAR_PNG:
        return check_png(data, len, info);
    case AVATAR_JPEG:
        return check_jpeg(data, len, info);
    default:
        return refuse(info, SB_EINVALID, "must be a PNG or JPEG image");
    }
}
