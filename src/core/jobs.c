#include "core/jobs.h"

#include <stdlib.h>

#include "core/err.h"

#define JOBS_MAX_THREADS 64

struct job {
    job_fn fn;
    void *arg;
};

static void *jobs_worker(void *arg)
{
    struct job_pool *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (p->count == 0 && !p->stopping)
            pthread_cond_wait(&p->more, &p->lock);
        /* Stopping still drains: a worker leaves only once the queue is empty. */
        if (p->count == 0)
            break;
        struct job j = p->slots[p->head];
        p->head = (p->head + 1) % p->cap;
        p->count--;
        p->running++;
        pthread_mutex_unlock(&p->lock);
        j.fn(j.arg);
        pthread_mutex_lock(&p->lock);
        p->running--;
        if (p->count == 0 && p->running == 0)
            pthread_cond_broadcast(&p->idle);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Stops and joins the first `started` workers, then frees everything. */
static void jobs_teardown(struct job_pool *p, size_t started)
{
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->more);
    pthread_mutex_unlock(&p->lock);
    for (size_t i = 0; i < started; i++)
        pthread_join(p->threads[i], NULL);
    /* The lock stays initialized (glibc holds no resources for it) so a late jobs_submit()
     * racing with shutdown gets SB_EUNAVAIL instead of locking a destroyed mutex. */
    pthread_cond_destroy(&p->idle);
    pthread_cond_destroy(&p->more);
    free(p->threads);
    free(p->slots);
    p->threads = NULL;
    p->slots = NULL;
    p->nthreads = 0;
    p->cap = p->head = p->count = p->running = 0;
}

int jobs_init(struct job_pool *p, size_t nthreads, size_t cap)
{
    p->slots = NULL;
    p->threads = NULL;
    p->nthreads = 0;
    p->cap = p->head = p->count = p->running = 0;
    p->stopping = false;
    if (nthreads < 1 || nthreads > JOBS_MAX_THREADS || cap < 1)
        return SB_EINVAL;

    p->slots = calloc(cap, sizeof(*p->slots));
    p->threads = calloc(nthreads, sizeof(*p->threads));
    if (!p->slots || !p->threads)
        goto fail_mem;
    if (pthread_mutex_init(&p->lock, NULL))
        goto fail_mem;
    if (pthread_cond_init(&p->more, NULL))
        goto fail_lock;
    if (pthread_cond_init(&p->idle, NULL))
        goto fail_more;
    p->cap = cap;

    for (size_t i = 0; i < nthreads; i++) {
        if (pthread_create(&p->threads[i], NULL, jobs_worker, p)) {
            jobs_teardown(p, i);
            return SB_ENOMEM;
        }
        p->nthreads = i + 1;
    }
    return 0;

fail_more:
    pthread_cond_destroy(&p->more);
fail_lock:
    pthread_mutex_destroy(&p->lock);
fail_mem:
    free(p->slots);
    free(p->threads);
    p->slots = NULL;
    p->threads = NULL;
    return SB_ENOMEM;
}

int jobs_submit(struct job_pool *p, job_fn fn, void *arg)
{
    int r = 0;
    pthread_mutex_lock(&p->lock);
    if (p->stopping) {
        r = SB_EUNAVAIL;
        goto out;
    }
    if (p->count == p->cap) {
        r = SB_EFULL;
        goto out;
    }
    p->slots[(p->head + p->count) % p->cap] = (struct job){fn, arg};
    p->count++;
    pthread_cond_signal(&p->more);
out:
    pthread_mutex_unlock(&p->lock);
    return r;
}

size_t jobs_pending(struct job_pool *p)
{
    pthread_mutex_lock(&p->lock);
    size_t n = p->count + p->running;
    pthread_mutex_unlock(&p->lock);
    return n;
}

/* Must not be called from a worker (it would join itself). Jobs already queued still run; a
 * submit during or after shutdown, including from a draining job, gets SB_EUNAVAIL. */
void jobs_shutdown(struct job_pool *p)
{
    if (!p->threads)
        return;
    jobs_teardown(p, p->nthreads);
}
