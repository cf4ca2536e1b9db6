#include "auth/audit.h"

#include <stdlib.h>

#include "core/err.h"
#include "db/db.h"

int audit_record(struct db *db, int64_t at_ms, int64_t actor_id, const char *action,
                 const char *target_type, int64_t target_id, const char *ip, json_t *detail)
{
    char *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    struct db_stmt *st;
    int r = db_prepare(db,
                       "INSERT INTO audit_log(at, actor_id, action, target_type, target_id, ip, "
                       "detail) VALUES(?, ?, ?, ?, ?, ?, ?)",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, at_ms);
    if (!r)
        r = actor_id ? db_bind_int64(st, 2, actor_id) : db_bind_null(st, 2);
    if (!r)
        r = db_bind_text(st, 3, action, -1);
    if (!r)
        r = target_type ? db_bind_text(st, 4, target_type, -1) : db_bind_null(st, 4);
    if (!r)
        r = target_id ? db_bind_int64(st, 5, target_id) : db_bind_null(st, 5);
    if (!r)
        r = ip ? db_bind_text(st, 6, ip, -1) : db_bind_null(st, 6);
    if (!r)
        r = text ? db_bind_text(st, 7, text, -1) : db_bind_null(st, 7);
    if (!r)
        r = db_step(st) == DB_DONE ? 0 : SB_EINTERNAL;
    db_finalize(st);
    free(text);
    json_decref(detail);
    return r;
}
