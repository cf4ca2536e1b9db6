#include "channels/outbox.h"

#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "app.h"
#include "channels/outbox_sms.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "ws/hub.h"

#define OUTBOX_IDLE_MS 1000

struct outbox {
    struct sb_app *app;
    pthread_t thread;
    int efd;
    atomic_bool stop;
};

struct row {
    int64_t id, message_id, interaction_id, owner, account_id;
    int attempts;
    char *url, *method, *body;
    char channel[16];
};

int64_t outbox_backoff_ms(int attempts)
{
    int64_t ms = 1000;
    for (int i = 1; i < attempts && ms < 300000; i++)
        ms *= 2;
    return ms > 300000 ? 300000 : ms;
}

static size_t discard(char *p, size_t s, size_t n, void *u)
{
    (void)p, (void)u;
    return s * n;
}

/* Sends one row; returns the HTTP status (0 for a transport error, its text in err). */
static long send_row(const struct row *r, char *err, size_t cap)
{
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, cap, "out of memory");
        return 0;
    }
    char ebuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, r->url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "Switchboard/" SB_VERSION);
    long status = 0;
    CURLcode cr = curl_easy_perform(c);
    if (cr == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    else
        snprintf(err, cap, "%s", ebuf[0] ? ebuf : curl_easy_strerror(cr));
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return status;
}

static void free_rows(struct row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].url);
        free(rows[i].method);
        free(rows[i].body);
    }
}

static size_t due_rows(struct db *db, int64_t now, struct row *rows)
{
    struct db_stmt *st = NULL;
    size_t n = 0;
    int r = db_prepare(db,
                       "SELECT o.id, o.message_id, o.attempts, o.url, o.method, o.body, "
                       "m.interaction_id, COALESCE(i.owner_id, 0), o.channel, o.account_id "
                       "FROM outbox o JOIN messages m "
                       "ON m.id = o.message_id JOIN interactions i ON i.id = m.interaction_id "
                       "WHERE o.status = 'pending' AND o.next_attempt_at <= ? AND NOT EXISTS "
                       "(SELECT 1 FROM outbox p JOIN messages pm ON pm.id = p.message_id WHERE "
                       "p.status = 'pending' AND p.id < o.id AND pm.interaction_id = "
                       "m.interaction_id) ORDER BY o.next_attempt_at, o.id LIMIT 32",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, now);
    while (!r && n < OUTBOX_BATCH && db_step(st) == DB_ROW) {
        struct row *w = &rows[n++];
        w->id = db_col_int64(st, 0);
        w->message_id = db_col_int64(st, 1);
        w->attempts = (int)db_col_int64(st, 2);
        w->url = strdup(db_col_text(st, 3));
        w->method = strdup(db_col_text(st, 4));
        w->body = strdup(db_col_text(st, 5));
        w->interaction_id = db_col_int64(st, 6);
        w->owner = db_col_int64(st, 7);
        snprintf(w->channel, sizeof(w->channel), "%s", db_col_text(st, 8));
        w->account_id = db_col_int64(st, 9);
        if (!w->url || !w->method || !w->body) {
            free_rows(w, 1);
            n--;
            break;
        }
    }
    db_finalize(st);
    return n;
}

static void tell_owner(struct outbox *o, const struct row *r, const char *status)
{
    if (!r->owner || !o->app->hub)
        return;
    char topic[32], msg[256];
    snprintf(topic, sizeof(topic), "user:%lld", (long long)r->owner);
    int len = snprintf(msg, sizeof(msg),
                       "{\"type\":\"interaction.message_status\",\"data\":{\"interaction_id\":%lld,"
                       "\"message_id\":%lld,\"delivery_status\":\"%s\"}}",
                       (long long)r->interaction_id, (long long)r->message_id, status);
    hub_publish(o->app->hub, topic, msg, (size_t)len);
}

/* Stores what became of one attempt: res->state "sent" (delivered to the receiver), "failed"
 * (for good) or "pending" (try again after the backoff, unless the attempts are used up). */
static void settle(struct outbox *o, struct db *db, const struct row *r, struct outbox_result *res,
                   int64_t now)
{
    int attempts = r->attempts + 1;
    const char *state = res->state;
    if (!strcmp(state, "pending") && attempts >= OUTBOX_MAX_ATTEMPTS)
        state = "failed";
    const char *why = res->why[0] ? res->why : NULL;
    int rc = db_begin(db);
    if (!rc)
        rc = db_execf(db, NULL,
                      "UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ?, "
                      "last_error = ?, updated_at = ? WHERE id = ?",
                      "tiitii", state, (int64_t)attempts, now + outbox_backoff_ms(attempts), why,
                      now, r->id);
    if (!rc && strcmp(state, "pending"))
        rc = db_execf(db, NULL,
                      "UPDATE messages SET delivery_status = ?, provider_id = COALESCE(?, "
                      "provider_id), provider_status = COALESCE(?, provider_status), error_code = "
                      "COALESCE(?, error_code), updated_at = ? WHERE id = ?",
                      "ttttii", state, res->provider_id, res->provider_status, res->error_code, now,
                      r->message_id);
    if (!rc)
        rc = db_commit(db);
    if (rc) {
        db_rollback(db);
        log_error("outbox: result of row %lld not stored (%d)", (long long)r->id, rc);
        return;
    }
    if (!strcmp(state, "failed"))
        log_warn("outbox: message %lld failed for good: %s", (long long)r->message_id,
                 why ? why : "");
    if (strcmp(state, "pending"))
        tell_owner(o, r, state);
    else
        log_warn("outbox: message %lld not delivered (attempt %d): %s", (long long)r->message_id,
                 attempts, why ? why : "");
}

/* One attempt of an HTTP row (Open Channel): 2xx sent; 4xx other than 408/429 failed; else
 * pending. */
static void attempt_http(const struct row *r, struct outbox_result *res)
{
    char err[CURL_ERROR_SIZE + 32] = "";
    long status = send_row(r, err, sizeof(err));
    if (status >= 200 && status < 300) {
        res->state = "sent";
        return;
    }
    if (status)
        snprintf(res->why, sizeof(res->why), "HTTP %ld", status);
    else
        snprintf(res->why, sizeof(res->why), "%s", err);
    bool final = status >= 400 && status < 500 && status != 408 && status != 429;
    res->state = final ? "failed" : "pending";
}

/* One row's attempt: the account read on the outbox thread, the network half on a thread of
 * its own when several rows are due, the result settled back on the outbox thread. */
struct attempt {
    const struct row *row;
    bool sms, ready, tried, threaded;
    pthread_t thread;
    struct arena a;
    struct outbox_result res;
    struct outbox_sms_job job;
};

static void attempt_network(struct attempt *x)
{
    if (x->sms)
        outbox_sms_send(&x->job, x->row->message_id, x->row->url, x->row->body, &x->a, &x->res);
    else
        attempt_http(x->row, &x->res);
}

static void *attempt_main(void *arg)
{
    attempt_network(arg);
    return NULL;
}

/* Sends what is due; returns how many rows were handled. The due rows are the first pending
 * row of each interaction (due_rows), so the rows of one batch never share an interaction and
 * are sent at once, each on its own thread: a receiver that hangs holds up only its own rows
 * and, for the others, at most the end of the batch (one attempt's time limit). Results are
 * stored one by one afterwards, on this thread. */
static size_t run_once(struct outbox *o, struct db *db)
{
    struct row rows[OUTBOX_BATCH];
    int64_t now = clock_now_ms(o->app->clock);
    size_t n = due_rows(db, now, rows);
    if (!n)
        return 0;
    struct attempt *xs = calloc(n, sizeof(*xs));
    if (!xs) {
        free_rows(rows, n);
        return 0; /* the rows stay pending; the next wake-up tries again */
    }
    size_t ready = 0;
    for (size_t i = 0; i < n; i++) {
        struct attempt *x = &xs[i];
        x->row = &rows[i];
        arena_init(&x->a, 512 * 1024);
        x->sms = !strcmp(rows[i].channel, "sms");
        x->ready = x->sms
                       ? outbox_sms_prepare(o->app, db, rows[i].account_id, &x->a, &x->job, &x->res)
                       : true;
        ready += x->ready;
    }
    for (size_t i = 0; i < n && !atomic_load(&o->stop); i++) {
        struct attempt *x = &xs[i];
        if (!x->ready)
            continue;
        x->tried = true;
        /* One row alone goes on this thread; a thread that cannot start does too. */
        x->threaded = ready > 1 && pthread_create(&x->thread, NULL, attempt_main, x) == 0;
        if (!x->threaded)
            attempt_network(x);
    }
    for (size_t i = 0; i < n; i++)
        if (xs[i].threaded)
            pthread_join(xs[i].thread, NULL);
    for (size_t i = 0; i < n; i++) {
        struct attempt *x = &xs[i];
        /* A row the stop left untried stays as it was; everything tried is recorded, so an
         * accepted message is never sent again. */
        if (x->tried || !x->ready)
            settle(o, db, &rows[i], &x->res, clock_now_ms(o->app->clock));
        if (x->sms)
            outbox_sms_job_free(&x->job);
        arena_cleanup(&x->a);
    }
    free(xs);
    free_rows(rows, n);
    return n;
}

static void *outbox_main(void *arg)
{
    struct outbox *o = arg;
    while (!atomic_load(&o->stop)) {
        struct db *db = app_thread_db(o->app);
        size_t n = db ? run_once(o, db) : 0;
        if (n == OUTBOX_BATCH)
            continue; /* more may be due */
        struct pollfd p = {o->efd, POLLIN, 0};
        if (poll(&p, 1, OUTBOX_IDLE_MS) > 0) {
            uint64_t v;
            if (read(o->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
                log_warn("outbox: eventfd read failed (%d)", errno);
        }
    }
    app_thread_db_release();
    return NULL;
}

int outbox_start(struct sb_app *app, struct outbox **out)
{
    *out = NULL;
    /* Sends run on several threads at once: libcurl's global state first, on this thread. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return SB_EIO;
    struct outbox *o = calloc(1, sizeof(*o));
    if (!o) {
        curl_global_cleanup();
        return SB_ENOMEM;
    }
    o->app = app;
    o->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (o->efd < 0 || pthread_create(&o->thread, NULL, outbox_main, o)) {
        if (o->efd >= 0)
            close(o->efd);
        free(o);
        curl_global_cleanup();
        return SB_EIO;
    }
    *out = o;
    return 0;
}

void outbox_poke(struct outbox *o)
{
    if (!o)
        return;
    uint64_t one = 1;
    if (write(o->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        log_warn("outbox: wake-up failed (%d)", errno);
}

void outbox_stop(struct outbox *o)
{
    if (!o)
        return;
    atomic_store(&o->stop, true);
    outbox_poke(o);
    pthread_join(o->thread, NULL);
    close(o->efd);
    free(o);
    curl_global_cleanup();
}
