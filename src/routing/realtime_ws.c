#include "routing/realtime_ws.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/permissions.h"
#include "core/log.h"
#include "db/db.h"
#include "staff/accounts.h"

struct sub_job {
    struct sb_app *app;
    struct ws_ref ref;
    int64_t user_id;
};

static void send_text(struct sb_app *app, struct ws_ref ref, const char *s)
{
    hub_send(app->hub, ref, s, strlen(s));
}

static void subscribe_job(void *arg)
{
    struct sub_job *j = arg;
    struct db *db = app_thread_db(j->app);
    struct account acc;
    unsigned actions = 0;
    char msg[160];
    if (!db || account_by_id(db, j->user_id, &acc)) {
        snprintf(msg, sizeof(msg), "%s",
                 "{\"type\":\"realtime.error\",\"data\":{\"status\":503,\"detail\":\"try "
                 "again\"}}");
    } else if (!acc.profile_id ||
               perm_profile_section(db, acc.profile_id, PERM_SECTION_REALTIME, &actions) ||
               !(actions & PERM_READ)) {
        snprintf(msg, sizeof(msg), "%s",
                 "{\"type\":\"realtime.error\",\"data\":{\"status\":403,\"detail\":\"your "
                 "profile does not allow the realtime view\"}}");
    } else {
        char topic[40];
        snprintf(topic, sizeof(topic), "profile:%lld", (long long)acc.profile_id);
        int r = hub_subscribe(j->app->hub, j->ref, topic);
        snprintf(msg, sizeof(msg),
                 r ? "{\"type\":\"realtime.error\",\"data\":{\"status\":503,\"detail\":\"busy\"}}"
                   : "{\"type\":\"realtime.subscribed\",\"data\":{\"profile_id\":%lld}}",
                 (long long)acc.profile_id);
    }
    send_text(j->app, j->ref, msg);
    free(j);
}

bool realtime_on_ws_message(struct sb_app *app, struct ws_ref from, const struct hub_identity *who,
                            const char *msg, size_t len)
{
    json_t *j = json_loadb(msg, len, JSON_REJECT_DUPLICATES, NULL);
    const char *type = json_string_value(json_object_get(j, "type"));
    bool ours = type && !strcmp(type, "realtime.subscribe");
    json_decref(j);
    if (!ours)
        return false;
    if (!strcmp(who->role, "admin")) {
        hub_subscribe(app->hub, from, "realtime");
        send_text(app, from, "{\"type\":\"realtime.subscribed\",\"data\":{\"all\":true}}");
    } else if (!strcmp(who->role, "user") && who->user_id > 0) {
        struct sub_job *job = malloc(sizeof(*job));
        if (job)
            *job = (struct sub_job){app, from, who->user_id};
        if (!job || jobs_submit(&app->jobs, subscribe_job, job)) {
            free(job);
            send_text(
                app, from,
                "{\"type\":\"realtime.error\",\"data\":{\"status\":503,\"detail\":\"busy\"}}");
        }
    } else {
        send_text(app, from,
                  "{\"type\":\"realtime.error\",\"data\":{\"status\":403,\"detail\":\"agents have "
                  "no realtime view\"}}");
    }
    return true;
}
