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
    int64_t id, message_id, interaction_id, owner;
    int attempts;
    char *url, *method, *body;
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
                       "m.interaction_id, COALESCE(i.owner_id, 0) FROM outbox o JOIN messages m "
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

static void settle(struct outbox *o, struct db *db, const struct row *r, long status,
                   const char *err, int64_t now)
{
    const char *state;
    int attempts = r->attempts + 1;
    char why[300];
    if (status >= 200 && status < 300) {
        state = "sent";
        why[0] = 0;
    } else {
        if (status)
            snprintf(why, sizeof(why), "HTTP %ld", status);
        else
            snprintf(why, sizeof(why), "%s", err);
        bool final = (status >= 400 && status < 500 && status != 408 && status != 429) ||
                     attempts >= OUTBOX_MAX_ATTEMPTS;
        state = final ? "failed" : "pending";
    }
    int rc = db_begin(db);
    if (!rc)
        rc = db_execf(db, NULL,
                      "UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ?, "
                      "last_error = ?, updated_at = ? WHERE id = ?",
                      "tiitii", state, (int64_t)attempts, now + outbox_backoff_ms(attempts),
                      why[0] ? why : NULL, now, r->id);
    if (!rc && strcmp(state, "pending"))
        rc = db_execf(db, NULL,
                      "UPDATE messages SET delivery_status = ?, updated_at = ? WHERE id = ?", "tii",
                      state, now, r->message_id);
    if (!rc)
        rc = db_commit(db);
    if (rc) {
        db_rollback(db);
        log_error("outbox: result of row %lld not stored (%d)", (long long)r->id, rc);
        return;
    }
    if (strcmp(state, "pending"))
        tell_owner(o, r, state);
    else
        log_warn("outbox: message %lld not delivered (attempt %d): %s", (long long)r->message_id,
                 attempts, why);
}

/* Sends what is due; returns how many rows were handled. */
static size_t run_once(struct outbox *o, struct db *db)
{
    struct row rows[OUTBOX_BATCH];
    int64_t now = clock_now_ms(o->app->clock);
    size_t n = due_rows(db, now, rows);
    for (size_t i = 0; i < n && !atomic_load(&o->stop); i++) {
        char err[CURL_ERROR_SIZE + 32] = "";
        long status = send_row(&rows[i], err, sizeof(err));
        settle(o, db, &rows[i], status, err, clock_now_ms(o->app->clock));
    }
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
    struct outbox *o = calloc(1, sizeof(*o));
    if (!o)
        return SB_ENOMEM;
    o->app = app;
    o->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (o->efd < 0 || pthread_create(&o->thread, NULL, outbox_main, o)) {
        if (o->efd >= 0)
            close(o->efd);
        free(o);
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
}
