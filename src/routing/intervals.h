/* intervals.h — time intervals (issue #5: "Intervals: named, with sub-intervals (always or a
 * custom time range + weekdays + month days + months; the end minute is inclusive), in the
 * server's time zone"). See docs/flows.md.
 *
 * An interval is a named union of sub-intervals: it matches at an instant when any of its
 * sub-intervals does (an interval without sub-intervals never matches). A sub-interval is
 * "always" or "custom": four fields, each "*" (any) or a list, all checked against the same
 * local time (the server's time zone: the TZ environment variable, else /etc/localtime):
 *
 *   time_range  "HH:MM-HH:MM"          the end minute is included (09:00-13:00 matches
 *                                      13:00:59); start > end crosses midnight
 *                                      (22:00-06:00); start = end is that one minute
 *   week_days   "mon-fri", "sat,sun", "fri-mon" (wraps), "mon-wed,fri"
 *   month_days  "1-15", "1,15,31", "25-5" (wraps)
 *   months      "jan-mar", "dec", "nov-feb" (wraps)
 *
 * Names are case-insensitive; a list is items separated by commas, each a value or a range
 * a-b. The fields are independent (Asterisk's GotoIfTime semantics): "22:00-06:00" with
 * "fri" matches Friday 00:00-06:00 and Friday 22:00-23:59, not Saturday morning.
 *
 * The matching part is pure (time passed in) and may run on any thread; the storage part uses
 * the caller's connection (any thread with its own) and returns 0 or a negative sb_err with
 * nothing changed on error. */
#ifndef SB_ROUTING_INTERVALS_H
#define SB_ROUTING_INTERVALS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct db;

#define INTERVAL_NAME_MAX        64   /* characters of a name */
#define INTERVAL_DESCRIPTION_MAX 1024 /* characters of a description */
#define INTERVAL_SUBS_MAX        100  /* sub-intervals per interval */
#define INTERVAL_COUNT_MAX       10000
#define INTERVAL_FIELD_MAX       128 /* characters of one spec field */

/* One sub-interval, parsed. Plain data: copy freely. */
struct sub_interval {
    int16_t start_min; /* minute of the day 0..1439, or -1 = any time */
    int16_t end_min;   /* included; < start_min crosses midnight */
    uint8_t wdays;     /* bit d for tm_wday d (0 = Sunday); 0x7f = every day */
    uint32_t mdays;    /* bit d for month day d (1..31); 0xfffffffe = every day */
    uint16_t months;   /* bit m for tm_mon m (0 = January); 0x0fff = every month */
};

/* Parses the four fields of a custom sub-interval (NULL or "*" = any) into *out. Returns 0, or
 * SB_EINVALID with *field set to the name of the first bad field ("time_range", "week_days",
 * "month_days", "months") and *msg to a static message. An "always" sub-interval is
 * interval_spec_parse(NULL, NULL, NULL, NULL, …). Pure. */
int interval_spec_parse(const char *time_range, const char *week_days, const char *month_days,
                        const char *months, struct sub_interval *out, const char **field,
                        const char **msg);

/* True when the sub-interval contains the local time `tm` (tm_hour, tm_min, tm_wday, tm_mday,
 * tm_mon are read). Pure. */
bool sub_interval_matches_tm(const struct sub_interval *s, const struct tm *tm);

/* The local time in the server's time zone of `utc_ms` (localtime_r: after changing TZ at run
 * time, call tzset() first). Returns 0 or SB_EINVAL for an instant localtime_r cannot
 * represent. */
int interval_local_time(int64_t utc_ms, struct tm *out);

/* True when any of the `n` sub-intervals contains the instant `utc_ms` in the server's time
 * zone (false when n is 0 or the instant cannot be converted). */
bool interval_matches(const struct sub_interval *subs, size_t n, int64_t utc_ms);

/* ---- a set of intervals by id (what the flow interpreter reads) -------------------------- */

struct interval_set;

/* A new empty set, or NULL when out of memory. Free with interval_set_free (NULL allowed). */
struct interval_set *interval_set_new(void);
void interval_set_free(struct interval_set *s);

/* Adds interval `id` (> 0) with a copy of its `n` sub-intervals (n <= INTERVAL_SUBS_MAX).
 * SB_ECONFLICT when `id` is already in the set, SB_EINVAL, SB_EFULL past INTERVAL_COUNT_MAX,
 * SB_ENOMEM. */
int interval_set_add(struct interval_set *s, int64_t id, const struct sub_interval *subs, size_t n);

/* 1 when interval `id` of the set matches at `utc_ms`, 0 when it does not, SB_ENOTFOUND when
 * the set has no such interval. */
int interval_set_matches(const struct interval_set *s, int64_t id, int64_t utc_ms);

/* Loads every stored interval into a new set (*out; free with interval_set_free). *version
 * (may be NULL) gets the intervals' version read before the set, so a change in between
 * shows as a newer interval_version() and the caller reloads once more. */
int interval_set_load(struct db *db, struct interval_set **out, int64_t *version);

/* The version of the stored intervals: it grows with every create, change and delete. The
 * router reloads its set when it differs from the one it loaded. */
int interval_version(struct db *db, int64_t *version);

/* ---- storage and validation (the REST API) ----------------------------------------------- */

/* Validates a create (`current` NULL) or a change (`current` = the stored interval object) of
 * {name, description, sub_intervals} and fills *clean with the complete object; a change
 * that carries `sub_intervals` replaces them all. Sub-interval objects are {name?, type
 * ("always" | "custom", default "custom"), time_range?, week_days?, month_days?, months?}.
 * Returns 0, or SB_EINVALID with *errors (new array of {field, message}; fields like
 * "sub_intervals[1].time_range"), or SB_ENOMEM. */
int interval_validate(const json_t *body, const json_t *current, json_t **clean, json_t **errors);

/* Stores a new interval with its sub-intervals (one transaction). SB_ECONFLICT when the name
 * is taken, SB_EFULL past INTERVAL_COUNT_MAX intervals. */
int interval_create(struct db *db, const json_t *clean, int64_t now_ms, int64_t *id_out);

/* Replaces interval `id` and its sub-intervals with `clean` (one transaction). SB_ENOTFOUND,
 * SB_ECONFLICT (name). */
int interval_update(struct db *db, int64_t id, const json_t *clean, int64_t now_ms);

/* The interval object {id, name, description, sub_intervals, flows (actions using it),
 * created_at, updated_at}, or SB_ENOTFOUND. */
int interval_get(struct db *db, int64_t id, json_t **out);

/* Lists intervals ordered by name (name search `q`, may be NULL). */
int interval_list(struct db *db, const char *q, int64_t limit, int64_t offset, json_t **items,
                  int64_t *total);

/* Deletes an interval and its sub-intervals. SB_ENOTFOUND; SB_ECONFLICT when a flow action
 * uses it (*users, may be NULL, gets how many). */
int interval_delete(struct db *db, int64_t id, int64_t *users);

#endif
