/* messenger.c — the messenger's process-wide parts (contract in messenger.h). */
#include "messenger/messenger.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app.h"
#include "core/err.h"
#include "messenger/presence.h"
#include "messenger/rate.h"

int messenger_start(struct sb_app *app)
{
    struct messenger *m = calloc(1, sizeof(*m));
    if (!m)
        return SB_ENOMEM;
    const struct sb_config *c = &app->cfg;
    m->max_chars = c->messenger_max_message_chars;
    /* Senders are staff: the table holds as many as there can be WebSockets. */
    int r = msg_rate_new(c->messenger_rate_per_minute, c->messenger_rate_burst,
                         (size_t)c->ws_max_connections + 1024, &m->rate);
    if (!r)
        r = presence_start(app, c->messenger_presence_grace_ms, (size_t)c->ws_max_connections,
                           &m->presence);
    if (r) {
        messenger_free(m);
        return r;
    }
    app->messenger = m;
    return 0;
}

void messenger_stop(struct messenger *m)
{
    if (m)
        presence_stop(m->presence);
}

void messenger_free(struct messenger *m)
{
    if (!m)
        return;
    presence_free(m->presence);
    msg_rate_free(m->rate);
    free(m);
}

void messenger_on_conn(struct hub *h, struct ws_ref ref, const struct hub_identity *who, bool up,
                       void *user)
{
    (void)h;
    struct sb_app *app = user;
    if (app && app->messenger)
        presence_note(app->messenger->presence, ref, who->user_id, up);
}

/* Commands are tiny: anything longer is not one of ours and is not parsed here. */
#define MSG_COMMAND_MAX 256

bool messenger_on_ws_message(struct sb_app *app, struct ws_ref from, const struct hub_identity *who,
                             const char *msg, size_t len)
{
    if (!app || !app->messenger || len > MSG_COMMAND_MAX || !memmem(msg, len, "messenger.", 10))
        return false;
    json_t *j = json_loadb(msg, len, JSON_REJECT_DUPLICATES, NULL);
    const char *type = json_string_value(json_object_get(j, "type"));
    bool ours = type && !strncmp(type, "messenger.", 10);
    if (ours && !strcmp(type, "messenger.subscribe") && who->user_id > 0) {
        presence_subscribe(app->messenger->presence, from, who->user_id);
    } else if (ours) {
        static const char unknown[] = "{\"type\":\"messenger.error\",\"data\":{\"status\":"
                                      "400,\"detail\":\"unknown command, or not signed in\"}}";
        hub_send(app->hub, from, unknown, sizeof(unknown) - 1);
    }
    json_decref(j);
    return ours;
}
