#include "routing/queues.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/json_out.h"
#include "core/err.h"
#include "db/db.h"

static const char *const channels = "voice|chat|email|sms|openchannel|fax|whatsapp";
/* Digital queues: the product's three strategies. Voice queues keep Asterisk's. */
static const char *const digital_strategies = "beepall|rrmemory|leastrecent";
static const char *const voice_strategies =
    "ringall|rrmemory|leastrecent|fewestcalls|random|linear|wrandom";
/* The seed gives no default agent timeout; 15 s is our choice (docs/staff-fields.md). */
#define QUEUE_DEFAULT_AGENT_TIMEOUT 15

static bool in_choices(const char *s, const char *choices)
{
    if (!s || !*s || strchr(s, '|'))
        return false;
    size_t n = strlen(s);
    for (const char *c = choices; *c;) {
        const char *end = strchrnul(c, '|');
        if ((size_t)(end - c) == n && !memcmp(c, s, n))
            return true;
        c = *end ? end + 1 : end;
    }
    return false;
}

bool queue_channel_valid(const char *channel)
{
    return in_choices(channel, channels);
}

static void err(json_t **errors, const char *field, const char *msg)
{
    if (!*errors)
        *errors = json_array();
    json_array_append_new(*errors, json_pack("{s:s, s:s}", "field", field, "message", msg));
}

int queue_validate(const json_t *body, const json_t *current, json_t **clean, json_t **errors)
{
    *errors = NULL;
    *clean = NULL;
    static const char *const known[] = {"name",     "channel",       "description",
                                        "strategy", "agent_timeout", "weight"};
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)body, k, v)
    {
        bool ok = false;
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
            ok |= !strcmp(k, known[i]);
        if (!ok)
            err(errors, k, "unknown field");
    }
    json_t *out = current ? json_deep_copy(current) : json_object();
    if (!out)
        return SB_ENOMEM;
    /* channel: required on create, fixed afterwards */
    json_t *ch = json_object_get(body, "channel");
    if (current && ch && !json_equal(ch, json_object_get(current, "channel")))
        err(errors, "channel", "cannot be changed");
    else if (!current && !queue_channel_valid(json_string_value(ch)))
        err(errors, "channel",
            "is required: voice, chat, email, sms, openchannel, fax or whatsapp");
    else if (!current)
        json_object_set(out, "channel", ch);
    const char *channel = json_string_value(json_object_get(out, "channel"));
    bool voice = channel && !strcmp(channel, "voice");

    json_t *name = json_object_get(body, "name");
    if (name || !current) {
        const char *s = json_string_value(name);
        bool ok =
            s && *s && json_string_length(name) <= 64 && strlen(s) == json_string_length(name);
        for (const unsigned char *c = (const unsigned char *)s; ok && *c; c++)
            ok = *c >= 0x20 && *c != 0x7f;
        if (!ok)
            err(errors, "name", "is required: 1 to 64 characters");
        else
            json_object_set(out, "name", name);
    }
    json_t *desc = json_object_get(body, "description");
    if (desc) {
        if (!json_is_null(desc) && (!json_is_string(desc) || json_string_length(desc) > 1024))
            err(errors, "description", "must be a string of at most 1024 characters");
        else
            json_object_set(out, "description", desc);
    } else if (!current) {
        json_object_set_new(out, "description", json_null());
    }
    json_t *strategy = json_object_get(body, "strategy");
    const char *choices = voice ? voice_strategies : digital_strategies;
    if (strategy) {
        if (!in_choices(json_string_value(strategy), choices))
            err(errors, "strategy",
                voice ? "must be one of ringall, rrmemory, leastrecent, fewestcalls, random, "
                        "linear, wrandom"
                      : "must be one of beepall, rrmemory, leastrecent");
        else
            json_object_set(out, "strategy", strategy);
    } else if (!current && channel) {
        json_object_set_new(out, "strategy", json_string(voice ? "ringall" : "beepall"));
    }
    static const struct {
        const char *name;
        int min, max, def;
        const char *msg;
    } ints[] = {
        {"agent_timeout", 1, 3600, QUEUE_DEFAULT_AGENT_TIMEOUT,
         "must be an integer from 1 to 3600 seconds"},
        {"weight", 0, 10, 0, "must be an integer from 0 to 10"},
    };
    for (size_t i = 0; i < 2; i++) {
        json_t *iv = json_object_get(body, ints[i].name);
        if (iv) {
            if (!json_is_integer(iv) || json_integer_value(iv) < ints[i].min ||
                json_integer_value(iv) > ints[i].max)
                err(errors, ints[i].name, ints[i].msg);
            else
                json_object_set(out, ints[i].name, iv);
        } else if (!current) {
            json_object_set_new(out, ints[i].name, json_integer(ints[i].def));
        }
    }
    if (*errors) {
        json_decref(out);
        return SB_EINVALID;
    }
    *clean = out;
    return 0;
}

int queue_create(struct db *db, const json_t *c, int64_t now_ms, int64_t *id_out)
{
    struct db_stmt *st;
    int r =
        db_prepare(db,
                   "INSERT INTO queues(channel, name, description, strategy, agent_timeout, "
                   "weight, created_at, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                   &st);
    if (!r)
        r = db_bind_all(st, "ttttiiii", json_string_value(json_object_get(c, "channel")),
                        json_string_value(json_object_get(c, "name")),
                        json_string_value(json_object_get(c, "description")),
                        json_string_value(json_object_get(c, "strategy")),
                        (int64_t)json_integer_value(json_object_get(c, "agent_timeout")),
                        (int64_t)json_integer_value(json_object_get(c, "weight")), now_ms, now_ms);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *id_out = db_col_int64(st, 0);
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_EINTERNAL;
    }
    db_finalize(st);
    return r;
}

int queue_update(struct db *db, int64_t id, const json_t *c, int64_t now_ms)
{
    int64_t n = 0;
    int r = db_execf(db, &n,
                     "UPDATE queues SET name = ?, description = ?, strategy = ?, agent_timeout = "
                     "?, weight = ?, updated_at = ? WHERE id = ?",
                     "tttiiii", json_string_value(json_object_get(c, "name")),
                     json_string_value(json_object_get(c, "description")),
                     json_string_value(json_object_get(c, "strategy")),
                     (int64_t)json_integer_value(json_object_get(c, "agent_timeout")),
                     (int64_t)json_integer_value(json_object_get(c, "weight")), now_ms, id);
    return r ? r : n ? 0 : SB_ENOTFOUND;
}

#define QUEUE_SELECT                                                                               \
    "SELECT q.id, q.channel, q.name, q.description, q.strategy, q.agent_timeout, q.weight, "       \
    "q.created_at, (SELECT COUNT(*) FROM queue_members_effective e WHERE e.queue_id = q.id) FROM " \
    "queues q"

static json_t *queue_from_row(struct db_stmt *st)
{
    return json_pack("{s:I, s:s, s:s, s:s?, s:s, s:I, s:I, s:o, s:I}", "id",
                     (json_int_t)db_col_int64(st, 0), "channel", db_col_text(st, 1), "name",
                     db_col_text(st, 2), "description", db_col_text(st, 3), "strategy",
                     db_col_text(st, 4), "agent_timeout", (json_int_t)db_col_int64(st, 5), "weight",
                     (json_int_t)db_col_int64(st, 6), "created_at", json_time(db_col_int64(st, 7)),
                     "agents", (json_int_t)db_col_int64(st, 8));
}

int queue_get(struct db *db, int64_t id, json_t **out)
{
    struct db_stmt *st;
    int r = db_prepare(db, QUEUE_SELECT " WHERE q.id = ?", &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        *out = queue_from_row(st);
        r = *out ? 0 : SB_ENOMEM;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    return r;
}

int queue_delete(struct db *db, int64_t id)
{
    int64_t n = 0;
    int r = db_begin(db);
    if (r)
        return r;
    /* profile_resources is polymorphic (no foreign key): a profile must not keep a queue id
     * that a later queue could reuse. Members and team associations cascade. */
    r = db_execf(db, NULL, "DELETE FROM profile_resources WHERE kind = 'queue' AND resource_id = ?",
                 "i", id);
    if (!r)
        r = db_execf(db, &n, "DELETE FROM queues WHERE id = ?", "i", id);
    if (!r && !n)
        r = SB_ENOTFOUND;
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}

int queue_list(struct db *db, const struct queue_query *query, json_t **items, int64_t *total)
{
    const char *q = query->q;
    char like[160] = "";
    if (q)
        snprintf(like, sizeof(like), "%%%s%%", q);
    const char *ch = query->channel ? query->channel : "", *qq = q ? q : "";
    /* Supervisors: only their profile's queues (the fifth parameter). */
    char where[700];
    snprintf(where, sizeof(where),
             " WHERE (? = '' OR q.channel = ?) AND (? = '' OR lower(q.name) LIKE lower(?))%s%s",
             query->scope_in ? " AND q.id " : "", query->scope_in ? query->scope_in : "");
    const int scoped = query->scope_in ? 1 : 0;
    char sql[1200];
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM queues q%s", where);
    struct db_stmt *st;
    int r = db_prepare(db, sql, &st);
    if (!r)
        r = db_bind_all(st, "tttt", ch, ch, qq, like);
    if (!r && scoped)
        r = db_bind_int64(st, 5, query->scope_profile);
    if (!r)
        r = db_step(st);
    *total = r == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (r < 0)
        return r;
    snprintf(sql, sizeof(sql), QUEUE_SELECT "%s ORDER BY q.channel, q.name LIMIT ? OFFSET ?",
             where);
    r = db_prepare(db, sql, &st);
    if (!r)
        r = db_bind_all(st, "tttt", ch, ch, qq, like);
    if (!r && scoped)
        r = db_bind_int64(st, 5, query->scope_profile);
    if (!r)
        r = db_bind_int64(st, 5 + scoped, query->limit);
    if (!r)
        r = db_bind_int64(st, 6 + scoped, query->offset);
    *items = json_array();
    while (!r && (r = db_step(st)) == DB_ROW) {
        json_array_append_new(*items, queue_from_row(st));
        r = 0;
    }
    db_finalize(st);
    if (r < 0) {
        json_decref(*items);
        *items = NULL;
        return r;
    }
    return 0;
}

int queue_add_agents(struct db *db, int64_t queue_id, const json_t *ids, int64_t now_ms,
                     int64_t *bad)
{
    *bad = 0;
    int r = db_begin(db);
    size_t i;
    json_t *v;
    json_array_foreach((json_t *)ids, i, v)
    {
        if (r)
            break;
        int64_t id = json_integer_value(v), is_agent = 0;
        r = db_query_int64(db,
                           "SELECT COUNT(*) FROM agents g JOIN staff s ON s.id = g.staff_id "
                           "WHERE s.id = ? AND s.deleted_at IS NULL",
                           &is_agent, 1, id);
        if (!r && !is_agent) {
            *bad = id;
            r = SB_EINVALID;
        }
        if (!r)
            r = db_execf(db, NULL,
                         "INSERT INTO queue_members(queue_id, staff_id, added_at) VALUES(?, ?, ?) "
                         "ON CONFLICT (queue_id, staff_id) DO NOTHING",
                         "iii", queue_id, id, now_ms);
    }
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}

int queue_remove_agent(struct db *db, int64_t queue_id, int64_t staff_id)
{
    int64_t n = 0;
    int r = db_execf(db, &n, "DELETE FROM queue_members WHERE queue_id = ? AND staff_id = ?", "ii",
                     queue_id, staff_id);
    return r ? r : n ? 0 : SB_ENOTFOUND;
}

/* Adds to each element of `items` (objects with "id") a `teams` array of the names that
 * `sql` (one int64 parameter `param`, rows (staff or queue id, team name) in name order)
 * gives for its id. */
static int attach_team_names(struct db *db, json_t *items, const char *sql, int64_t param)
{
    json_t *by_id = json_object();
    if (!by_id)
        return SB_ENOMEM;
    size_t i;
    json_t *it;
    char key[24];
    int r = 0;
    json_array_foreach(items, i, it)
    {
        json_t *names = json_array();
        snprintf(key, sizeof(key), "%lld",
                 (long long)json_integer_value(json_object_get(it, "id")));
        if (!names || json_object_set_new(it, "teams", names) || json_object_set(by_id, key, names))
            r = SB_ENOMEM;
    }
    struct db_stmt *st = NULL;
    if (!r)
        r = db_prepare(db, sql, &st);
    if (!r)
        r = db_bind_int64(st, 1, param);
    while (!r && (r = db_step(st)) == DB_ROW) {
        snprintf(key, sizeof(key), "%lld", (long long)db_col_int64(st, 0));
        json_t *names = json_object_get(by_id, key);
        r = names && json_array_append_new(names, json_string(db_col_text(st, 1))) ? SB_ENOMEM : 0;
    }
    db_finalize(st);
    json_decref(by_id);
    return r < 0 ? r : 0;
}

int queue_agents(struct db *db, int64_t queue_id, json_t **items)
{
    struct db_stmt *st;
    int r = db_prepare(db,
                       "SELECT s.id, s.username, s.full_name, s.internal, CASE WHEN EXISTS (SELECT "
                       "1 FROM queue_members m WHERE m.queue_id = ? AND m.staff_id = s.id) THEN 1 "
                       "ELSE 0 END FROM staff s WHERE s.deleted_at IS NULL AND s.id IN (SELECT "
                       "e.staff_id FROM queue_members_effective e WHERE e.queue_id = ?) ORDER BY "
                       "s.username LIMIT 10000",
                       &st);
    if (!r)
        r = db_bind_all(st, "ii", queue_id, queue_id);
    *items = json_array();
    if (!*items)
        r = r ? r : SB_ENOMEM;
    while (!r && (r = db_step(st)) == DB_ROW) {
        json_t *o =
            json_pack("{s:I, s:s, s:s, s:o, s:b}", "id", (json_int_t)db_col_int64(st, 0),
                      "username", db_col_text(st, 1), "full_name", db_col_text(st, 2), "internal",
                      db_col_is_null(st, 3) ? json_null() : json_integer(db_col_int64(st, 3)),
                      "direct", db_col_int64(st, 4) != 0);
        r = json_array_append_new(*items, o) ? SB_ENOMEM : 0;
    }
    db_finalize(st);
    if (r >= 0)
        r = attach_team_names(db, *items,
                              "SELECT tm.staff_id, t.name FROM queue_teams qt JOIN teams t ON t.id "
                              "= qt.team_id JOIN team_members tm ON tm.team_id = qt.team_id WHERE "
                              "qt.queue_id = ? ORDER BY t.name, t.id",
                              queue_id);
    if (r < 0) {
        json_decref(*items);
        *items = NULL;
        return r;
    }
    return 0;
}

int queue_effective_member_ids(struct db *db, int64_t queue_id, int64_t **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    struct db_stmt *st;
    int r = db_prepare(db,
                       "SELECT DISTINCT e.staff_id FROM queue_members_effective e JOIN staff s ON "
                       "s.id = e.staff_id WHERE e.queue_id = ? AND s.deleted_at IS NULL ORDER BY "
                       "e.staff_id",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, queue_id);
    int64_t *out = NULL;
    size_t used = 0, cap = 0;
    while (!r && (r = db_step(st)) == DB_ROW) {
        r = 0;
        if (used == cap) {
            if (cap == QUEUE_MEMBERS_MAX) {
                r = SB_ETOOBIG;
                break;
            }
            size_t ncap = cap ? cap * 2 : 64;
            if (ncap > QUEUE_MEMBERS_MAX)
                ncap = QUEUE_MEMBERS_MAX;
            int64_t *grown = realloc(out, ncap * sizeof(*out));
            if (!grown) {
                r = SB_ENOMEM;
                break;
            }
            out = grown;
            cap = ncap;
        }
        out[used++] = db_col_int64(st, 0);
    }
    db_finalize(st);
    if (r < 0) {
        free(out);
        return r;
    }
    *ids = out;
    *n = used;
    return 0;
}

int queue_add_teams(struct db *db, int64_t queue_id, const json_t *team_ids, int64_t now_ms,
                    size_t *bad)
{
    *bad = 0;
    int r = db_begin(db);
    if (r)
        return r;
    int64_t found = 0;
    r = db_query_int64(db, "SELECT COUNT(*) FROM queues WHERE id = ?", &found, 1, queue_id);
    if (!r && !found)
        r = SB_ENOTFOUND;
    size_t i;
    json_t *v;
    json_array_foreach((json_t *)team_ids, i, v)
    {
        if (r)
            break;
        int64_t id = json_integer_value(v);
        r = db_query_int64(db, "SELECT COUNT(*) FROM teams WHERE id = ?", &found, 1, id);
        if (!r && !found) {
            *bad = i;
            r = SB_EINVALID;
        }
        if (!r)
            r = db_execf(db, NULL,
                         "INSERT INTO queue_teams(queue_id, team_id, added_at) VALUES(?, ?, ?) "
                         "ON CONFLICT (queue_id, team_id) DO NOTHING",
                         "iii", queue_id, id, now_ms);
    }
    if (!r)
        r = db_commit(db);
    if (r)
        db_rollback(db);
    return r;
}

int queue_remove_team(struct db *db, int64_t queue_id, int64_t team_id)
{
    int64_t n = 0;
    int r = db_execf(db, &n, "DELETE FROM queue_teams WHERE queue_id = ? AND team_id = ?", "ii",
                     queue_id, team_id);
    return r ? r : n ? 0 : SB_ENOTFOUND;
}

int queue_teams(struct db *db, int64_t queue_id, json_t **items)
{
    *items = NULL;
    struct db_stmt *st;
    int r = db_prepare(db,
                       "SELECT t.id, t.name, (SELECT COUNT(*) FROM team_members m JOIN staff s ON "
                       "s.id = m.staff_id WHERE m.team_id = t.id AND s.deleted_at IS NULL) FROM "
                       "queue_teams qt JOIN teams t ON t.id = qt.team_id WHERE qt.queue_id = ? "
                       "ORDER BY t.name, t.id",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, queue_id);
    json_t *out = json_array();
    if (!out)
        r = r ? r : SB_ENOMEM;
    while (!r && (r = db_step(st)) == DB_ROW) {
        json_t *o = json_pack("{s:I, s:s, s:I}", "id", (json_int_t)db_col_int64(st, 0), "name",
                              db_col_text(st, 1), "agents", (json_int_t)db_col_int64(st, 2));
        r = json_array_append_new(out, o) ? SB_ENOMEM : 0;
    }
    db_finalize(st);
    if (r < 0) {
        json_decref(out);
        return r;
    }
    *items = out;
    return 0;
}
