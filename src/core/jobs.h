/* jobs.h — the worker pool for slow work (argon2id, LDAP, SMTP, exports, provider calls).
 *
 * HTTP threads never block on slow work: they suspend the connection, submit a job and the job
 * resumes it. The queue is bounded so overload turns into 503s instead of memory growth. */
#ifndef SB_CORE_JOBS_H
#define SB_CORE_JOBS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

typedef void (*job_fn)(void *arg);

struct job_pool {
    pthread_mutex_t lock;
    pthread_cond_t more; /* signalled when a job is queued or on shutdown */
    pthread_cond_t idle; /* signalled when the pool becomes idle */
    struct job *slots;   /* ring of cap entries */
    size_t cap, head, count;
    size_t running; /* jobs being executed now */
    pthread_t *threads;
    size_t nthreads;
    bool stopping;
};

/* Starts `nthreads` workers (1..64) with room for `cap` queued jobs. Returns 0, SB_EINVAL or
 * SB_ENOMEM; on error no thread is left running. */
int jobs_init(struct job_pool *p, size_t nthreads, size_t cap);

/* Queues fn(arg) to run on a worker. Returns 0, SB_EFULL when `cap` jobs wait, or
 * SB_EUNAVAIL after jobs_shutdown() began; on error fn is not called. Any thread. */
int jobs_submit(struct job_pool *p, job_fn fn, void *arg);

/* Number of jobs queued plus running (snapshot). */
size_t jobs_pending(struct job_pool *p);

/* Stops accepting jobs, runs every job already queued, joins the workers and frees the pool. */
void jobs_shutdown(struct job_pool *p);

#endif
