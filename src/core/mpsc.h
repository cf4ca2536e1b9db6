/* mpsc.h — bounded multi-producer single-consumer queue of pointers with an eventfd.
 *
 * Producers on any thread push; the one owner thread waits on mpsc_fd() in its epoll loop and
 * pops. Only the push that takes the queue from empty to non-empty signals the eventfd, so on
 * every wake-up the owner must call mpsc_clear_wakeup() and then pop until mpsc_pop() returns
 * NULL; an owner that stops early must re-arm itself (e.g. keep a "more to do" flag). */
#ifndef SB_CORE_MPSC_H
#define SB_CORE_MPSC_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct mpsc {
    pthread_mutex_t lock;
    void **slots;
    size_t cap;
    size_t head; /* next pop */
    size_t count;
    size_t high_water; /* largest count seen, for metrics */
    int efd;           /* eventfd, EFD_NONBLOCK | EFD_CLOEXEC */
};

/* Initializes a queue holding at most `cap` items (cap >= 1). Returns 0, SB_ENOMEM, or SB_EIO
 * if the eventfd cannot be created. On error nothing needs cleaning up. */
int mpsc_init(struct mpsc *q, size_t cap);

/* Appends `item` (non-NULL). Returns 0 or SB_EFULL when `cap` items are queued; the item
 * stays the caller's on error. Any thread. */
int mpsc_push(struct mpsc *q, void *item);

/* Removes and returns the oldest item, or NULL when empty. Owner thread only. */
void *mpsc_pop(struct mpsc *q);

/* Items queued now (a snapshot). Any thread. */
size_t mpsc_depth(struct mpsc *q);

/* The eventfd to poll for readability. */
int mpsc_fd(const struct mpsc *q);

/* Resets the eventfd counter after a wake-up; call before draining with mpsc_pop. */
void mpsc_clear_wakeup(struct mpsc *q);

/* Frees the slots and closes the eventfd. Items still queued are not freed. */
void mpsc_cleanup(struct mpsc *q);

#endif
