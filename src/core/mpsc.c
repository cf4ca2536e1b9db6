#include "core/mpsc.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/err.h"

int mpsc_init(struct mpsc *q, size_t cap)
{
    if (cap == 0)
        return SB_EINVAL;
    q->slots = calloc(cap, sizeof(*q->slots));
    if (!q->slots)
        return SB_ENOMEM;
    q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (q->efd < 0) {
        free(q->slots);
        q->slots = NULL;
        return SB_EIO;
    }
    pthread_mutex_init(&q->lock, NULL);
    q->cap = cap;
    q->head = 0;
    q->count = 0;
    q->high_water = 0;
    return 0;
}

int mpsc_push(struct mpsc *q, void *item)
{
    /* NULL is mpsc_pop's "empty": queued, it would end the consumer's drain early and, with
     * edge-only wake-ups, strand the items behind it. */
    if (!item)
        return SB_EINVAL;
    pthread_mutex_lock(&q->lock);
    if (q->count == q->cap) {
        pthread_mutex_unlock(&q->lock);
        return SB_EFULL;
    }
    q->slots[(q->head + q->count) % q->cap] = item;
    q->count++;
    if (q->count > q->high_water)
        q->high_water = q->count;
    bool was_empty = q->count == 1;
    pthread_mutex_unlock(&q->lock);
    /* Only the empty -> non-empty edge needs a wake-up: the consumer drains until empty. */
    if (was_empty) {
        uint64_t one = 1;
        ssize_t w;
        do
            w = write(q->efd, &one, sizeof(one));
        while (w < 0 && errno == EINTR);
    }
    return 0;
}

void *mpsc_pop(struct mpsc *q)
{
    void *item = NULL;
    pthread_mutex_lock(&q->lock);
    if (q->count) {
        item = q->slots[q->head];
        q->head = (q->head + 1) % q->cap;
        q->count--;
    }
    pthread_mutex_unlock(&q->lock);
    return item;
}

size_t mpsc_depth(struct mpsc *q)
{
    pthread_mutex_lock(&q->lock);
    size_t n = q->count;
    pthread_mutex_unlock(&q->lock);
    return n;
}

int mpsc_fd(const struct mpsc *q)
{
    return q->efd;
}

void mpsc_clear_wakeup(struct mpsc *q)
{
    uint64_t v;
    ssize_t r;
    do
        r = read(q->efd, &v, sizeof(v));
    while (r < 0 && errno == EINTR);
}

void mpsc_cleanup(struct mpsc *q)
{
    if (!q->slots)
        return;
    free(q->slots);
    q->slots = NULL;
    close(q->efd);
    q->efd = -1;
    pthread_mutex_destroy(&q->lock);
}
