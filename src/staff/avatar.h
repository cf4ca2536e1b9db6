/* avatar.h — what an uploaded agent picture must be (issue "Staff": PNG or JPEG only, at most
 * 8 MiB), checked with the real decoders: libpng and libjpeg-turbo.
 *
 * The magic bytes decide the kind, never a name or a declared Content-Type. The dimensions in
 * the header are checked before anything is decoded (a 20-byte file may declare a 60000×60000
 * image: a decompression bomb), then the whole image is decoded into a one-row scratch buffer,
 * so a truncated or corrupt file is refused: every libpng or libjpeg warning counts as an
 * error (libjpeg only warns on a premature end of data and pads the picture with grey).
 * Ancillary PNG chunks (text, colour profiles, private chunks) are skipped unread, but their
 * CRCs are still checked. Pure functions of their input; any thread. */
#ifndef SB_STAFF_AVATAR_H
#define SB_STAFF_AVATAR_H

#include <stddef.h>
#include <stdint.h>

/* The largest accepted file: 8 MiB (the seed's "max 8MB"; docs/staff-fields.md §6.4). */
#define AVATAR_MAX_BYTES (8u * 1024u * 1024u)
/* The largest accepted width and height, in pixels. */
#define AVATAR_MAX_SIDE 4096u
/* Memory libjpeg may use for one decode (a progressive 4096×4096 4:2:0 colour JPEG needs about
 * 48 MiB of coefficients); beyond it the file is refused as too complex. */
#define AVATAR_JPEG_MAX_MEMORY (128u * 1024u * 1024u)
/* Scans of a progressive JPEG beyond which it is refused (each scan re-reads the whole image:
 * thousands of tiny scans are a CPU bomb; real encoders write about ten). */
#define AVATAR_JPEG_MAX_SCANS 500

enum avatar_kind { AVATAR_UNKNOWN = 0, AVATAR_PNG = 1, AVATAR_JPEG = 2 };

struct avatar_info {
    enum avatar_kind kind;
    uint32_t width, height; /* from the header; 0 when not read */
    char why[128];          /* on SB_EINVALID/SB_ETOOBIG: why, for a field error ("must be…") */
};

/* The kind the first bytes announce: PNG (the 8-byte signature), JPEG (FF D8 FF) or
 * AVATAR_UNKNOWN (anything else, including GIF, WebP and SVG, and fewer bytes than a
 * signature). */
enum avatar_kind avatar_sniff(const void *data, size_t len);

/* Checks that data[0..len) is an acceptable avatar: at most AVATAR_MAX_BYTES, a PNG or JPEG by
 * its magic bytes, 1..AVATAR_MAX_SIDE pixels each way in its header, and decoding completely
 * without error or warning. Returns 0 with info->kind/width/height set; SB_ETOOBIG (larger
 * than AVATAR_MAX_BYTES) or SB_EINVALID (anything else wrong with the file) with info->why
 * set; SB_ENOMEM when the decoder could not allocate. `data` may be NULL when len is 0.
 * Decoding is CPU work (up to a few hundred ms for the largest file): call it on a job
 * worker, not on an HTTP thread. */
int avatar_check(const void *data, size_t len, struct avatar_info *info);

/* The fixed Content-Type of a kind: "image/png", "image/jpeg"; NULL for AVATAR_UNKNOWN. */
const char *avatar_kind_mime(enum avatar_kind kind);

/* The file-name extension of a kind: "png", "jpg"; NULL for AVATAR_UNKNOWN. */
const char *avatar_kind_ext(enum avatar_kind kind);

/* The kind a Content-Type header declares: image/png, image/jpeg (or the non-standard
 * image/jpg), case-insensitive, parameters after ';' ignored. AVATAR_UNKNOWN for anything else
 * or NULL. */
enum avatar_kind avatar_kind_of_mime(const char *content_type);

#endif
