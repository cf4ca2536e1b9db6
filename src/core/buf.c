#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

/* Small first allocation: most buffers hold one short line or body. */
#define BUF_MIN_CAP 64

void buf_init(struct buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    /* Keeps len + 1 (the NUL) representable. */
    b->max = max < SIZE_MAX ? max : SIZE_MAX - 1;
}

/* Makes room for `n` more bytes plus the NUL. Content untouched on error. */
static int buf_reserve(struct buf *b, size_t n)
{
    if (n > b->max - b->len)
        return SB_ETOOBIG;
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : BUF_MIN_CAP;
    /* Doubling keeps appends amortized O(1); never past max + 1, the most we can use. */
    while (cap < need && cap <= (SIZE_MAX / 2))
        cap *= 2;
    if (cap < need || cap > b->max + 1)
        cap = b->max + 1;
    char *p = realloc(b->data, cap);
    if (!p)
        return SB_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
    int r = buf_reserve(b, n);
    if (r)
        return r;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return 0;
}

int buf_adds(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

/* The header lacks the attribute; without it clang's -Wformat-nonliteral rejects the
 * vsnprintf calls below. */
int buf_vaddf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    /* Measure first so a failing append never touches the content. */
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return SB_EINVAL; /* encoding error in a %ls argument: nothing sensible to append */
    int r = buf_reserve(b, (size_t)n);
    if (r)
        return r;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = buf_vaddf(b, fmt, ap);
    va_end(ap);
    return r;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = 0;
}

char *buf_take(struct buf *b, size_t *len_out)
{
    char *p = b->data;
    size_t len = b->len;
    if (!p) {
        p = malloc(1);
        if (!p)
            return NULL;
        p[0] = 0;
        len = 0;
    }
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    if (len_out)
        *len_out = len;
    return p;
}

void buf_free(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}
