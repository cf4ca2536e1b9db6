/* Test hooks: endpoints that exist only with server.test_hooks=true (the router answers 404
 * otherwise). They let the API suites reach states that cannot be caused from outside —
 * injected database faults, a broadcast to every socket, a slow request — through the real
 * server. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/handlers.h"
#include "app.h"
#include "channels/outbox.h"
#include "routing/acd.h"
#include "core/err.h"
#include "db/fault.h"
#include "db/writer.h"
#include "auth/guard.h"
#include "http/respond.h"
#include "ws/hub.h"

int api_test_fault_put(struct http_req *req)
{
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *problem = NULL;
    const char *kind_s = json_string_value(json_object_get(body, "kind"));
    json_t *count_j = json_object_get(body, "count");
    enum db_fault_kind kind = db_fault_parse(kind_s ? kind_s : "");
    if (kind == DB_FAULT_NONE) {
        problem = http_problem_new(422, "invalid fault", NULL);
        http_problem_add_error(problem, "kind", "must be busy, full or lost");
    }
    if (count_j && !json_is_integer(count_j)) {
        if (!problem)
            problem = http_problem_new(422, "invalid fault", NULL);
        http_problem_add_error(problem, "count", "must be an integer (-1 = until cleared)");
    }
    if (problem) {
        json_decref(body);
        return http_reply_problem_json(req, problem);
    }
    int count = count_j ? (int)json_integer_value(count_j) : -1;
    json_decref(body);
    db_fault_set(kind, count);
    return http_reply_empty(req, 204);
}

int api_test_fault_delete(struct http_req *req)
{
    db_fault_clear();
    return http_reply_empty(req, 204);
}

int api_test_broadcast(struct http_req *req)
{
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    const char *topic = json_string_value(json_object_get(body, "topic"));
    json_t *msg = json_object_get(body, "message");
    json_t *problem = NULL;
    if (!topic || !*topic || strlen(topic) > 64) {
        problem = http_problem_new(422, "invalid broadcast", NULL);
        http_problem_add_error(problem, "topic", "must be a string of 1 to 64 characters");
    }
    if (!json_is_object(msg)) {
        if (!problem)
            problem = http_problem_new(422, "invalid broadcast", NULL);
        http_problem_add_error(problem, "message", "must be an object");
    }
    if (problem) {
        json_decref(body);
        return http_reply_problem_json(req, problem);
    }
    char *text = json_dumps(msg, JSON_COMPACT);
    int r = text ? hub_publish(req->app->hub, topic, text, strlen(text)) : SB_ENOMEM;
    free(text);
    json_decref(body);
    if (r)
        return http_reply_error(req, r);
    return http_reply_json(req, 202, json_pack("{s:b}", "queued", 1));
}

static void slow_work(struct http_req *req, void *arg)
{
    long ms = (long)(intptr_t)arg;
    usleep((useconds_t)ms * 1000);
    http_async_result(req, 200, json_pack("{s:i}", "slept_ms", (int)ms));
}

int api_test_slow(struct http_req *req)
{
    const char *ms_s = http_query(req, "ms");
    long ms = ms_s ? strtol(ms_s, NULL, 10) : 100;
    if (ms < 0 || ms > 10000) {
        json_t *p = http_problem_new(422, "invalid delay", NULL);
        http_problem_add_error(p, "ms", "must be 0 to 10000");
        return http_reply_problem_json(req, p);
    }
    return http_defer(req, slow_work, (void *)(intptr_t)ms);
}

struct probe_write {
    const char *note;
    int64_t now;
    int64_t id;
};

static int probe_insert(struct db *db, void *arg)
{
    struct probe_write *w = arg;
    struct db_stmt *st;
    int r =
        db_prepare(db, "INSERT INTO api_probe(note, created_at) VALUES(?, ?) RETURNING id", &st);
    if (r)
        return r;
    r = db_bind_text(st, 1, w->note, -1);
    if (!r)
        r = db_bind_int64(st, 2, w->now);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        w->id = db_col_int64(st, 0);
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_EINTERNAL;
    }
    db_finalize(st);
    return r;
}

static void probe_work(struct http_req *req, void *arg)
{
    struct probe_write *w = arg;
    int r = db_writer_run(req->app->writer, probe_insert, w);
    if (r) {
        json_t *p = http_problem_new(sb_err_status(r), "the probe could not be stored", NULL);
        http_async_result(req, sb_err_status(r), p);
        return;
    }
    http_async_result(req, 201, json_pack("{s:I, s:s}", "id", (json_int_t)w->id, "note", w->note));
}

int api_test_probe_post(struct http_req *req)
{
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *note_j = json_object_get(body, "note");
    const char *note = json_string_value(note_j);
    size_t n = note ? json_string_length(note_j) : 0;
    if (!note || n == 0 || n > 200 || strlen(note) != n) {
        json_decref(body);
        json_t *p = http_problem_new(422, "invalid probe", NULL);
        http_problem_add_error(p, "note", "must be a string of 1 to 200 characters");
        return http_reply_problem_json(req, p);
    }
    struct probe_write *w = arena_calloc(&req->arena, sizeof(*w));
    if (w)
        w->note = arena_strdup(&req->arena, note);
    json_decref(body);
    if (!w || !w->note)
        return http_reply_error(req, SB_ENOMEM);
    w->now = clock_now_ms(req->app->clock);
    /* The group-commit writer blocks until durable: wait on a worker, not an HTTP thread. */
    return http_defer(req, probe_work, w);
}

int api_test_probe_count(struct http_req *req)
{
    struct db *db = app_thread_db(req->app);
    int64_t n = 0;
    int r = db ? db_query_int64(db, "SELECT COUNT(*) FROM api_probe", &n, 0) : SB_EUNAVAIL;
    if (r) {
        if (r == SB_EUNAVAIL)
            app_thread_db_release();
        return http_reply_error(req, r);
    }
    return http_reply_json(req, 200, json_pack("{s:I}", "count", (json_int_t)n));
}

int api_test_clock_advance(struct http_req *req)
{
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *v = json_object_get(body, "advance_ms");
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > 366LL * 86400000) {
        json_decref(body);
        json_t *p = http_problem_new(422, "invalid clock change", NULL);
        http_problem_add_error(p, "advance_ms", "must be an integer from 0 to one year in ms");
        return http_reply_problem_json(req, p);
    }
    clock_offset_advance(req->app->clock, (int64_t)json_integer_value(v));
    json_decref(body);
    /* The ACD fires what became due now rather than at its next wake-up. */
    acd_post(req->app->acd, ACD_TICK, 0);
    outbox_poke(req->app->outbox);
    return http_reply_json(req, 200,
                           json_pack("{s:I}", "now_ms", (json_int_t)clock_now_ms(req->app->clock)));
}

/* POST /api/v1/_test/echo — answers the JSON body back to any signed-in caller through the
 * ordinary serializer, so tests can see what every endpoint's answer goes through (masking of
 * contact fields). */
int api_test_echo(struct http_req *req)
{
    struct auth_principal who;
    if (auth_require(req, AUTH_ROLE_AGENT, &who))
        return http_replied(req);
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    return http_reply_json(req, 200, body);
}
