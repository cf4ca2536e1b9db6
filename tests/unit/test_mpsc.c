#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/mpsc.h"

static bool fd_readable(int fd, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r = poll(&p, 1, timeout_ms);
    assert_true(r >= 0);
    return r == 1 && (p.revents & POLLIN);
}

static void *tag(uintptr_t v)
{
    return (void *)v;
}

static void test_init_rejects_zero_cap(void **state)
{
    struct mpsc q;
    assert_int_equal(mpsc_init(&q, 0), SB_EINVAL);
}

static void test_fifo_full_and_wraparound(void **state)
{
    struct mpsc q;
    assert_int_equal(mpsc_init(&q, 3), 0);
    assert_null(mpsc_pop(&q));
    assert_int_equal(mpsc_push(&q, tag(1)), 0);
    assert_int_equal(mpsc_push(&q, tag(2)), 0);
    assert_int_equal(mpsc_push(&q, tag(3)), 0);
    assert_int_equal(mpsc_push(&q, tag(4)), SB_EFULL);
    assert_int_equal(mpsc_depth(&q), 3);
    assert_int_equal(q.high_water, 3);
    assert_ptr_equal(mpsc_pop(&q), tag(1));
    assert_int_equal(mpsc_push(&q, tag(4)), 0);
    /* Run the ring around many times; order must survive every wrap. */
    uintptr_t next_in = 5, next_out = 2;
    for (int i = 0; i < 1000; i++) {
        assert_ptr_equal(mpsc_pop(&q), tag(next_out++));
        assert_int_equal(mpsc_push(&q, tag(next_in++)), 0);
        assert_int_equal(mpsc_depth(&q), 3);
    }
    for (int i = 0; i < 3; i++)
        assert_ptr_equal(mpsc_pop(&q), tag(next_out++));
    assert_null(mpsc_pop(&q));
    assert_int_equal(mpsc_depth(&q), 0);
    assert_int_equal(q.high_water, 3);
    mpsc_cleanup(&q);
}

static void test_null_item_refused(void **state)
{
    struct mpsc q;
    assert_int_equal(mpsc_init(&q, 2), 0);
    assert_int_equal(mpsc_push(&q, NULL), SB_EINVAL);
    assert_int_equal(mpsc_depth(&q), 0);
    mpsc_cleanup(&q);
}

static void test_eventfd_wakeup(void **state)
{
    struct mpsc q;
    assert_int_equal(mpsc_init(&q, 4), 0);
    int fd = mpsc_fd(&q);
    assert_true(fd >= 0);
    assert_false(fd_readable(fd, 0));
    assert_int_equal(mpsc_push(&q, tag(1)), 0);
    assert_true(fd_readable(fd, 0));
    assert_int_equal(mpsc_push(&q, tag(2)), 0);
    mpsc_clear_wakeup(&q);
    assert_false(fd_readable(fd, 0));
    /* The drain loop the owner runs: after it finds the queue empty, the next push wakes it. */
    assert_ptr_equal(mpsc_pop(&q), tag(1));
    assert_ptr_equal(mpsc_pop(&q), tag(2));
    assert_null(mpsc_pop(&q));
    assert_int_equal(mpsc_push(&q, tag(3)), 0);
    assert_true(fd_readable(fd, 0));
    mpsc_clear_wakeup(&q);
    mpsc_clear_wakeup(&q); /* nothing pending: must not block */
    assert_ptr_equal(mpsc_pop(&q), tag(3));
    mpsc_cleanup(&q);
    mpsc_cleanup(&q); /* idempotent */
}

#define PRODUCERS    4
#define PER_PRODUCER 25000
#define SMALL_CAP    8

struct producer {
    struct mpsc *q;
    uintptr_t id;
    int err; /* cmocka asserts may not run off the main thread */
};

static atomic_int producers_done;

static void *produce(void *arg)
{
    struct producer *p = arg;
    for (uintptr_t seq = 0; seq < PER_PRODUCER; seq++) {
        /* +1 keeps the item non-NULL; the producer id sits in the high bits. */
        void *item = tag((p->id << 24 | seq) + 1);
        int r;
        while ((r = mpsc_push(p->q, item)) == SB_EFULL)
            sched_yield();
        if (r) {
            p->err = r;
            break;
        }
    }
    atomic_fetch_add(&producers_done, 1);
    return NULL;
}

static void test_multi_producer_exactly_once_in_order(void **state)
{
    struct mpsc q;
    assert_int_equal(mpsc_init(&q, SMALL_CAP), 0);
    struct producer prod[PRODUCERS];
    pthread_t th[PRODUCERS];
    for (uintptr_t i = 0; i < PRODUCERS; i++) {
        prod[i] = (struct producer){&q, i, 0};
        assert_int_equal(pthread_create(&th[i], NULL, produce, &prod[i]), 0);
    }

    uintptr_t next[PRODUCERS] = {0};
    size_t got = 0;
    int stuck = 0;
    while (got < (size_t)PRODUCERS * PER_PRODUCER) {
        /* The owner sleeps on the eventfd only. A lost wake-up leaves items queued with the fd
         * silent; a producer between its push and its write explains a short silence, ten
         * seconds of it does not. */
        if (!fd_readable(mpsc_fd(&q), 1000)) {
            if (mpsc_depth(&q) > 0)
                assert_true(++stuck < 10);
            else
                assert_true(atomic_load(&producers_done) < PRODUCERS); /* items went missing */
            continue;
        }
        stuck = 0;
        mpsc_clear_wakeup(&q);
        void *item;
        while ((item = mpsc_pop(&q))) {
            uintptr_t v = (uintptr_t)item - 1;
            uintptr_t id = v >> 24, seq = v & 0xffffff;
            assert_true(id < PRODUCERS);
            /* Per-producer order, and with the total count: each item exactly once. */
            assert_int_equal(seq, next[id]);
            next[id]++;
            got++;
        }
    }
    for (int i = 0; i < PRODUCERS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(prod[i].err, 0);
        assert_int_equal(next[i], PER_PRODUCER);
    }
    assert_null(mpsc_pop(&q));
    assert_true(q.high_water <= SMALL_CAP);
    mpsc_cleanup(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_rejects_zero_cap),
        cmocka_unit_test(test_fifo_full_and_wraparound),
        cmocka_unit_test(test_null_item_refused),
        cmocka_unit_test(test_eventfd_wakeup),
        cmocka_unit_test(test_multi_producer_exactly_once_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
