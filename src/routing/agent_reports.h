/* agent_reports.h — the report rows of agents' activity: one row per login session on a
 * channel (report_agent_sessions) and one per pause (report_agent_pauses), written by whoever
 * sees the agent log in, log out, pause and unpause (the router thread; the API suites through
 * a test hook). Reading them is routing/reports.h.
 *
 * An agent has at most one open session per channel and at most one open pause: unique
 * partial indexes (migration 0016) make a second begin fail even across nodes. An end earlier
 * than its begin (a clock stepped back) is stored as the begin time, so a duration is never
 * negative. Any thread with its own connection. */
#ifndef SB_ROUTING_AGENT_REPORTS_H
#define SB_ROUTING_AGENT_REPORTS_H

#include <stdint.h>

struct db;

#define REPORT_PAUSE_REASON_MAX 255

/* Opens a session of agent `staff_id` on `channel` (a digital channel: chat, email, sms,
 * openchannel, fax, whatsapp) at `at_ms`. 0; SB_EINVAL for a bad channel; SB_ECONFLICT when a
 * session of that agent on that channel is open; storage errors as usual. */
int report_session_begin(struct db *db, int64_t staff_id, const char *channel, int64_t at_ms);

/* Closes the open session of `staff_id` on `channel` at `at_ms`. 0; SB_EINVAL for a bad
 * channel; SB_ENOTFOUND when none is open. */
int report_session_end(struct db *db, int64_t staff_id, const char *channel, int64_t at_ms);

/* Opens a pause of `staff_id` at `at_ms` with an optional reason (NULL or at most
 * REPORT_PAUSE_REASON_MAX bytes, else SB_EINVAL). SB_ECONFLICT when the agent is paused. */
int report_pause_begin(struct db *db, int64_t staff_id, const char *reason, int64_t at_ms);

/* Closes the open pause of `staff_id` at `at_ms`. 0 or SB_ENOTFOUND when it is not paused. */
int report_pause_end(struct db *db, int64_t staff_id, int64_t at_ms);

#endif
