/* settings.h — the typed settings store (admin "General" settings and, as later issues land,
 * the security, SMS and routing settings).
 *
 * Each setting is declared once in a table (key, type, default, range or choices, help). Values
 * live in the `settings` table as JSON text; a missing row means the default. Readers get the
 * cached value without touching the database (any thread; a rwlock guards the cache). A change
 * is validated in full first — every bad key is reported with its own message and nothing is
 * written — then stored in one transaction, then the cache is updated and
 * {"type":"settings.changed","data":{"keys":[…]}} is published on the hub's "role:admin"
 * topic. */
#ifndef SB_ADMIN_SETTINGS_H
#define SB_ADMIN_SETTINGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct hub;

enum setting_type { SETTING_INT, SETTING_BOOL, SETTING_STRING, SETTING_ENUM };

struct setting_def {
    const char *key; /* "general.interaction_tabs_limit" */
    enum setting_type type;
    const char *def;     /* default as JSON text: "20", "true", "\"alternate\"" */
    int64_t min, max;    /* SETTING_INT range; SETTING_STRING max length in max */
    const char *choices; /* SETTING_ENUM: "alternate|left|right" */
    const char *help;
    /* Optional extra check after the type/range check: returns NULL when valid, else the
     * message for the field. */
    const char *(*check)(const json_t *value);
};

/* Loads every stored value over the defaults. Unknown stored keys are ignored (a downgrade
 * left them); stored values that no longer validate fall back to the default with a warning.
 * `hub` may be NULL (no change events). Returns 0 or a db error. Call once at start-up, before
 * other threads read settings. */
int settings_init(struct db *db, struct hub *hub);

/* Frees the cache. */
void settings_cleanup(void);

/* Cached readers. Unknown keys or a wrong type are programming errors: they abort in debug
 * builds and return 0/false/"" otherwise. */
int64_t settings_get_int(const char *key);
bool settings_get_bool(const char *key);
/* Copies a string/enum value into out (truncated to n-1). Returns out. */
const char *settings_get_string(const char *key, char *out, size_t n);

/* security.session_idle_minutes in milliseconds. */
int64_t settings_idle_ms(void);

/* Returns a new JSON array describing every setting: key, type, value, default, and min/max
 * or choices. */
json_t *settings_describe(void);

/* A section view: every setting whose key starts with `prefix` ("security."), as an object
 * keyed by the rest of the key. New reference or NULL. */
json_t *settings_section_get(const char *prefix);

/* Replaces a whole section (PUT): `body` must name every key of the section, and nothing
 * else; problems are reported with the short field names. Otherwise as settings_apply(). */
int settings_section_put(struct db *db, const char *prefix, const json_t *body, int64_t now_ms,
                         json_t **errors);

/* Validates `patch` (an object of key -> new value) in full. On any problem returns
 * SB_EINVALID with *errors a new JSON array of {field, message} and nothing changed.
 * Otherwise writes all values in one transaction (`now_ms` as updated_at), updates the cache,
 * publishes the change and returns 0; a db error is returned as is, nothing changed. */
int settings_apply(struct db *db, const json_t *patch, int64_t now_ms, json_t **errors);

#endif
