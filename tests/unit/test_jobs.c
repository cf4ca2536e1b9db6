#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/jobs.h"

/* A gate a job blocks on until the test opens it, so the test controls when workers are busy
 * without sleeping or timing anything. */
struct gate {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool entered;
    bool open;
};

static void gate_init(struct gate *g)
{
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->cond, NULL);
    g->entered = false;
    g->open = false;
}

static void gate_destroy(struct gate *g)
{
    pthread_cond_destroy(&g->cond);
    pthread_mutex_destroy(&g->lock);
}

static void gate_wait_entered(struct gate *g)
{
    pthread_mutex_lock(&g->lock);
    while (!g->entered)
        pthread_cond_wait(&g->cond, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

static void gate_open(struct gate *g)
{
    pthread_mutex_lock(&g->lock);
    g->open = true;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
}

static void blocker_job(void *arg)
{
    struct gate *g = arg;
    pthread_mutex_lock(&g->lock);
    g->entered = true;
    pthread_cond_broadcast(&g->cond);
    while (!g->open)
        pthread_cond_wait(&g->cond, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

static void count_job(void *arg)
{
    atomic_fetch_add((atomic_int *)arg, 1);
}

static void test_init_validates(void **state)
{
    struct job_pool p;
    assert_int_equal(jobs_init(&p, 0, 4), SB_EINVAL);
    jobs_shutdown(&p); /* harmless after a failed init */
    assert_int_equal(jobs_init(&p, 65, 4), SB_EINVAL);
    assert_int_equal(jobs_init(&p, 2, 0), SB_EINVAL);
    assert_int_equal(jobs_init(&p, 64, 1), 0);
    jobs_shutdown(&p);
}

#define MANY 20000

static void test_every_job_runs_exactly_once(void **state)
{
    struct job_pool p;
    assert_int_equal(jobs_init(&p, 4, 16), 0);
    atomic_int *runs = calloc(MANY, sizeof(*runs));
    assert_non_null(runs);
    for (size_t i = 0; i < MANY; i++) {
        int r;
        while ((r = jobs_submit(&p, count_job, &runs[i])) == SB_EFULL)
            sched_yield();
        assert_int_equal(r, 0);
    }
    jobs_shutdown(&p);
    for (size_t i = 0; i < MANY; i++)
        assert_int_equal(atomic_load(&runs[i]), 1);
    free(runs);
}

static void test_full_queue_refuses(void **state)
{
    struct job_pool p;
    struct gate g;
    atomic_int ran = 0, rejected_ran = 0;
    gate_init(&g);
    assert_int_equal(jobs_init(&p, 1, 2), 0);
    assert_int_equal(jobs_submit(&p, blocker_job, &g), 0);
    gate_wait_entered(&g); /* the only worker is now busy */
    assert_int_equal(jobs_submit(&p, count_job, &ran), 0);
    assert_int_equal(jobs_submit(&p, count_job, &ran), 0);
    assert_int_equal(jobs_pending(&p), 3);
    assert_int_equal(jobs_submit(&p, count_job, &rejected_ran), SB_EFULL);
    assert_int_equal(jobs_pending(&p), 3);
    gate_open(&g);
    jobs_shutdown(&p);
    assert_int_equal(atomic_load(&ran), 2);
    assert_int_equal(atomic_load(&rejected_ran), 0);
    gate_destroy(&g);
}

struct late_submit {
    struct gate gate;
    struct job_pool *pool;
    atomic_int *counter;
    int result;
};

/* Waits at the gate, then tries to submit: by then shutdown has begun. */
static void late_submit_job(void *arg)
{
    struct late_submit *ls = arg;
    blocker_job(&ls->gate);
    ls->result = jobs_submit(ls->pool, count_job, ls->counter);
}

static void *shutdown_thread(void *arg)
{
    jobs_shutdown(arg);
    return NULL;
}

static void test_shutdown_drains_and_refuses(void **state)
{
    struct job_pool p;
    atomic_int queued_ran = 0, late_ran = 0;
    struct late_submit ls = {.pool = &p, .counter = &late_ran, .result = 1};
    gate_init(&ls.gate);
    assert_int_equal(jobs_init(&p, 1, 64), 0);
    assert_int_equal(jobs_submit(&p, late_submit_job, &ls), 0);
    gate_wait_entered(&ls.gate);
    for (int i = 0; i < 50; i++)
        assert_int_equal(jobs_submit(&p, count_job, &queued_ran), 0);

    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, shutdown_thread, &p), 0);
    /* Shutdown has begun once submits bounce; until then they queue like any other job (or
     * find the queue full, as the worker is held). */
    int accepted = 0, r;
    while ((r = jobs_submit(&p, count_job, &queued_ran)) == 0 || r == SB_EFULL) {
        if (r == 0)
            accepted++;
        else
            sched_yield();
    }
    assert_int_equal(r, SB_EUNAVAIL);
    assert_int_equal(atomic_load(&queued_ran), 0); /* the worker is still held at the gate */

    gate_open(&ls.gate);
    pthread_join(t, NULL);
    /* Everything queued before shutdown ran; the submit from the draining job did not. */
    assert_int_equal(atomic_load(&queued_ran), 50 + accepted);
    assert_int_equal(ls.result, SB_EUNAVAIL);
    assert_int_equal(atomic_load(&late_ran), 0);
    /* And after shutdown finished, still refused, still not run. */
    assert_int_equal(jobs_submit(&p, count_job, &late_ran), SB_EUNAVAIL);
    assert_int_equal(atomic_load(&late_ran), 0);
    jobs_shutdown(&p); /* idempotent */
    gate_destroy(&ls.gate);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_validates),
        cmocka_unit_test(test_every_job_runs_exactly_once),
        cmocka_unit_test(test_full_queue_refuses),
        cmocka_unit_test(test_shutdown_drains_and_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
