/* acd.c — the ACD thread: its loop, the request queue and the synchronous calls. */
#include "routing/acd.h"

#include <errno.h>
#include <poll.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>

#include "admin/settings.h"
#include "app.h"
#include "core/err.h"
#include "core/log.h"
#include "routing/acd_impl.h"

#define ACD_QUEUE_CAP 65536

/* One queued request: a caller's acd_req it waits for (sem), or an owned asynchronous one. */
struct acd_msg {
    struct acd_req *req;
    sem_t *done; /* NULL = asynchronous: the message and its req are freed after handling */
    struct acd_req own;
};

static void answer(struct acd_msg *m)
{
    if (m->done)
        sem_post(m->done);
    else
        free(m);
}

static void handle_async(struct acd *a, struct db *db, struct acd_req *req, int64_t now)
{
    switch (req->op) {
    case ACD_RELOAD:
        acd_reload(a, db, now);
        break;
    case ACD_TICK:
        break; /* the loop fires what is due after every request */
    case ACD_ROUTE:
        acd_route(a, db, req->interaction, now);
        break;
    default:
        break;
    }
}

static void handle(struct acd *a, struct db *db, struct acd_msg *m)
{
    int64_t now = clock_now_ms(a->app->clock);
    struct acd_req *req = m->req;
    if (!db) {
        req->err = SB_EUNAVAIL;
    } else if (!m->done) {
        handle_async(a, db, req, now);
    } else {
        acd_handle(a, db, req, now);
    }
    if (db) {
        acd_fire_timers(a, db, now);
        acd_drain(a, db);
    }
    answer(m);
}

static int sleep_ms(struct acd *a, int64_t now)
{
    int64_t next = eng_next_deadline(a->eng);
    struct eng_set_node *t = eng_set_min(&a->timers);
    if (t && t->a < next)
        next = t->a;
    int64_t wait = next == INT64_MAX ? ACD_MAX_SLEEP_MS : next - now;
    if (wait < 0)
        wait = 0;
    return (int)(wait > ACD_MAX_SLEEP_MS ? ACD_MAX_SLEEP_MS : wait);
}

static void *acd_main(void *arg)
{
    struct acd *a = arg;
    while (!atomic_load(&a->stop)) {
        int64_t now = clock_now_ms(a->app->clock);
        struct pollfd pfd = {mpsc_fd(&a->q), POLLIN, 0};
        int n = poll(&pfd, 1, sleep_ms(a, now));
        if (n < 0 && errno != EINTR)
            log_error("acd: poll failed (%d)", errno);
        mpsc_clear_wakeup(&a->q);
        struct db *db = app_thread_db(a->app);
        struct acd_msg *m;
        while ((m = mpsc_pop(&a->q)) != NULL)
            handle(a, db, m);
        if (!db)
            continue;
        now = clock_now_ms(a->app->clock);
        if (now - a->last_reload >= ACD_FULL_RELOAD_MS) {
            a->last_reload = now;
            acd_reload(a, db, now);
        }
        if (now - a->last_sweep >= ACD_SWEEP_MS) {
            a->last_sweep = now;
            acd_sweep_unknown(a, db, now);
        }
        eng_tick(a->eng, now);
        acd_fire_timers(a, db, now);
        acd_drain(a, db);
    }
    /* Answer what is still queued: nobody may wait forever. */
    struct acd_msg *m;
    while ((m = mpsc_pop(&a->q)) != NULL) {
        m->req->err = SB_EUNAVAIL;
        answer(m);
    }
    app_thread_db_release();
    return NULL;
}

static void acd_release(struct acd *a)
{
    size_t pos = 0;
    int64_t k;
    void *v;
    while (eng_map_next(&a->ix, &pos, &k, &v))
        free(v);
    eng_map_cleanup(&a->ix);
    eng_map_cleanup(&a->agents);
    eng_map_cleanup(&a->queues);
    eng_map_cleanup(&a->agent_queues);
    eng_map_cleanup(&a->groups);
    pos = 0;
    while (eng_map_next(&a->offers, &pos, &k, &v))
        free(v);
    eng_map_cleanup(&a->offers);
    acd_ids_map_clear(&a->queue_profiles);
    acd_ids_map_clear(&a->agent_profiles);
    eng_free(a->eng);
    mpsc_cleanup(&a->q);
    free(a);
}

int acd_start(struct sb_app *app, struct acd **out)
{
    *out = NULL;
    struct acd *a = calloc(1, sizeof(*a));
    if (!a)
        return SB_ENOMEM;
    a->app = app;
    eng_map_init(&a->ix);
    eng_map_init(&a->agents);
    eng_map_init(&a->queues);
    eng_map_init(&a->agent_queues);
    eng_map_init(&a->offers);
    eng_map_init(&a->groups);
    eng_map_init(&a->queue_profiles);
    eng_map_init(&a->agent_profiles);
    eng_set_init(&a->timers);
    struct eng_config cfg = {0};
    cfg.max_tabs = (int)settings_get_int("general.interaction_tabs_limit");
    a->eng = eng_new(&cfg);
    int r = a->eng ? mpsc_init(&a->q, ACD_QUEUE_CAP) : SB_ENOMEM;
    if (r) {
        eng_free(a->eng);
        free(a);
        return r;
    }
    /* The rebuild runs on the main thread's connection before the thread exists. */
    struct db *db = app_thread_db(app);
    int64_t now = clock_now_ms(app->clock);
    r = db ? acd_restore(a, db, now) : SB_EUNAVAIL;
    if (!r) {
        acd_drain(a, db);
        a->last_sweep = a->last_reload = now;
        if (pthread_create(&a->thread, NULL, acd_main, a))
            r = SB_EIO;
    }
    if (r) {
        acd_release(a);
        return r;
    }
    a->started = true;
    *out = a;
    return 0;
}

void acd_stop(struct acd *a)
{
    if (!a || !a->started)
        return;
    atomic_store(&a->stop, true);
    acd_post(a, ACD_TICK, 0); /* a wake-up */
    pthread_join(a->thread, NULL);
    a->started = false;
}

void acd_free(struct acd *a)
{
    if (!a)
        return;
    acd_stop(a);
    /* A caller that pushed between the thread's last drain and now is answered here. */
    struct acd_msg *m;
    while ((m = mpsc_pop(&a->q)) != NULL) {
        m->req->err = SB_EUNAVAIL;
        answer(m);
    }
    acd_release(a);
}

int acd_call(struct acd *a, struct acd_req *req)
{
    req->err = 0;
    req->status = ACD_OK;
    req->out = NULL;
    if (!a || atomic_load(&a->stop))
        return req->err = SB_EUNAVAIL;
    sem_t done;
    if (sem_init(&done, 0, 0))
        return req->err = SB_EIO;
    struct acd_msg m = {req, &done, {0}};
    int r = mpsc_push(&a->q, &m);
    if (r) {
        sem_destroy(&done);
        return req->err = r;
    }
    while (sem_wait(&done) && errno == EINTR)
        ;
    sem_destroy(&done);
    return req->err;
}

int acd_post(struct acd *a, int op, int64_t arg)
{
    if (!a)
        return 0;
    if (atomic_load(&a->stop) && op != ACD_TICK)
        return SB_EUNAVAIL;
    struct acd_msg *m = calloc(1, sizeof(*m));
    if (!m)
        return SB_ENOMEM;
    m->req = &m->own;
    m->own.op = op;
    m->own.interaction = arg;
    int r = mpsc_push(&a->q, m);
    if (r)
        free(m);
    return r;
}

const char *acd_status_text(int status)
{
    switch (status) {
    case ACD_OK:
        return "done";
    case ACD_NOT_FOUND:
        return "no such agent, interaction or queue";
    case ACD_TAKEN:
        return "another agent has taken this interaction";
    case ACD_NOT_OFFERED:
        return "this interaction is not offered to you (the offer expired or was withdrawn)";
    case ACD_OVER_CAPACITY:
        return "your capacity on this channel is full";
    case ACD_OVER_TAB_LIMIT:
        return "you have reached the open tab limit";
    case ACD_NOT_OWNER:
        return "this interaction is not assigned to you";
    case ACD_CLOSED:
        return "this interaction is closed";
    case ACD_NOT_CLOSED:
        return "this interaction is open";
    case ACD_TRANSFER_OFF:
        return "transfers are not enabled on this account";
    case ACD_TARGET_INVALID:
        return "the transfer target is not available";
    case ACD_CHANNEL_INVALID:
        return "not a routed channel";
    case ACD_DISPOSITION_INVALID:
        return "is not a disposition of this interaction's account, queue or list";
    case ACD_DISPOSITION_REQUIRED:
        return "is required by this account";
    default:
        return "unknown";
    }
}
