#include "api/json_out.h"

#include "core/clock.h"

json_t *json_time(int64_t ms)
{
    if (!ms)
        return json_null();
    char buf[32];
    return json_string(clock_iso8601(ms, buf));
}

json_t *json_account(const struct account *a)
{
    return json_pack("{s:I, s:s, s:s, s:s?, s:s, s:b, s:b, s:o, s:i, s:b, s:b, s:o}", "id",
                     (json_int_t)a->id, "username", a->username, "full_name", a->full_name, "email",
                     a->email[0] ? a->email : NULL, "role", a->role, "disabled", a->disabled,
                     "locked", a->locked_at != 0, "locked_at", json_time(a->locked_at),
                     "failed_attempts", a->failed_attempts, "mfa_enabled", a->mfa_enabled,
                     "sso_enabled", a->sso_enabled, "password_changed_at",
                     json_time(a->password_changed_at));
}
