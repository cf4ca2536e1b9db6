/* canned.h — canned answers (issue #6; docs/sms.md "Canned answers"): ready texts an agent
 * picks when replying, global or of one account, searchable, with {{variables}} filled from
 * the agent, the contact and the interaction.
 *
 * Variables (names are case-sensitive; spaces inside the braces are allowed):
 *   {{agent.alias}}         the agent's alias, or its full name when it has none
 *   {{agent.full_name}}     {{agent.username}}  {{agent.internal}}  {{agent.email}}
 *   {{contact.first_name}}  {{contact.last_name}}  {{contact.full_name}}
 *   {{contact.phone}}       {{contact.email}}
 *   {{interaction.id}}      {{interaction.channel}}
 *   {{account.name}}        {{account.key}}
 * A value that is not known (NULL) renders as nothing. Text that is not a well-formed
 * variable ("{{ x", "{{a b}}") is copied as it is. Saving refuses unknown variable names.
 *
 * Storage functions run on the caller's connection and return 0 or a negative sb_err; nothing
 * changes on an error. canned_render and canned_check are pure (any thread). */
#ifndef SB_INTERACTIONS_CANNED_H
#define SB_INTERACTIONS_CANNED_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

#define CANNED_NAME_MAX   128   /* characters of a name */
#define CANNED_BODY_MAX   4096  /* characters of a body */
#define CANNED_SCOPE_MAX  5000  /* answers in one scope (global, or one account) */
#define CANNED_RENDER_MAX 16384 /* bytes of a rendered text, NUL included */

struct canned_agent {
    const char *alias, *full_name, *username, *email;
    int64_t internal; /* 0 = none */
};

struct canned_contact {
    const char *first_name, *last_name, *phone, *email;
};

struct canned_interaction {
    int64_t id;
    const char *channel;
    const char *account_name, *account_key;
};

/* The variable names ("agent.alias", …); *n gets their count. */
const char *const *canned_variable_names(size_t *n);

/* Checks the variables of a template: 0, or SB_EINVALID with the first unknown name copied
 * to bad (cap bytes, truncated). */
int canned_check(const char *tmpl, char *bad, size_t cap);

/* Renders `tmpl` with the variables of agent, contact and interaction (each may be NULL: its
 * variables render as nothing) into out (cap bytes, NUL-terminated). Returns 0, or
 * SB_ETOOBIG when the result does not fit (out then holds a truncated text). */
int canned_render(const char *tmpl, const struct canned_agent *agent,
                  const struct canned_contact *contact,
                  const struct canned_interaction *interaction, char *out, size_t cap);

/* Validates a create (`current` NULL) or a change into *clean {name, body, scope, channel,
 * account_id}: scope "global" (default) or "account" with channel "sms"/"openchannel" and an
 * existing account_id. SB_EINVALID with *errors (each bad field named; an unknown variable in
 * the body is named), or a storage error. */
int canned_validate(struct db *db, const json_t *body, const json_t *current, json_t **clean,
                    json_t **errors);

/* Stores a new answer. SB_ECONFLICT (the name is taken in its scope), SB_ETOOBIG (scope
 * full). */
int canned_create(struct db *db, const json_t *clean, int64_t now_ms, int64_t *id_out);

/* Replaces `id`'s fields. SB_ENOTFOUND, SB_ECONFLICT. */
int canned_update(struct db *db, int64_t id, const json_t *clean, int64_t now_ms);

/* {id, name, body, scope, channel, account_id, created_at, updated_at}. SB_ENOTFOUND. */
int canned_get(struct db *db, int64_t id, json_t **out);

/* Deletes `id`. SB_ENOTFOUND. */
int canned_delete(struct db *db, int64_t id);

struct canned_filter {
    const char *scope;   /* NULL = any; "global" or "account" */
    const char *channel; /* with account_id: that account's (plus global ones if applicable) */
    int64_t account_id;
    bool applicable;  /* global ∪ the account's (channel, account_id) */
    const char *q;    /* NULL or a text searched in names and bodies (case-insensitive) */
    int64_t agent_id; /* > 0: only global ones and those of accounts the agent belongs to */
};

/* Answers matching `f`, ordered by name. */
int canned_list(struct db *db, const struct canned_filter *f, int64_t limit, int64_t offset,
                json_t **items, int64_t *total);

/* True in *visible when agent `agent_id` may read answer `id` (global, or of one of its
 * accounts). SB_ENOTFOUND. */
int canned_visible_to_agent(struct db *db, int64_t id, int64_t agent_id, bool *visible);

/* Renders answer `id` for interaction `interaction_id` on behalf of agent `agent_id`: the
 * agent, the interaction's contact and account fill the variables. *out is a new string
 * (free()). SB_ENOTFOUND (no such answer or interaction), SB_ETOOBIG. */
int canned_render_stored(struct db *db, int64_t id, int64_t interaction_id, int64_t agent_id,
                         char **out);

/* Adds "text" to each answer object of `items` (as canned_list gives them): its body rendered
 * for interaction `interaction_id` on behalf of agent `agent_id` (the agent, the interaction's
 * contact and account are read once). A rendering longer than CANNED_RENDER_MAX is cut and
 * the item gets "truncated": true. 0, SB_ENOTFOUND (interaction), SB_ENOMEM, storage
 * errors (items may then be partly rendered). Caller's thread and connection. */
int canned_render_items(struct db *db, json_t *items, int64_t interaction_id, int64_t agent_id);

#endif
