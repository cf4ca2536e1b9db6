/* intervals.c — parsing and matching sub-intervals, and the in-memory set of intervals the
 * flow interpreter reads. Storage is in interval_store.c. */
#include "routing/intervals.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"

#define ALL_WDAYS  0x7fu
#define ALL_MDAYS  0xfffffffeu
#define ALL_MONTHS 0x0fffu

static const char *const wday_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                          "jul", "aug", "sep", "oct", "nov", "dec"};

static bool is_any(const char *s)
{
    return !s || !strcmp(s, "*");
}

static const char *skip_spaces(const char *p)
{
    while (*p == ' ')
        p++;
    return p;
}

/* Reads 1..max_digits decimal digits at *p. */
static bool read_uint(const char **p, int max_digits, int *out)
{
    int v = 0, n = 0;
    while (isdigit((unsigned char)**p) && n < max_digits) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    if (!n || isdigit((unsigned char)**p))
        return false;
    *out = v;
    return true;
}

/* "H:MM" or "HH:MM" at *p into a minute of the day. */
static bool read_clock(const char **p, int *minute)
{
    int h, m;
    const char *q = *p;
    if (!read_uint(&q, 2, &h) || *q != ':')
        return false;
    q++;
    if (!isdigit((unsigned char)q[0]) || !isdigit((unsigned char)q[1]) ||
        isdigit((unsigned char)q[2]))
        return false;
    m = (q[0] - '0') * 10 + (q[1] - '0');
    if (h > 23 || m > 59)
        return false;
    *p = q + 2;
    *minute = h * 60 + m;
    return true;
}

static bool parse_time_range(const char *s, int16_t *start, int16_t *end)
{
    if (is_any(s)) {
        *start = *end = -1;
        return true;
    }
    int a, b;
    const char *p = skip_spaces(s);
    if (!read_clock(&p, &a))
        return false;
    p = skip_spaces(p);
    if (*p++ != '-')
        return false;
    p = skip_spaces(p);
    if (!read_clock(&p, &b) || *skip_spaces(p))
        return false;
    *start = (int16_t)a;
    *end = (int16_t)b;
    return true;
}

/* One value of a list: a name from `names` (case-insensitive; index + base) or, when names is
 * NULL, a number in [lo, hi]. */
struct list_kind {
    const char *const *names;
    int lo, hi; /* value range; for names lo = 0, hi = count - 1 */
};

static bool read_item(const char **p, const struct list_kind *k, int *out)
{
    if (!k->names)
        return read_uint(p, 2, out) && *out >= k->lo && *out <= k->hi;
    for (int i = k->lo; i <= k->hi; i++) {
        if (!strncasecmp(*p, k->names[i], 3) && !isalpha((unsigned char)(*p)[3])) {
            *p += 3;
            *out = i;
            return true;
        }
    }
    return false;
}

/* "a", "a-b" (wrapping past hi back to lo), comma-separated, into bits. */
static bool parse_list(const char *s, const struct list_kind *k, uint32_t *bits)
{
    *bits = 0;
    const char *p = s;
    for (;;) {
        int a, b;
        p = skip_spaces(p);
        if (!read_item(&p, k, &a))
            return false;
        p = skip_spaces(p);
        b = a;
        if (*p == '-') {
            p = skip_spaces(p + 1);
            if (!read_item(&p, k, &b))
                return false;
            p = skip_spaces(p);
        }
        for (int d = a;; d = d == k->hi ? k->lo : d + 1) {
            *bits |= 1u << d;
            if (d == b)
                break;
        }
        if (!*p)
            return true;
        if (*p++ != ',')
            return false;
    }
}

int interval_spec_parse(const char *time_range, const char *week_days, const char *month_days,
                        const char *months, struct sub_interval *out, const char **field,
                        const char **msg)
{
    static const struct list_kind wk = {wday_names, 0, 6}, md = {NULL, 1, 31},
                                  mo = {month_names, 0, 11};
    const char *vals[4] = {time_range, week_days, month_days, months};
    static const char *const names[4] = {"time_range", "week_days", "month_days", "months"};
    static const char *const msgs[4] = {
        "must be \"*\" or HH:MM-HH:MM (00:00 to 23:59; the end minute is included)",
        "must be \"*\" or days sun..sat, comma-separated, ranges like mon-fri",
        "must be \"*\" or days 1..31, comma-separated, ranges like 1-15",
        "must be \"*\" or months jan..dec, comma-separated, ranges like jan-mar"};
    struct sub_interval s = {-1, -1, ALL_WDAYS, ALL_MDAYS, ALL_MONTHS};
    for (int i = 0; i < 4; i++) {
        bool ok = !vals[i] || strlen(vals[i]) <= INTERVAL_FIELD_MAX;
        uint32_t bits = 0;
        if (ok && i == 0)
            ok = parse_time_range(vals[i], &s.start_min, &s.end_min);
        else if (ok && !is_any(vals[i]))
            ok = parse_list(vals[i], i == 1 ? &wk : i == 2 ? &md : &mo, &bits);
        if (!ok) {
            *field = names[i];
            *msg = msgs[i];
            return SB_EINVALID;
        }
        if (i == 1 && !is_any(vals[i]))
            s.wdays = (uint8_t)bits;
        else if (i == 2 && !is_any(vals[i]))
            s.mdays = bits;
        else if (i == 3 && !is_any(vals[i]))
            s.months = (uint16_t)bits;
    }
    *out = s;
    return 0;
}

bool sub_interval_matches_tm(const struct sub_interval *s, const struct tm *tm)
{
    if (s->start_min >= 0) {
        int m = tm->tm_hour * 60 + tm->tm_min;
        bool in = s->start_min <= s->end_min ? m >= s->start_min && m <= s->end_min
                                             : m >= s->start_min || m <= s->end_min;
        if (!in)
            return false;
    }
    return tm->tm_wday >= 0 && tm->tm_wday < 7 && (s->wdays >> tm->tm_wday & 1u) &&
           tm->tm_mday >= 1 && tm->tm_mday <= 31 && (s->mdays >> tm->tm_mday & 1u) &&
           tm->tm_mon >= 0 && tm->tm_mon < 12 && (s->months >> tm->tm_mon & 1u);
}

int interval_local_time(int64_t utc_ms, struct tm *out)
{
    /* Floor division: an instant before 1970 still falls in the right second. */
    int64_t secs = utc_ms / 1000 - (utc_ms % 1000 < 0);
    time_t t = (time_t)secs;
    if ((int64_t)t != secs || !localtime_r(&t, out))
        return SB_EINVAL;
    return 0;
}

bool interval_matches(const struct sub_interval *subs, size_t n, int64_t utc_ms)
{
    struct tm tm;
    if (!n || interval_local_time(utc_ms, &tm))
        return false;
    for (size_t i = 0; i < n; i++)
        if (sub_interval_matches_tm(&subs[i], &tm))
            return true;
    return false;
}

/* ---- the set ----------------------------------------------------------------------------- */

struct interval_entry {
    int64_t id;
    size_t n;
    struct sub_interval *subs;
};

struct interval_set {
    struct interval_entry *v; /* sorted by id */
    size_t n, cap;
};

struct interval_set *interval_set_new(void)
{
    return calloc(1, sizeof(struct interval_set));
}

void interval_set_free(struct interval_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].subs);
    free(s->v);
    free(s);
}

/* The index of the first entry with id >= `id`. */
static size_t lower_bound(const struct interval_set *s, int64_t id)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->v[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int interval_set_add(struct interval_set *s, int64_t id, const struct sub_interval *subs, size_t n)
{
    if (!s || id <= 0 || n > INTERVAL_SUBS_MAX || (n && !subs))
        return SB_EINVAL;
    size_t at = lower_bound(s, id);
    if (at < s->n && s->v[at].id == id)
        return SB_ECONFLICT;
    if (s->n >= INTERVAL_COUNT_MAX)
        return SB_EFULL;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct interval_entry *v = realloc(s->v, cap * sizeof(*v));
        if (!v)
            return SB_ENOMEM;
        s->v = v;
        s->cap = cap;
    }
    struct sub_interval *copy = NULL;
    if (n) {
        copy = malloc(n * sizeof(*copy));
        if (!copy)
            return SB_ENOMEM;
        memcpy(copy, subs, n * sizeof(*copy));
    }
    memmove(&s->v[at + 1], &s->v[at], (s->n - at) * sizeof(s->v[0]));
    s->v[at] = (struct interval_entry){id, n, copy};
    s->n++;
    return 0;
}

int interval_set_matches(const struct interval_set *s, int64_t id, int64_t utc_ms)
{
    if (!s)
        return SB_ENOTFOUND;
    size_t at = lower_bound(s, id);
    if (at == s->n || s->v[at].id != id)
        return SB_ENOTFOUND;
    return interval_matches(s->v[at].subs, s->v[at].n, utc_ms) ? 1 : 0;
}
