/* arena.h — a bump allocator with a hard cap, one per request (h2o style).
 *
 * Memory comes from chunks malloc'd on demand; everything is released at once by
 * arena_cleanup(). Not thread-safe: an arena belongs to the thread working on its request. */
#ifndef SB_CORE_ARENA_H
#define SB_CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head; /* newest chunk first */
    size_t used;              /* bytes handed out, for the cap */
    size_t max;               /* hard cap on bytes handed out */
};

/* Initializes an empty arena that will hand out at most `max` bytes in total. Never fails. */
void arena_init(struct arena *a, size_t max);

/* Returns `n` bytes aligned for any type, or NULL when the cap would be exceeded or malloc
 * fails (the arena is unchanged then). The memory is uninitialized; n == 0 returns a valid
 * unique pointer. */
void *arena_alloc(struct arena *a, size_t n);

/* Like arena_alloc but zeroed. */
void *arena_calloc(struct arena *a, size_t n);

/* Copies `n` bytes of `s` and adds a NUL; NULL on failure. */
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* Copies the NUL-terminated `s`; NULL on failure. */
char *arena_strdup(struct arena *a, const char *s);

/* printf into the arena; NULL on failure. */
char *arena_sprintf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Frees every chunk; the arena may be reused after arena_init(). */
void arena_cleanup(struct arena *a);

#endif
