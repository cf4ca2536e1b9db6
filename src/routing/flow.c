/* flow.c — parsing and validating action flows, and their JSON form. The interpreter is in
 * flow_run.c, storage in flow_store.c. */
#include "routing/flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

static const char *const channels[] = {"chat", "email", "sms", "openchannel", "fax", "whatsapp"};

bool flow_channel_valid(const char *channel)
{
    for (size_t i = 0; channel && i < sizeof(channels) / sizeof(channels[0]); i++)
        if (!strcmp(channel, channels[i]))
            return true;
    return false;
}

/* The applications: API name, enum, the fields it takes besides the common ones. */
static const struct app_desc {
    const char *name;
    int app;
    const char *fields[4];
} apps[] = {
    {"queue", FLOW_APP_QUEUE, {"queue_id", "timeout"}},
    {"agent", FLOW_APP_AGENT, {"agent_id", "timeout"}},
    {"auto_reply", FLOW_APP_AUTO_REPLY, {"text", "mode", "reply_type"}},
    {"close", FLOW_APP_CLOSE, {"disposition"}},
    {"tag", FLOW_APP_TAG, {"tag"}},
    {"noop", FLOW_APP_NOOP, {"value"}},
    {"goto_if", FLOW_APP_GOTO_IF, {"condition", "true_priority", "false_priority"}},
    {"goto_p", FLOW_APP_GOTO_P, {"priority"}},
};
#define NAPPS (sizeof(apps) / sizeof(apps[0]))

static const char *const modes[] = {NULL, "one_time", "always", "first_message"};

static const struct app_desc *app_by_name(const char *name)
{
    for (size_t i = 0; name && i < NAPPS; i++)
        if (!strcmp(apps[i].name, name))
            return &apps[i];
    return NULL;
}

static const struct app_desc *app_by_id(int app)
{
    for (size_t i = 0; i < NAPPS; i++)
        if (apps[i].app == app)
            return &apps[i];
    return NULL;
}

void flow_free(struct flow *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        free(f->actions[i].text);
        flow_expr_free(f->actions[i].cond);
    }
    free(f->actions);
    free(f);
}

int flow_new_empty(const char *channel, struct flow **out)
{
    *out = NULL;
    if (!flow_channel_valid(channel))
        return SB_EINVAL;
    struct flow *f = calloc(1, sizeof(*f));
    if (!f)
        return SB_ENOMEM;
    snprintf(f->channel, sizeof(f->channel), "%s", channel);
    *out = f;
    return 0;
}

/* ---- validation -------------------------------------------------------------------------- */

struct checker {
    json_t *errors;
    size_t index; /* the action being checked */
    size_t n;     /* actions in the flow (for priorities) */
    bool oom;
};

static void add_err(struct checker *c, const char *key, const char *msg)
{
    char field[96];
    if (key)
        snprintf(field, sizeof(field), "actions[%zu].%.48s", c->index, key);
    else
        snprintf(field, sizeof(field), "actions[%zu]", c->index);
    if (!c->errors)
        c->errors = json_array();
    if (!c->errors ||
        json_array_append_new(c->errors, json_pack("{s:s, s:s}", "field", field, "message", msg)))
        c->oom = true;
}

/* An integer field in [lo, hi]; absent or null is `def` (def < 0: required). */
static bool int_field(struct checker *c, const json_t *o, const char *key, int64_t lo, int64_t hi,
                      int64_t def, int64_t *out, const char *msg)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        if (def < 0) {
            add_err(c, key, msg);
            return false;
        }
        *out = def;
        return true;
    }
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        add_err(c, key, msg);
        return false;
    }
    *out = json_integer_value(v);
    return true;
}

/* A text field of at most `max` characters (1..max when required); `multiline` allows tabs and
 * line breaks. *out is a malloc'd copy (NULL when absent). */
static bool text_field(struct checker *c, const json_t *o, const char *key, size_t max,
                       bool required, bool multiline, char **out, const char *msg)
{
    *out = NULL;
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        if (required)
            add_err(c, key, msg);
        return !required;
    }
    const char *s = json_string_value(v);
    bool ok = s && json_string_length(v) <= max && strlen(s) == json_string_length(v) &&
              (!required || *s);
    for (const unsigned char *p = (const unsigned char *)s; ok && *p; p++)
        if ((*p < 0x20 && !(multiline && (*p == '\n' || *p == '\r' || *p == '\t'))) || *p == 0x7f)
            ok = false;
    if (!ok) {
        add_err(c, key, msg);
        return false;
    }
    *out = strdup(s);
    if (!*out)
        c->oom = true;
    return *out != NULL;
}

static void check_action(struct checker *c, const json_t *o, const char *channel,
                         struct flow_action *a)
{
    if (!json_is_object(o)) {
        add_err(c, NULL, "must be an object");
        return;
    }
    const char *name = json_string_value(json_object_get(o, "application"));
    const struct app_desc *d = app_by_name(name);
    if (!d) {
        add_err(c, "application",
                "is required: queue, agent, auto_reply, close, tag, noop, goto_if or goto_p");
        return;
    }
    a->app = d->app;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        bool known = !strcmp(k, "application") || !strcmp(k, "interval_id");
        for (int i = 0; i < 4 && d->fields[i]; i++)
            known |= !strcmp(k, d->fields[i]);
        if (!known)
            add_err(c, k, "unknown field for this application");
    }
    int64_t x = 0;
    if (int_field(c, o, "interval_id", 1, INT64_MAX, 0, &x, "must be an interval id or null"))
        a->interval_id = x;
    char msg[160];
    switch (a->app) {
    case FLOW_APP_QUEUE:
    case FLOW_APP_AGENT: {
        const char *idk = a->app == FLOW_APP_QUEUE ? "queue_id" : "agent_id";
        if (int_field(c, o, idk, 1, INT64_MAX, -1, &x,
                      a->app == FLOW_APP_QUEUE ? "is required: a queue id"
                                               : "is required: an agent id"))
            *(a->app == FLOW_APP_QUEUE ? &a->queue_id : &a->agent_id) = x;
        if (int_field(c, o, "timeout", 1, FLOW_TIMEOUT_MAX, -1, &x,
                      "is required: 1 to 2147483 seconds"))
            a->timeout = (int)x;
        break;
    }
    case FLOW_APP_AUTO_REPLY: {
        if (!strcmp(channel, "fax"))
            add_err(c, "application", "auto_reply is not available on fax");
        text_field(c, o, "text", FLOW_TEXT_MAX, true, true, &a->text,
                   "is required: 1 to 4096 characters");
        const char *m = json_string_value(json_object_get(o, "mode"));
        for (int i = 1; m && i <= 3; i++)
            if (!strcmp(m, modes[i]))
                a->mode = i;
        if (!a->mode)
            add_err(c, "mode", "is required: one_time, always or first_message");
        json_t *rt = json_object_get(o, "reply_type");
        const char *r = json_string_value(rt);
        if (rt && !json_is_null(rt)) {
            if (strcmp(channel, "email"))
                add_err(c, "reply_type", "is for email accounts only");
            else if (!r || (strcmp(r, "reply") && strcmp(r, "reply_all")))
                add_err(c, "reply_type", "must be reply or reply_all");
            else
                a->reply_all = !strcmp(r, "reply_all");
        }
        break;
    }
    case FLOW_APP_CLOSE:
        text_field(c, o, "disposition", FLOW_DISPOSITION_MAX, false, false, &a->text,
                   "must be a string of at most 255 characters, or null");
        break;
    case FLOW_APP_TAG:
        text_field(c, o, "tag", FLOW_TAG_MAX, true, false, &a->text,
                   "is required: 1 to 64 characters");
        break;
    case FLOW_APP_NOOP:
        if (text_field(c, o, "value", FLOW_VALUE_MAX, false, true, &a->text,
                       "must be a string of at most 1024 characters") &&
            a->text && flow_template_check(a->text, msg, sizeof(msg)))
            add_err(c, "value", msg);
        break;
    case FLOW_APP_GOTO_IF: {
        if (text_field(c, o, "condition", FLOW_EXPR_MAX_LEN, true, false, &a->text,
                       "is required: 1 to 1024 characters")) {
            int r = flow_expr_compile(a->text, &a->cond, msg, sizeof(msg));
            if (r == SB_ENOMEM)
                c->oom = true;
            else if (r)
                add_err(c, "condition", msg);
        }
        snprintf(msg, sizeof(msg), "is required: a priority from 1 to %zu", c->n);
        if (int_field(c, o, "true_priority", 1, (int64_t)c->n, -1, &x, msg))
            a->true_priority = (int)x;
        snprintf(msg, sizeof(msg), "must be a priority from 1 to %zu, or null for the next action",
                 c->n);
        if (int_field(c, o, "false_priority", 1, (int64_t)c->n, 0, &x, msg))
            a->false_priority = (int)x;
        break;
    }
    case FLOW_APP_GOTO_P:
        snprintf(msg, sizeof(msg), "is required: a priority from 1 to %zu", c->n);
        if (int_field(c, o, "priority", 1, (int64_t)c->n, -1, &x, msg))
            a->true_priority = (int)x;
        break;
    }
}

int flow_parse(const json_t *actions, const char *channel, struct flow **out, json_t **errors)
{
    *out = NULL;
    *errors = NULL;
    struct flow *f = NULL;
    int r = flow_new_empty(channel, &f);
    if (r == SB_EINVAL) {
        *errors = json_pack("[{s:s, s:s}]", "field", "channel", "message",
                            "must be chat, email, sms, openchannel, fax or whatsapp");
        return *errors ? SB_EINVALID : SB_ENOMEM;
    }
    if (r)
        return r;
    if (!json_is_array(actions) || json_array_size(actions) > FLOW_MAX_ACTIONS) {
        flow_free(f);
        *errors = json_pack("[{s:s, s:s}]", "field", "actions", "message",
                            "must be an array of at most 100 actions");
        return *errors ? SB_EINVALID : SB_ENOMEM;
    }
    struct checker c = {NULL, 0, json_array_size(actions), false};
    if (c.n) {
        f->actions = calloc(c.n, sizeof(*f->actions));
        if (!f->actions) {
            flow_free(f);
            return SB_ENOMEM;
        }
    }
    for (; c.index < c.n && !c.oom; c.index++) {
        check_action(&c, json_array_get(actions, c.index), channel, &f->actions[c.index]);
        f->n = c.index + 1; /* flow_free releases what was parsed so far */
    }
    if (c.oom || c.errors) {
        flow_free(f);
        if (c.oom) {
            json_decref(c.errors);
            return SB_ENOMEM;
        }
        *errors = c.errors;
        return SB_EINVALID;
    }
    *out = f;
    return 0;
}

/* ---- JSON form --------------------------------------------------------------------------- */

static json_t *action_json(const struct flow_action *a, size_t index)
{
    const struct app_desc *d = app_by_id(a->app);
    (void)index;
    json_t *o = json_pack("{s:s, s:o}", "application", d ? d->name : "?", "interval_id",
                          a->interval_id ? json_integer(a->interval_id) : json_null());
    if (!o)
        return NULL;
    int r = 0;
    switch (a->app) {
    case FLOW_APP_QUEUE:
        r = json_object_set_new(o, "queue_id", json_integer(a->queue_id)) ||
            json_object_set_new(o, "timeout", json_integer(a->timeout));
        break;
    case FLOW_APP_AGENT:
        r = json_object_set_new(o, "agent_id", json_integer(a->agent_id)) ||
            json_object_set_new(o, "timeout", json_integer(a->timeout));
        break;
    case FLOW_APP_AUTO_REPLY:
        r = json_object_set_new(o, "text", json_string(a->text)) ||
            json_object_set_new(o, "mode", json_string(modes[a->mode]));
        if (!r && a->reply_all)
            r = json_object_set_new(o, "reply_type", json_string("reply_all"));
        break;
    case FLOW_APP_CLOSE:
        r = json_object_set_new(o, "disposition", a->text ? json_string(a->text) : json_null());
        break;
    case FLOW_APP_TAG:
        r = json_object_set_new(o, "tag", json_string(a->text));
        break;
    case FLOW_APP_NOOP:
        r = json_object_set_new(o, "value", a->text ? json_string(a->text) : json_null());
        break;
    case FLOW_APP_GOTO_IF:
        r = json_object_set_new(o, "condition", json_string(a->text)) ||
            json_object_set_new(o, "true_priority", json_integer(a->true_priority)) ||
            json_object_set_new(o, "false_priority",
                                a->false_priority ? json_integer(a->false_priority) : json_null());
        break;
    case FLOW_APP_GOTO_P:
        r = json_object_set_new(o, "priority", json_integer(a->true_priority));
        break;
    }
    if (r) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *flow_actions_json(const struct flow *f)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < f->n; i++) {
        json_t *o = action_json(&f->actions[i], i);
        if (!o || json_array_append_new(list, o)) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}
