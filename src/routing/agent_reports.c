#include "routing/agent_reports.h"

#include <string.h>

#include "core/err.h"
#include "db/db.h"
#include "routing/reports.h"

int report_session_begin(struct db *db, int64_t staff_id, const char *channel, int64_t at_ms)
{
    const char *ch = report_channel_name(channel);
    if (!ch)
        return SB_EINVAL;
    return db_execf(db, NULL,
                    "INSERT INTO report_agent_sessions(staff_id, channel, login_at) "
                    "VALUES(?, ?, ?)",
                    "iti", staff_id, ch, at_ms);
}

int report_session_end(struct db *db, int64_t staff_id, const char *channel, int64_t at_ms)
{
    const char *ch = report_channel_name(channel);
    if (!ch)
        return SB_EINVAL;
    int64_t n = 0;
    int r = db_execf(db, &n,
                     "UPDATE report_agent_sessions SET logout_at = CASE WHEN ? < login_at THEN "
                     "login_at ELSE ? END WHERE staff_id = ? AND channel = ? AND logout_at IS NULL",
                     "iiit", at_ms, at_ms, staff_id, ch);
    return r ? r : n ? 0 : SB_ENOTFOUND;
}

int report_pause_begin(struct db *db, int64_t staff_id, const char *reason, int64_t at_ms)
{
    if (reason && strlen(reason) > REPORT_PAUSE_REASON_MAX)
        return SB_EINVAL;
    return db_execf(db, NULL,
                    "INSERT INTO report_agent_pauses(staff_id, reason, paused_at) VALUES(?, ?, ?)",
                    "iti", staff_id, reason, at_ms);
}

int report_pause_end(struct db *db, int64_t staff_id, int64_t at_ms)
{
    int64_t n = 0;
    int r = db_execf(db, &n,
                     "UPDATE report_agent_pauses SET unpaused_at = CASE WHEN ? < paused_at THEN "
                     "paused_at ELSE ? END WHERE staff_id = ? AND unpaused_at IS NULL",
                     "iii", at_ms, at_ms, staff_id);
    return r ? r : n ? 0 : SB_ENOTFOUND;
}
