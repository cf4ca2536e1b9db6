#include "staff/client_logs_notify.h"

#include <stdio.h>

#include "core/err.h"
#include "core/log.h"
#include "staff/agents.h"
#include "ws/hub.h"

struct client_logs_state client_logs_state_of(const json_t *settings)
{
    struct client_logs_state s = {.enabled = false, .level = CLIENT_LOG_ERROR};
    s.enabled = json_is_true(json_object_get(settings, "client_logs_enabled"));
    int level = client_log_level_from_setting(
        json_string_value(json_object_get(settings, "client_log_level")));
    if (level >= 0)
        s.level = (enum client_log_level)level;
    return s;
}

int client_logs_load_state(struct db *db, int64_t staff_id, struct client_logs_state *out)
{
    char typology[16];
    json_t *settings = NULL;
    int r = agent_load_settings(db, staff_id, typology, &settings);
    if (r == SB_ENOTFOUND)
        r = 0;
    if (!r)
        *out = client_logs_state_of(settings);
    json_decref(settings);
    return r;
}

json_t *client_logs_state_json(struct client_logs_state s)
{
    return json_pack("{s:b, s:s}", "enabled", s.enabled, "level",
                     client_log_level_name((int)s.level));
}

int client_logs_announce(struct hub *hub, int64_t staff_id, struct client_logs_state before,
                         const json_t *after_settings)
{
    struct client_logs_state after = client_logs_state_of(after_settings);
    char msg[96];
    int n;
    if (after.enabled && (!before.enabled || before.level != after.level))
        n = snprintf(msg, sizeof(msg),
                     "{\"type\":\"client_logs.enabled\",\"data\":{\"level\":\"%s\"}}",
                     client_log_level_name((int)after.level));
    else if (!after.enabled && before.enabled)
        n = snprintf(msg, sizeof(msg), "{\"type\":\"client_logs.disabled\",\"data\":{}}");
    else
        return 0;
    if (!hub)
        return 0;
    char topic[32];
    snprintf(topic, sizeof(topic), "user:%lld", (long long)staff_id);
    int r = hub_publish(hub, topic, msg, (size_t)n);
    if (r)
        log_warn("client logs: the notice to agent %lld was dropped (%s)", (long long)staff_id,
                 sb_err_name(r));
    return r;
}
