#include "staff/mask_policy.h"

#include <jansson.h>
#include <string.h>

#include "admin/settings.h"
#include "app.h"
#include "db/db.h"
#include "http/mask.h"
#include "staff/agents.h"
#include "staff/profiles.h"

/* Fails closed: a caller whose policy cannot be read sees the data masked. */
static int resolve(void *user, int64_t staff_id, const char *role)
{
    if (!strcmp(role, "admin"))
        return -1;
    int masked = (int)settings_get_int("security.mask_sensitive_characters");
    struct db *db = app_thread_db(user);
    if (!db)
        return masked;
    if (!strcmp(role, "user")) {
        int64_t profile = 0;
        if (db_query_int64(db, "SELECT COALESCE(profile_id, 0) FROM staff WHERE id = ?", &profile,
                           1, staff_id))
            return masked;
        return profile_masks(db, profile) ? masked : -1;
    }
    char typology[16];
    json_t *settings = NULL;
    if (agent_load_settings(db, staff_id, typology, &settings))
        return masked;
    bool on = !json_is_false(json_object_get(settings, "mask_sensitive_data"));
    json_decref(settings);
    return on ? masked : -1;
}

void mask_policy_install(struct sb_app *app)
{
    mask_set_resolver(resolve, app);
}
