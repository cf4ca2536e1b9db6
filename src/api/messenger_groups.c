/* /api/v1/messenger/groups — messenger groups (seed "How to manage Messenger Groups"):
 * administrators and supervisors create them; the creator and administrators change and
 * delete them; members, the creator and administrators see them. Every committed change is
 * announced with messenger.group to the members concerned. */
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/messenger_common.h"
#include "api/messenger_groups.h"
#include "app.h"
#include "auth/audit.h"
#include "core/err.h"
#include "http/respond.h"
#include "messenger/directory.h"
#include "messenger/events.h"
#include "messenger/groups.h"
#include "messenger/text.h"

bool messenger_group_route(struct http_req *req, struct msg_caller *c, struct mgroup *g,
                           bool *member)
{
    int64_t id;
    if (!messenger_caller(req, c))
        return false;
    int r = http_param_id(req, "id", &id);
    if (!r)
        r = mgroup_load(c->db, id, g);
    if (!r)
        r = mgroup_is_member(c->db, id, c->who.user_id, member);
    if (!r && !*member && g->created_by != c->who.user_id && c->who.role != AUTH_ROLE_ADMIN)
        r = SB_ENOTFOUND;
    if (r == SB_ENOTFOUND) {
        http_reply_problem(req, 404, "no such group");
        return false;
    }
    if (r) {
        http_reply_error(req, r);
        return false;
    }
    return true;
}

/* The body of a create (`create`) or change: {name, member_ids, writable}. Fills the parts
 * present (*name NULL, *writable -1, *ids NULL when absent); adds the creator to a new
 * group's members. Queues 422 naming each bad field and returns false. */
static bool parse_group(struct http_req *req, struct msg_caller *c, json_t *body, bool create,
                        const char **name, int *writable, int64_t **ids, size_t *n)
{
    *name = NULL;
    *writable = -1;
    *ids = NULL;
    *n = 0;
    json_t *p = http_problem_new(422, "nothing was changed", NULL);
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        if (strcmp(k, "name") && strcmp(k, "member_ids") && strcmp(k, "writable"))
            http_problem_add_error(p, k, "unknown field");
    }
    json_t *jn = json_object_get(body, "name");
    const char *s = json_string_value(jn), *why;
    if (jn || create) {
        if (!s || strlen(s) != json_string_length(jn) ||
            msg_text_check(s, strlen(s), MGROUP_NAME_MAX, &why) || strpbrk(s, "\r\n\t"))
            http_problem_add_error(p, "name", "is required: 1 to 64 characters on one line");
        else
            *name = s;
    }
    json_t *jw = json_object_get(body, "writable");
    if (jw && !json_is_boolean(jw))
        http_problem_add_error(p, "writable", "must be true or false");
    else if (jw)
        *writable = json_is_true(jw);
    else if (create)
        *writable = 1; /* seed: "Enable Writing"; writing is the normal case */
    json_t *jm = json_object_get(body, "member_ids");
    size_t count = json_array_size(jm);
    if (jm && (!json_is_array(jm) || count > MGROUP_MEMBERS_MAX))
        http_problem_add_error(p, "member_ids", "must be a list of at most 5000 staff ids");
    else if (jm || create) {
        *ids = malloc((count + 1) * sizeof(**ids));
        if (!*ids) {
            json_decref(p);
            http_reply_error(req, SB_ENOMEM);
            return false;
        }
        size_t i;
        json_array_foreach(jm, i, v)
        {
            char field[48];
            snprintf(field, sizeof(field), "member_ids[%zu]", i);
            int64_t id = json_integer_value(v);
            bool dup = false;
            for (size_t j = 0; j < *n && !dup; j++)
                dup = (*ids)[j] == id;
            if (!json_is_integer(v) || id < 1)
                http_problem_add_error(p, field, "must be a staff id");
            else if (dup)
                http_problem_add_error(p, field, "is repeated");
            else
                (*ids)[(*n)++] = id;
            if (json_array_size(json_object_get(p, "errors")) > 20)
                break; /* enough to fix; the answer stays small */
        }
        bool has_creator = false;
        for (size_t j = 0; j < *n && !has_creator; j++)
            has_creator = (*ids)[j] == c->who.user_id;
        if (create && !has_creator)
            (*ids)[(*n)++] = c->who.user_id;
    }
    size_t bad;
    int r = 0;
    if (!json_object_get(p, "errors") && *ids && (r = msgdir_all_usable(c->db, *ids, *n, &bad))) {
        if (r != SB_EINVALID) {
            json_decref(p);
            free(*ids);
            *ids = NULL;
            http_reply_error(req, r);
            return false;
        }
        char field[48];
        snprintf(field, sizeof(field), "member_ids[%zu]", bad);
        http_problem_add_error(p, field, "is not a staff member who can use the messenger");
    }
    if (json_object_get(p, "errors")) {
        free(*ids);
        *ids = NULL;
        http_reply_problem_json(req, p);
        return false;
    }
    json_decref(p);
    return true;
}

/* Sends messenger.group {action, group} to `ids`; the group's unread count is the actor's,
 * so it is left out. */
static void announce(struct http_req *req, const char *action, json_t *group, int64_t group_id,
                     const int64_t *ids, size_t n)
{
    json_t *g = group ? json_deep_copy(group) : json_pack("{s:I}", "id", (json_int_t)group_id);
    if (g)
        json_object_del(g, "unread");
    msg_event_users(req->app->hub, "messenger.group",
                    json_pack("{s:s, s:o}", "action", action, "group", g), ids, n);
}

int api_messenger_groups_list(struct http_req *req)
{
    struct msg_caller c;
    if (!messenger_caller(req, &c))
        return http_replied(req);
    json_t *items = NULL;
    int r = mgroup_list(c.db, c.who.user_id, c.who.role == AUTH_ROLE_ADMIN, &items);
    return r ? http_reply_error(req, r) : http_reply_items(req, items);
}

int api_messenger_groups_create(struct http_req *req)
{
    struct msg_caller c;
    if (!messenger_caller(req, &c))
        return http_replied(req);
    if (c.who.role < AUTH_ROLE_USER)
        return http_reply_problem(req, 403,
                                  "only administrators and supervisors create messenger groups");
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    const char *name;
    int writable;
    int64_t *ids, id = 0;
    size_t n;
    if (!parse_group(req, &c, body, true, &name, &writable, &ids, &n)) {
        json_decref(body);
        return http_replied(req);
    }
    int r = mgroup_create(c.db, name, writable == 1, c.who.user_id, ids, n,
                          clock_now_ms(req->app->clock), &id);
    json_decref(body);
    json_t *out = NULL;
    if (!r)
        r = mgroup_json(c.db, id, c.who.user_id, true, &out);
    if (r) {
        free(ids);
        return http_reply_error(req, r);
    }
    audit_record(c.db, clock_now_ms(req->app->clock), c.who.user_id, "messenger_group.create",
                 "messenger_group", id, auth_client_ip(req),
                 json_pack("{s:s, s:I}", "name", json_string_value(json_object_get(out, "name")),
                           "members", (json_int_t)n));
    announce(req, "created", out, id, ids, n);
    free(ids);
    return http_reply_json(req, 201, out);
}

int api_messenger_groups_get(struct http_req *req)
{
    struct msg_caller c;
    struct mgroup g;
    bool member;
    if (!messenger_group_route(req, &c, &g, &member))
        return http_replied(req);
    json_t *out = NULL;
    int r = mgroup_json(c.db, g.id, c.who.user_id, true, &out);
    return r ? http_reply_error(req, r) : http_reply_json(req, 200, out);
}

/* The creator and administrators manage a group. Queues 403 and returns false otherwise. */
static bool may_manage(struct http_req *req, const struct msg_caller *c, const struct mgroup *g)
{
    if (g->created_by == c->who.user_id || c->who.role == AUTH_ROLE_ADMIN)
        return true;
    http_reply_problem(req, 403, "only the group's creator and administrators change it");
    return false;
}

static bool sorted_has(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

int api_messenger_groups_patch(struct http_req *req)
{
    struct msg_caller c;
    struct mgroup g;
    bool member;
    if (!messenger_group_route(req, &c, &g, &member) || !may_manage(req, &c, &g))
        return http_replied(req);
    json_t *body = http_body_object(req);
    if (!body)
        return http_replied(req);
    const char *name;
    int writable;
    int64_t *ids;
    size_t n;
    if (!parse_group(req, &c, body, false, &name, &writable, &ids, &n)) {
        json_decref(body);
        return http_replied(req);
    }
    int64_t *before = NULL, *after = NULL;
    size_t nbefore = 0, nafter = 0;
    int r = mgroup_member_ids(c.db, g.id, false, &before, &nbefore);
    if (!r)
        r = mgroup_update(c.db, g.id, name, writable, ids, n, clock_now_ms(req->app->clock));
    json_decref(body);
    free(ids);
    json_t *out = NULL;
    if (!r)
        r = mgroup_member_ids(c.db, g.id, false, &after, &nafter);
    if (!r)
        r = mgroup_json(c.db, g.id, c.who.user_id, true, &out);
    if (!r) {
        audit_record(c.db, clock_now_ms(req->app->clock), c.who.user_id, "messenger_group.update",
                     "messenger_group", g.id, auth_client_ip(req),
                     json_pack("{s:I}", "members", (json_int_t)nafter));
        announce(req, "updated", out, g.id, after, nafter);
        int64_t *gone = nbefore ? malloc(nbefore * sizeof(*gone)) : NULL;
        size_t ngone = 0;
        for (size_t i = 0; gone && i < nbefore; i++)
            if (!sorted_has(after, nafter, before[i]))
                gone[ngone++] = before[i];
        announce(req, "removed", NULL, g.id, gone, ngone);
        free(gone);
    }
    free(before);
    free(after);
    return r ? http_reply_error(req, r) : http_reply_json(req, 200, out);
}

int api_messenger_groups_delete(struct http_req *req)
{
    struct msg_caller c;
    struct mgroup g;
    bool member;
    if (!messenger_group_route(req, &c, &g, &member) || !may_manage(req, &c, &g))
        return http_replied(req);
    int64_t *ids = NULL;
    size_t n = 0;
    int r = mgroup_member_ids(c.db, g.id, false, &ids, &n);
    if (!r)
        r = mgroup_delete(c.db, g.id, clock_now_ms(req->app->clock));
    if (!r) {
        audit_record(c.db, clock_now_ms(req->app->clock), c.who.user_id, "messenger_group.delete",
                     "messenger_group", g.id, auth_client_ip(req), NULL);
        announce(req, "deleted", NULL, g.id, ids, n);
    }
    free(ids);
    if (r == SB_ENOTFOUND)
        return http_reply_problem(req, 404, "no such group");
    return r ? http_reply_error(req, r) : http_reply_empty(req, 204);
}
