#include "core/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Most request arenas hold a few short strings and small structs; 8 KiB keeps one chunk
 * enough for a typical request while the malloc stays cheap. */
#define ARENA_CHUNK_SIZE 8192
/* A request bigger than this gets its own chunk, so the free tail of the current chunk is not
 * thrown away for one large block (and a huge block does not drag a huge chunk size along). */
#define ARENA_BIG   (ARENA_CHUNK_SIZE / 4)
#define ARENA_ALIGN alignof(max_align_t)

struct arena_chunk {
    struct arena_chunk *next;
    size_t size; /* usable bytes in data */
    size_t off;  /* next free byte in data */
    alignas(max_align_t) unsigned char data[];
};

void arena_init(struct arena *a, size_t max)
{
    a->head = NULL;
    a->used = 0;
    a->max = max;
}

static struct arena_chunk *arena_chunk_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(struct arena_chunk))
        return NULL;
    struct arena_chunk *c = malloc(sizeof(*c) + size);
    if (!c)
        return NULL;
    c->next = NULL;
    c->size = size;
    c->off = 0;
    return c;
}

void *arena_alloc(struct arena *a, size_t n)
{
    /* The cap counts what callers asked for (a zero-size block counts as one byte so endless
     * empty allocations still hit it); alignment padding is the arena's own overhead. */
    size_t charge = n ? n : 1;
    if (charge > a->max - a->used)
        return NULL;
    if (charge > SIZE_MAX - (ARENA_ALIGN - 1))
        return NULL;
    size_t need = (charge + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);

    struct arena_chunk *c = a->head;
    if (c && c->size - c->off >= need)
        goto take;

    if (need > ARENA_BIG) {
        c = arena_chunk_new(need);
        if (!c)
            return NULL;
        /* Behind the head: the head's free tail stays available for small blocks. */
        if (a->head) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            a->head = c;
        }
        goto take;
    }

    /* A small cap does not deserve a full-size chunk. */
    size_t size = ARENA_CHUNK_SIZE;
    size_t left = a->max - a->used;
    if (left < size) {
        size = (left + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
        if (size < need)
            size = need;
    }
    c = arena_chunk_new(size);
    if (!c)
        return NULL;
    c->next = a->head;
    a->head = c;

take:;
    void *p = c->data + c->off;
    c->off += need;
    a->used += charge;
    return p;
}

void *arena_calloc(struct arena *a, size_t n)
{
    void *p = arena_alloc(a, n);
    if (p && n)
        memset(p, 0, n);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    /* strndup semantics: stop early at a NUL so a short string never reads past its end. */
    size_t len = strnlen(s, n);
    if (len == SIZE_MAX)
        return NULL;
    char *d = arena_alloc(a, len + 1);
    if (!d)
        return NULL;
    memcpy(d, s, len);
    d[len] = 0;
    return d;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_sprintf(struct arena *a, const char *fmt, ...)
{
    char *out = NULL;
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    if (len < 0)
        goto fail;
    out = arena_alloc(a, (size_t)len + 1);
    if (!out)
        goto fail;
    vsnprintf(out, (size_t)len + 1, fmt, ap2);
fail:
    va_end(ap2);
    va_end(ap);
    return out;
}

void arena_cleanup(struct arena *a)
{
    struct arena_chunk *c = a->head;
    while (c) {
        struct arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used = 0;
}
