/* messenger.c — the messenger's process-wide parts (contract in messenger.h). */
#include "messenger/messenger.h"

#include <stdlib.h>

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
