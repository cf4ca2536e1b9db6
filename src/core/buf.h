/* buf.h — a growable byte buffer with a hard maximum (curl's dynbuf).
 *
 * The content is always NUL-terminated (the NUL is not counted in len) so text can be used
 * directly. Not thread-safe. On any error the buffer's content is unchanged. */
#ifndef SB_CORE_BUF_H
#define SB_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data; /* NULL until the first append */
    size_t len;
    size_t cap;
    size_t max; /* len may never exceed this */
};

/* Initializes an empty buffer that may hold at most `max` bytes. Allocates nothing. */
void buf_init(struct buf *b, size_t max);

/* Appends `n` bytes. Returns 0, SB_ETOOBIG when len + n > max, or SB_ENOMEM. */
int buf_add(struct buf *b, const void *p, size_t n);

/* Appends a NUL-terminated string. Same returns as buf_add. */
int buf_adds(struct buf *b, const char *s);

/* Appends formatted text. Same returns as buf_add. */
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap);

/* Empties the buffer, keeping its allocation. */
void buf_reset(struct buf *b);

/* Hands the data to the caller (who frees it with free()) and leaves the buffer empty.
 * Returns an allocated "" when nothing was appended; NULL only on allocation failure. */
char *buf_take(struct buf *b, size_t *len_out);

/* Frees the data; the buffer is empty and reusable afterwards. */
void buf_free(struct buf *b);

#endif
