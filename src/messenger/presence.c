/* presence.c — the presence thread (contract in presence.h). */
#include "messenger/presence.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <jansson.h>

#include "app.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mpsc.h"
#include "messenger/directory.h"
#include "messenger/events.h"
#include "messenger/presence_table.h"

/* Longest sleep while a grace is pending (the clock may be moved by tests). */
#define PRESENCE_POLL_MS 250

enum note_kind { NOTE_UP, NOTE_DOWN, NOTE_SUBSCRIBE };

struct note {
    struct ws_ref ref;
    int64_t user_id;
    enum note_kind kind;
};

struct presence {
    struct sb_app *app;
    int64_t grace_ms;
    struct mpsc q;
    int stopfd;
    pthread_t thread;
    bool started;
    pthread_mutex_t lock; /* guards table and stopped */
    bool stopped;
    struct pres_table table;
};

static void announce(struct presence *p, int64_t user_id, bool online)
{
    msg_event_topic(p->app->hub, MSG_TOPIC, "messenger.presence",
                    json_pack("{s:I, s:b}", "user_id", (json_int_t)user_id, "online", online));
}

static void reply(struct presence *p, struct ws_ref ref, const char *text)
{
    int r = hub_send(p->app->hub, ref, text, strlen(text));
    if (r)
        log_warn("presence: answer to a subscription dropped (%d)", r);
}

/* Only users who may use the messenger hear presence: the subscription is checked against
 * the database here (this thread's own connection), then confirmed to the socket, after the
 * subscription (the hub runs both commands in order). */
static void on_subscribe(struct presence *p, const struct note *n)
{
    struct db *db = app_thread_db(p->app);
    struct msgdir_status st;
    int r = db ? msgdir_status(db, n->user_id, &st) : SB_EUNAVAIL;
    if (r && r != SB_ENOTFOUND) {
        log_warn("presence: cannot read user %lld's messenger permission (%d)",
                 (long long)n->user_id, r);
        reply(p, n->ref,
              "{\"type\":\"messenger.error\",\"data\":{\"status\":503,\"detail\":\"try again "
              "later\"}}");
        return;
    }
    if (r || !st.usable) {
        reply(p, n->ref,
              "{\"type\":\"messenger.error\",\"data\":{\"status\":403,\"detail\":\"the "
              "internal messenger is not enabled for this account\"}}");
        return;
    }
    hub_subscribe(p->app->hub, n->ref, MSG_TOPIC);
    reply(p, n->ref, "{\"type\":\"messenger.subscribed\",\"data\":{\"topic\":\"presence\"}}");
}

static void on_up(struct presence *p, const struct note *n)
{
    enum pres_change ch;
    pthread_mutex_lock(&p->lock);
    int r = pres_conn_up(&p->table, n->user_id, &ch);
    pthread_mutex_unlock(&p->lock);
    if (r)
        log_warn("presence: user %lld not tracked (%d)", (long long)n->user_id, r);
    else if (ch == PRES_ONLINE)
        announce(p, n->user_id, true);
}

static void on_down(struct presence *p, const struct note *n, int64_t now)
{
    pthread_mutex_lock(&p->lock);
    enum pres_change ch = pres_conn_down(&p->table, n->user_id, now, p->grace_ms);
    pthread_mutex_unlock(&p->lock);
    if (ch == PRES_OFFLINE)
        announce(p, n->user_id, false);
}

static void expire(struct presence *p, int64_t now)
{
    int64_t ids[64];
    size_t n;
    do {
        pthread_mutex_lock(&p->lock);
        n = pres_expire(&p->table, now, ids, 64);
        pthread_mutex_unlock(&p->lock);
        for (size_t i = 0; i < n; i++)
            announce(p, ids[i], false);
    } while (n == 64);
}

static int wait_ms(struct presence *p, int64_t now)
{
    pthread_mutex_lock(&p->lock);
    int64_t next = pres_next_deadline(&p->table);
    pthread_mutex_unlock(&p->lock);
    if (next == INT64_MAX)
        return -1;
    int64_t d = next - now;
    return d <= 0 ? 0 : d > PRESENCE_POLL_MS ? PRESENCE_POLL_MS : (int)d;
}

static void *presence_main(void *arg)
{
    struct presence *p = arg;
    struct pollfd fds[2] = {{.fd = mpsc_fd(&p->q), .events = POLLIN},
                            {.fd = p->stopfd, .events = POLLIN}};
    for (;;) {
        int64_t now = clock_mono_ms(p->app->clock);
        int rc = poll(fds, 2, wait_ms(p, now));
        if (rc < 0 && errno != EINTR)
            break;
        if (fds[1].revents)
            break;
        mpsc_clear_wakeup(&p->q);
        now = clock_mono_ms(p->app->clock);
        struct note *n;
        while ((n = mpsc_pop(&p->q))) {
            if (n->kind == NOTE_UP)
                on_up(p, n);
            else if (n->kind == NOTE_DOWN)
                on_down(p, n, now);
            else
                on_subscribe(p, n);
            free(n);
        }
        expire(p, now);
    }
    app_thread_db_release();
    return NULL;
}

int presence_start(struct sb_app *app, int64_t grace_ms, size_t max_users, struct presence **out)
{
    *out = NULL;
    if (!app || !app->hub || grace_ms < 0)
        return SB_EINVAL;
    struct presence *p = calloc(1, sizeof(*p));
    if (!p)
        return SB_ENOMEM;
    p->app = app;
    p->grace_ms = grace_ms;
    p->stopfd = -1;
    pthread_mutex_init(&p->lock, NULL);
    /* Each connection sends at most two notes; the thread drains them as they come. */
    int r = pres_table_init(&p->table, max_users);
    if (!r)
        r = mpsc_init(&p->q, 2 * max_users + 1024);
    if (r) {
        pres_table_cleanup(&p->table);
        pthread_mutex_destroy(&p->lock);
        free(p);
        return r;
    }
    p->stopfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (p->stopfd < 0 || pthread_create(&p->thread, NULL, presence_main, p) != 0) {
        if (p->stopfd >= 0)
            close(p->stopfd);
        mpsc_cleanup(&p->q);
        pres_table_cleanup(&p->table);
        pthread_mutex_destroy(&p->lock);
        free(p);
        return SB_EIO;
    }
    p->started = true;
    *out = p;
    return 0;
}

static void push(struct presence *p, struct ws_ref ref, int64_t user_id, enum note_kind kind)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    bool stopped = p->stopped;
    pthread_mutex_unlock(&p->lock);
    if (stopped)
        return;
    struct note *n = malloc(sizeof(*n));
    if (n)
        *n = (struct note){ref, user_id, kind};
    if (!n || mpsc_push(&p->q, n)) {
        log_error("presence: note for user %lld dropped (queue full or out of memory)",
                  (long long)user_id);
        free(n);
    }
}

void presence_note(struct presence *p, struct ws_ref ref, int64_t user_id, bool up)
{
    push(p, ref, user_id, up ? NOTE_UP : NOTE_DOWN);
}

void presence_subscribe(struct presence *p, struct ws_ref ref, int64_t user_id)
{
    push(p, ref, user_id, NOTE_SUBSCRIBE);
}

bool presence_is_online(struct presence *p, int64_t user_id)
{
    if (!p)
        return false;
    pthread_mutex_lock(&p->lock);
    bool on = pres_is_online(&p->table, user_id);
    pthread_mutex_unlock(&p->lock);
    return on;
}

void presence_stop(struct presence *p)
{
    if (!p || !p->started)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopped = true;
    pthread_mutex_unlock(&p->lock);
    uint64_t one = 1;
    ssize_t w = write(p->stopfd, &one, sizeof(one));
    (void)w;
    pthread_join(p->thread, NULL);
    p->started = false;
}

void presence_free(struct presence *p)
{
    if (!p)
        return;
    presence_stop(p);
    struct note *n;
    while ((n = mpsc_pop(&p->q)))
        free(n);
    mpsc_cleanup(&p->q);
    close(p->stopfd);
    pres_table_cleanup(&p->table);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
