/* agent_fields.h — the table-driven agent settings of docs/staff-fields.md.
 *
 * Every agent field that is not an identity column of `staff`/`agents` (username, full_name,
 * email, password, internal, typology, alias, description, disabled, locked, mfa_enabled,
 * sso_enabled, last password reset, avatar) lives in one JSON object, `agents.settings`,
 * described by one table of definitions (name, type, default per typology, enum choices or
 * range, which typologies it applies to). This module owns that table: defaults, validation
 * of a change (each bad field named, nothing applied on any error), and the cross-field rules
 * of docs/staff-fields.md §2 that involve these fields and the typology. Pure functions,
 * thread-safe. */
#ifndef SB_STAFF_AGENT_FIELDS_H
#define SB_STAFF_AGENT_FIELDS_H

#include <jansson.h>
#include <stdbool.h>

/* True for phonebar, external, webrtc, mobile. */
bool agent_typology_valid(const char *typology);

/* The complete settings object with every field at its default for `typology` (new
 * reference, or NULL on ENOMEM). */
json_t *agent_settings_defaults(const char *typology);

/* Applies `patch` (an object of settings fields, may be empty) over `current` (a complete
 * settings object, or NULL for the typology's defaults) for an agent of `typology`.
 * Checks every field's type, enum/range, and the cross-field rules (g729 with phonebar/webrtc,
 * transports per typology, mutually exclusive screen recording, required SIP destination port,
 * mobile push gateway, …); `mobile_allowed` is the licence flag. Unknown fields are errors.
 * Returns 0 with *merged (new reference: the complete new settings), or SB_EINVALID with
 * *errors (new JSON array of {field, message}), or SB_ENOMEM. */
int agent_settings_apply(const char *typology, const json_t *current, const json_t *patch,
                         bool mobile_allowed, json_t **merged, json_t **errors);

/* The names of every settings field in table order (for CSV export columns): fills *names
 * with a static array and returns the count. */
int agent_settings_fields(const char *const **names);

/* The description of the settings table for a client that renders the agent form:
 * {typologies: [...], sections: [{id, label}] in tab order, fields: [{name, label, section,
 * type (boolean|integer|string|enum|enum_list|bool_map), nullable, default (the Phonebar
 * default), defaults {typology: value}, typologies (the tabs it applies to), min/max for
 * integers, max_length for strings, choices for enums, lists and maps, nonempty for lists}]}
 * in table order. New reference, or NULL on ENOMEM. */
json_t *agent_fields_describe(void);

#endif
