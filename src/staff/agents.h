/* agents.h — agent records: identity in `staff` (role 'agent'), typology and settings in
 * `agents`. Validation of the settings is agent_fields.h's; this module stores and reads. */
#ifndef SB_STAFF_AGENTS_H
#define SB_STAFF_AGENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

struct agent_new {
    const char *username, *full_name, *email, *alias, *description;
    const char *typology;
    const char *password_hash;
    bool must_change;
    int64_t internal;       /* 0 = generate from `min_internal` */
    int64_t min_internal;   /* general.min_internal */
    const json_t *settings; /* complete, validated */
    const char *sip_realm;  /* asterisk.realm: the agent gets its SIP secret in the same
                             * transaction (staff/sip_secret.h); NULL = later, by the
                             * start-up backfill (no key file at hand) */
};

/* Creates an agent in one transaction. A generated extension is the lowest free number at or
 * above min_internal; concurrent creates that pick the same number retry (bounded), so two
 * agents never share one. SB_ECONFLICT for a taken username or a taken explicit extension
 * (*conflict_field says which: "username" or "internal"). With a->sip_realm the agent's SIP
 * secret is created too (needs seal_init()); a seal error fails the whole create. */
int agent_create(struct db *db, const struct agent_new *a, int64_t now_ms, int64_t *id_out,
                 int64_t *internal_out, const char **conflict_field);

/* The public JSON of agent `id` (identity + typology + settings + avatar_url), or
 * SB_ENOTFOUND. */
int agent_get(struct db *db, int64_t id, json_t **out);

/* Reads typology and settings (new reference) for a change. */
int agent_load_settings(struct db *db, int64_t id, char typology[16], json_t **settings);

/* Saves identity changes (fields present in `identity`: full_name, email, alias, description,
 * internal, disabled) and the complete new typology/settings in one transaction. */
int agent_update(struct db *db, int64_t id, const json_t *identity, const char *typology,
                 const json_t *settings, int64_t now_ms, const char **conflict_field);

/* Marks the agent deleted (history keeps its name), frees its username and extension, clears
 * its avatar column and removes it from every queue and every team, in one transaction. The
 * caller removes the avatar file afterwards (avatar_store.h). SB_ENOTFOUND when `id` is not a
 * live agent. */
int agent_delete(struct db *db, int64_t id, int64_t now_ms);

/* The most agents one agent_delete_many() call deletes. */
#define AGENT_DELETE_MANY_MAX 500

/* Deletes agents `ids[0..n)` as agent_delete does, all in one transaction: all or nothing.
 * An id that is not a live agent (also one repeated in `ids`), or is outside the scope, fails
 * the call with SB_EINVALID and *bad = its index. scope_sql NULL = any agent; otherwise
 * perm_scope_sql(ctx, "agent") with its `?` bound to profile_id. SB_EINVAL when n is 0 or
 * above AGENT_DELETE_MANY_MAX. */
int agent_delete_many(struct db *db, const int64_t *ids, size_t n, const char *scope_sql,
                      int64_t profile_id, int64_t now_ms, size_t *bad);

struct agent_query {
    const char *q;         /* search in username, full name, alias, extension; NULL = all */
    const char *typology;  /* NULL = all */
    const char *sort;      /* username | full_name | internal | created_at, '-' prefix = desc */
    const char *scope_in;  /* perm_scope_sql(ctx, "agent"): NULL = no restriction */
    int64_t scope_profile; /* bound to scope_in's `?` */
    int64_t limit, offset;
    const int64_t *ids; /* only these agents (the selection of an export); NULL = all */
    size_t nids;        /* at most AGENT_QUERY_IDS_MAX */
};

#define AGENT_QUERY_IDS_MAX 5000

/* Lists agents: *items (new array of agent JSON) and *total matches. SB_EINVAL when nids is
 * above AGENT_QUERY_IDS_MAX. */
int agent_list(struct db *db, const struct agent_query *q, json_t **items, int64_t *total);

#endif
