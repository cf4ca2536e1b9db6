/* /api/v1/interactions/{id}/… — what an agent does with an interaction: accept or reject its
 * offer, read it and its messages, reply, add an internal note, tag it, close its tab, close
 * it with a disposition, transfer it, reopen it. Routing decisions go through the ACD thread
 * (routing/acd.h); messages are stored here and delivered by the outbox thread.
 *
 * Who may: the agent who holds the interaction (or, for reading, held it last); accept and
 * reject only the agent it is offered to (the ACD knows). Admins may read every interaction,
 * supervisors those of the queues in their profile's scope. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/desk.h"
#include "api/handlers.h"
#include "app.h"
#include "auth/permissions.h"
#include "channels/outbox.h"
#include "core/err.h"
#include "db/db.h"
#include "http/respond.h"
#include "interactions/outbound.h"
#include "ws/hub.h"

#define TAGS_MAX    20
#define TAG_LEN_MAX 64

int desk_interaction_json(struct db *db, int64_t id, json_t **out)
{
    *out = NULL;
    struct db_stmt *st = NULL;
    int r = db_prepare(
        db,
        "SELECT i.id, i.channel, i.account_id, i.status, i.unread, i.owner_id, i.queue_id, "
        "i.tags, i.disposition, i.created_at, i.closed_at, i.last_message_at, c.id, "
        "c.first_name, c.last_name, c.phone, c.email, c.channel_key, i.last_owner_id "
        "FROM interactions i JOIN contacts c ON c.id = i.contact_id WHERE i.id = ?",
        &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        char t1[32], t2[32], t3[32];
        json_t *tags = json_loads(db_col_text(st, 7), 0, NULL);
        *out = json_pack(
            "{s:I, s:s, s:I, s:s, s:b, s:o, s:o, s:o, s:s?, s:s, s:s?, s:s?, s:o, "
            "s:{s:I, s:s?, s:s?, s:s?, s:s?, s:s?}}",
            "id", (json_int_t)db_col_int64(st, 0), "channel", db_col_text(st, 1), "account_id",
            (json_int_t)db_col_int64(st, 2), "status", db_col_text(st, 3), "unread",
            (int)db_col_int64(st, 4), "owner_id",
            db_col_is_null(st, 5) ? json_null() : json_integer(db_col_int64(st, 5)), "queue_id",
            db_col_is_null(st, 6) ? json_null() : json_integer(db_col_int64(st, 6)), "tags",
            json_is_array(tags) ? tags : json_array(), "disposition", db_col_text(st, 8),
            "created_at", clock_iso8601(db_col_int64(st, 9), t1), "closed_at",
            db_col_is_null(st, 10) ? NULL : clock_iso8601(db_col_int64(st, 10), t2),
            "last_message_at",
            db_col_is_null(st, 11) ? NULL : clock_iso8601(db_col_int64(st, 11), t3),
            "last_owner_id",
            db_col_is_null(st, 18) ? json_null() : json_integer(db_col_int64(st, 18)), "contact",
            "id", (json_int_t)db_col_int64(st, 12), "first_name", db_col_text(st, 13), "last_name",
            db_col_text(st, 14), "phone", db_col_text(st, 15), "email", db_col_text(st, 16),
            "map_key", db_col_text(st, 17));
        if (!json_is_array(tags))
            json_decref(tags);
        r = *out ? 0 : SB_ENOMEM;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    return r;
}

bool desk_load(struct http_req *req, struct auth_principal *who, enum desk_access mode, int64_t *id,
               json_t **ix)
{
    *ix = NULL;
    if (auth_require(req, AUTH_ROLE_AGENT, who))
        return false;
    struct db *db = app_thread_db(req->app);
    if (!db) {
        http_reply_error(req, SB_EUNAVAIL);
        return false;
    }
    if (http_param_id(req, "id", id) || desk_interaction_json(db, *id, ix)) {
        http_reply_problem(req, 404, "no such interaction");
        return false;
    }
    int64_t owner = json_integer_value(json_object_get(*ix, "owner_id"));
    int64_t last = json_integer_value(json_object_get(*ix, "last_owner_id"));
    bool ok;
    if (who->role == AUTH_ROLE_AGENT)
        ok = owner == who->user_id || (mode == DESK_READ && last == who->user_id);
    else if (mode == DESK_HOLDER)
        ok = false;
    else if (who->role == AUTH_ROLE_ADMIN)
        ok = true;
    else {
        /* Supervisors ("spy"): the interaction scope of permissions.h — the queues of their
         * profile, and the interactions held (or last held) by an agent of that scope (an
         * agent's outbound conversation never went through a queue). The list shows the same. */
        struct perm_ctx ctx;
        ok = !perm_require(req, PERM_SECTION_QUEUES, PERM_READ, &ctx) &&
             perm_interaction_in_scope(req, &ctx, *id);
        if (http_replied(req)) {
            json_decref(*ix);
            *ix = NULL;
            return false;
        }
    }
    if (!ok) {
        json_decref(*ix);
        *ix = NULL;
        if (mode != DESK_READ && who->role == AUTH_ROLE_AGENT && last == who->user_id)
            http_reply_problem(req, 403, "this interaction is not assigned to you");
        else
            http_reply_problem(req, 404, "no such interaction");
        return false;
    }
    return true;
}

static bool load_for(struct http_req *req, struct auth_principal *who, bool write, int64_t *id,
                     json_t **ix)
{
    return desk_load(req, who, write ? DESK_HOLDER : DESK_READ, id, ix);
}

int api_interactions_get(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    json_t *ix;
    if (!load_for(req, &who, false, &id, &ix))
        return http_replied(req);
    return http_reply_json(req, 200, ix);
}

/* GET …/messages?limit=&before= — newest first; `before` = a message id for the next page. */
int api_interactions_messages(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    json_t *ix;
    if (!load_for(req, &who, false, &id, &ix))
        return http_replied(req);
    json_decref(ix);
    const char *ls = http_query(req, "limit"), *bs = http_query(req, "before");
    long long limit = ls ? strtoll(ls, NULL, 10) : 50, before = bs ? strtoll(bs, NULL, 10) : 0;
    json_t *p = http_problem_new(422, "invalid query", NULL);
    if (limit < 1 || limit > 200)
        http_problem_add_error(p, "limit", "must be 1 to 200");
    if (before < 0)
        http_problem_add_error(p, "before", "must be a message id");
    if (json_object_get(p, "errors"))
        return http_reply_problem_json(req, p);
    json_decref(p);
    struct db *db = app_thread_db(req->app);
    struct db_stmt *st = NULL;
    json_t *items = json_array();
    int r = db_prepare(db,
                       "SELECT m.id, m.direction, m.body, m.attachments, m.delivery_status, "
                       "m.sender_id, m.internal, m.created_at, COALESCE(o.attempts, 0), "
                       "o.last_error FROM messages m LEFT JOIN outbox o ON o.message_id = m.id "
                       "WHERE m.interaction_id = ? AND (? = 0 OR m.id < ?) ORDER BY m.id DESC "
                       "LIMIT ?",
                       &st);
    if (!r)
        r = db_bind_all(st, "iiii", id, (int64_t)before, (int64_t)before, (int64_t)limit);
    while (!r && (r = db_step(st)) == DB_ROW) {
        char t[32];
        json_t *att = json_loads(db_col_text(st, 3), 0, NULL);
        json_array_append_new(
            items,
            json_pack("{s:I, s:s, s:s, s:o, s:s, s:o, s:b, s:s, s:I, s:o}", "id",
                      (json_int_t)db_col_int64(st, 0), "direction", db_col_text(st, 1), "body",
                      db_col_text(st, 2), "attachments", att ? att : json_array(),
                      "delivery_status", db_col_text(st, 4), "sender_id",
                      db_col_is_null(st, 5) ? json_null() : json_integer(db_col_int64(st, 5)),
                      "internal", (int)db_col_int64(st, 6), "created_at",
                      clock_iso8601(db_col_int64(st, 7), t), "attempts",
                      (json_int_t)db_col_int64(st, 8), "last_error",
                      db_col_is_null(st, 9) ? json_null() : json_string(db_col_text(st, 9))));
        r = 0;
    }
    db_finalize(st);
    if (r < 0) {
        json_decref(items);
        return http_reply_error(req, r);
    }
    return http_reply_items(req, items);
}

/* The answer of a successful desk action is the interaction as GET shows it. */
static void as_interaction(struct http_req *req, struct acd_req *r)
{
    if (r->err || r->status != ACD_OK)
        return;
    struct db *db = app_thread_db(req->app);
    json_t *ix = NULL;
    if (db && !desk_interaction_json(db, r->interaction, &ix)) {
        json_decref(r->out);
        r->out = ix;
    }
}

/* accept / reject / release / reopen: the ACD decides. */
static int acd_op(struct http_req *req, int op)
{
    struct auth_principal who;
    if (desk_require_agent(req, &who))
        return http_replied(req);
    struct acd_req r = {0};
    r.op = op;
    r.agent = who.user_id;
    if (http_param_id(req, "id", &r.interaction))
        return http_reply_problem(req, 404, "no such interaction");
    acd_call(req->app->acd, &r);
    if (!r.err && (r.status == ACD_NOT_FOUND || r.status == ACD_NOT_OFFERED) &&
        (op == ACD_ACCEPT || op == ACD_REJECT))
        r.status = ACD_NOT_OFFERED; /* never tell who else it is offered to */
    as_interaction(req, &r);
    return desk_reply(req, &r, 200);
}

int api_interactions_accept(struct http_req *req)
{
    return acd_op(req, ACD_ACCEPT);
}

int api_interactions_reject(struct http_req *req)
{
    return acd_op(req, ACD_REJECT);
}

int api_interactions_release(struct http_req *req)
{
    return acd_op(req, ACD_RELEASE);
}

/* POST …/dispose — the agent starts disposing (docs/sms.md "Closing and disposing"). */
int api_interactions_dispose(struct http_req *req)
{
    return acd_op(req, ACD_DISPOSE);
}

int api_interactions_reopen(struct http_req *req)
{
    return acd_op(req, ACD_REOPEN);
}

int api_interactions_close(struct http_req *req)
{
    struct auth_principal who;
    if (desk_require_agent(req, &who))
        return http_replied(req);
    struct acd_req r = {0};
    r.op = ACD_CLOSE;
    r.agent = who.user_id;
    if (http_param_id(req, "id", &r.interaction))
        return http_reply_problem(req, 404, "no such interaction");
    json_t *body = req->body.len ? http_body_object(req) : json_object();
    if (!body)
        return http_replied(req);
    json_t *d = json_object_get(body, "disposition");
    const char *disp = json_string_value(d);
    if ((d && !json_is_null(d) && !disp) || (disp && strlen(disp) >= ACD_TEXT_MAX)) {
        json_decref(body);
        json_t *p = http_problem_new(422, "invalid disposition", NULL);
        http_problem_add_error(p, "disposition", "must be a text of at most 127 characters");
        return http_reply_problem_json(req, p);
    }
    snprintf(r.text, sizeof(r.text), "%s", disp ? disp : "");
    json_decref(body);
    acd_call(req->app->acd, &r);
    as_interaction(req, &r);
    return desk_reply(req, &r, 200);
}

int api_interactions_transfer(struct http_req *req)
{
    struct auth_principal who;
    if (desk_require_agent(req, &who))
        return http_replied(req);
    struct acd_req r = {0};
    r.op = ACD_TRANSFER;
    r.agent = who.user_id;
    if (http_param_id(req, "id", &r.interaction))
        return http_reply_problem(req, 404, "no such interaction");
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *a = json_object_get(body, "agent_id"), *q = json_object_get(body, "queue_id");
    bool ok = (a != NULL) != (q != NULL) && json_is_integer(a ? a : q) &&
              json_integer_value(a ? a : q) > 0;
    if (ok) {
        r.to_queue = q != NULL;
        r.target = json_integer_value(a ? a : q);
    }
    json_decref(body);
    if (!ok) {
        json_t *p = http_problem_new(422, "invalid transfer", NULL);
        http_problem_add_error(p, "agent_id", "give exactly one of agent_id or queue_id (an id)");
        return http_reply_problem_json(req, p);
    }
    acd_call(req->app->acd, &r);
    as_interaction(req, &r);
    return desk_reply(req, &r, 200);
}

/* Tells the agent holding the interaction about a note someone else (a supervisor or an
 * administrator) added: interaction.note on user:<owner>. Staff only: notes never reach the
 * customer. */
static void announce_note(struct http_req *req, int64_t owner, int64_t ix, int64_t mid,
                          int64_t author, const char *text)
{
    if (!req->app->hub)
        return;
    char topic[32], t[32];
    snprintf(topic, sizeof(topic), "user:%lld", (long long)owner);
    json_t *ev =
        json_pack("{s:s, s:{s:I, s:{s:I, s:s, s:s, s:I, s:b, s:s}}}", "type", "interaction.note",
                  "data", "interaction_id", (json_int_t)ix, "message", "id", (json_int_t)mid,
                  "direction", "out", "body", text, "sender_id", (json_int_t)author, "internal", 1,
                  "created_at", clock_iso8601(clock_now_ms(req->app->clock), t));
    char *s = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
    json_decref(ev);
    if (s)
        hub_publish(req->app->hub, topic, s, strlen(s));
    free(s);
}

/* POST …/messages (reply) and …/notes (internal note): {"body": "…"} */
static int store_message(struct http_req *req, bool internal)
{
    struct auth_principal who;
    int64_t id;
    json_t *ix;
    /* A note may also come from an administrator or an in-scope supervisor watching the
     * interaction (spy): it is never sent to the customer. */
    if (!desk_load(req, &who, internal ? DESK_STAFF : DESK_HOLDER, &id, &ix))
        return http_replied(req);
    int64_t owner = json_integer_value(json_object_get(ix, "owner_id"));
    json_decref(ix);
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    const char *text = json_string_value(json_object_get(body, "body"));
    if (!text || !*text || strlen(text) > OUTBOUND_BODY_MAX) {
        json_decref(body);
        json_t *p = http_problem_new(422, "invalid message", NULL);
        http_problem_add_error(p, "body", "must be a text of 1 to 16384 bytes");
        return http_reply_problem_json(req, p);
    }
    struct db *db = app_thread_db(req->app);
    struct outbound_msg m = {id, who.user_id, text, NULL, internal};
    int64_t mid = 0;
    const char *why = NULL;
    int r = outbound_store(db, &m, clock_now_ms(req->app->clock), &mid, &why);
    if (r == SB_ECONFLICT) {
        json_decref(body);
        return http_reply_problem(req, 409,
                                  why && !strcmp(why, "closed")
                                      ? "the interaction is closed"
                                      : "this account has no reply URL: agents cannot reply");
    }
    if (r) {
        json_decref(body);
        return http_reply_error(req, r);
    }
    if (!internal)
        outbox_poke(req->app->outbox);
    else if (owner && owner != who.user_id)
        announce_note(req, owner, id, mid, who.user_id, text);
    json_decref(body);
    return http_reply_json(req, 201,
                           json_pack("{s:I, s:s, s:b}", "id", (json_int_t)mid, "delivery_status",
                                     internal ? "sent" : "queued", "internal", internal));
}

int api_interactions_reply(struct http_req *req)
{
    return store_message(req, false);
}

int api_interactions_note(struct http_req *req)
{
    return store_message(req, true);
}

/* PUT …/tags {"tags": ["…"]} — replaces the tags (at most 20, 1 to 64 characters, unique). */
int api_interactions_tags(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    json_t *ix;
    if (!load_for(req, &who, true, &id, &ix))
        return http_replied(req);
    json_decref(ix);
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    json_t *tags = json_object_get(body, "tags");
    json_t *p = http_problem_new(422, "invalid tags", NULL);
    if (!json_is_array(tags) || json_array_size(tags) > TAGS_MAX)
        http_problem_add_error(p, "tags", "must be an array of at most 20 tags");
    size_t i, j;
    json_t *t, *u;
    json_array_foreach(tags, i, t)
    {
        const char *s = json_string_value(t);
        char field[32];
        snprintf(field, sizeof(field), "tags[%zu]", i);
        if (!s || !*s || strlen(s) > TAG_LEN_MAX)
            http_problem_add_error(p, field, "must be a text of 1 to 64 characters");
        json_array_foreach(tags, j, u) if (j < i && json_equal(t, u))
            http_problem_add_error(p, field, "is given twice");
    }
    if (json_object_get(p, "errors")) {
        json_decref(body);
        return http_reply_problem_json(req, p);
    }
    json_decref(p);
    char *text = json_dumps(tags, JSON_COMPACT);
    json_decref(body);
    struct db *db = app_thread_db(req->app);
    int r =
        text ? db_execf(db, NULL, "UPDATE interactions SET tags = ?, updated_at = ? WHERE id = ?",
                        "tii", text, clock_now_ms(req->app->clock), id)
             : SB_ENOMEM;
    free(text);
    if (r)
        return http_reply_error(req, r);
    json_t *out = NULL;
    r = desk_interaction_json(db, id, &out);
    return r ? http_reply_error(req, r) : http_reply_json(req, 200, out);
}

/* POST …/read — the holder has read it. */
int api_interactions_read(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    json_t *ix;
    if (!load_for(req, &who, true, &id, &ix))
        return http_replied(req);
    json_decref(ix);
    struct db *db = app_thread_db(req->app);
    int r = db_execf(db, NULL, "UPDATE interactions SET unread = 0 WHERE id = ?", "i", id);
    return r ? http_reply_error(req, r) : http_reply_empty(req, 204);
}

/* GET /api/v1/realtime/queues — per-queue counts and agents' states (admins; supervisors see
 * their scope's queues and agents). */
int api_realtime_queues(struct http_req *req)
{
    struct perm_ctx ctx;
    if (perm_require(req, PERM_SECTION_REALTIME, PERM_READ, &ctx))
        return http_replied(req);
    struct acd_req r = {0};
    r.op = ACD_REALTIME;
    acd_call(req->app->acd, &r);
    if (r.err || !r.out)
        return http_reply_error(req, r.err ? r.err : SB_ENOMEM);
    if (ctx.who.role != AUTH_ROLE_ADMIN) {
        json_t *qs = json_object_get(r.out, "queues"), *as = json_object_get(r.out, "agents");
        for (size_t i = json_array_size(qs); i-- > 0;)
            if (!perm_queue_in_scope(
                    req, &ctx,
                    json_integer_value(json_object_get(json_array_get(qs, i), "queue_id"))))
                json_array_remove(qs, i);
        for (size_t i = json_array_size(as); i-- > 0;)
            if (!perm_agent_in_scope(
                    req, &ctx,
                    json_integer_value(json_object_get(json_array_get(as, i), "agent_id"))))
                json_array_remove(as, i);
    }
    return http_reply_json(req, 200, r.out);
}
