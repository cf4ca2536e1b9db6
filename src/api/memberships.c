#include "api/memberships.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/log.h"
#include "http/request.h"
#include "http/respond.h"
#include "ws/hub.h"

bool membership_ids_valid(const json_t *body, const char *field, size_t max, json_t *problem)
{
    const json_t *ids = json_object_get(body, field);
    bool ok = json_is_array(ids) && json_array_size(ids) >= 1 && json_array_size(ids) <= max;
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        if (!ok)
            break;
        ok = json_is_integer(v) && json_integer_value(v) > 0;
    }
    if (!ok) {
        char msg[80];
        snprintf(msg, sizeof(msg), "must be an array of 1 to %zu ids", max);
        http_problem_add_error(problem, field, msg);
    }
    return ok;
}

int membership_reply_bad_id(struct http_req *req, const char *field, size_t index,
                            const char *message)
{
    char name[64];
    snprintf(name, sizeof(name), "%s[%zu]", field, index);
    json_t *p = http_problem_new(422, "nothing was changed", NULL);
    http_problem_add_error(p, name, message);
    return http_reply_problem_json(req, p);
}

static void publish(struct sb_app *app, const char *topic, json_t *ids)
{
    json_t *ev = json_pack("{s:s, s:{s:O}}", "type", "queues.changed", "data", "agent_ids", ids);
    char *text = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
    int r = text ? hub_publish(app->hub, topic, text, strlen(text)) : -1;
    if (r)
        log_warn("queues.changed event for %s dropped (%d)", topic, r);
    free(text);
    json_decref(ev);
}

void membership_publish(struct sb_app *app, const json_t *agent_ids)
{
    if (!app->hub || !json_array_size(agent_ids))
        return;
    /* Each agent once, in first-seen order, however many teams brought it. */
    json_t *seen = json_object(), *unique = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(agent_ids, i, v)
    {
        char key[24];
        snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(v));
        if (!seen || !unique || json_object_get(seen, key))
            continue;
        json_object_set_new(seen, key, json_true());
        json_array_append(unique, v);
        char topic[40];
        snprintf(topic, sizeof(topic), "user:%s", key);
        json_t *one = json_pack("[O]", v);
        if (one)
            publish(app, topic, one);
        json_decref(one);
    }
    if (unique)
        publish(app, "role:admin", unique);
    json_decref(unique);
    json_decref(seen);
}
