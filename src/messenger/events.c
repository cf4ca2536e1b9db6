/* events.c — building and queueing messenger events (contract in events.h). */
#include "messenger/events.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "ws/hub.h"

static char *event_text(const char *type, json_t *data)
{
    json_t *ev = data ? json_pack("{s:s, s:o}", "type", type, "data", data) : NULL;
    char *text = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
    json_decref(ev);
    return text;
}

void msg_event_users(struct hub *h, const char *type, json_t *data, const int64_t *ids, size_t n)
{
    if (!h || n == 0) {
        json_decref(data);
        return;
    }
    char *text = event_text(type, data);
    int r = text ? hub_publish_users(h, ids, n, text, strlen(text)) : -1;
    if (r)
        log_warn("%s event to %zu user(s) dropped (%d)", type, n, r);
    free(text);
}

void msg_event_topic(struct hub *h, const char *topic, const char *type, json_t *data)
{
    if (!h) {
        json_decref(data);
        return;
    }
    char *text = event_text(type, data);
    int r = text ? hub_publish(h, topic, text, strlen(text)) : -1;
    if (r)
        log_warn("%s event to %s dropped (%d)", type, topic, r);
    free(text);
}
