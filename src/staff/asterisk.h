/* asterisk.h — Asterisk provisioning from the agents table: the pjsip.conf text served by
 * GET /api/v1/provisioning/asterisk/pjsip.conf and printed by `switchboard asterisk-pjsip`
 * (one function, so both are the same text). docs/asterisk.md. */
#ifndef SB_STAFF_ASTERISK_H
#define SB_STAFF_ASTERISK_H

#include <stddef.h>

struct db;

#define ASTERISK_CONF_MAX (64u << 20)

/* Renders every agent Asterisk may see — live, not disabled, with SIP credentials — sorted by
 * username, after a header comment. Agents whose stored values fail the renderer's checks
 * (staff/pjsip.h) or that have no credentials yet are left out with a comment naming only
 * their id. Deterministic: no clock, no randomness. *text (free()) and *len get the text.
 * Returns 0, SB_ETOOBIG beyond ASTERISK_CONF_MAX, SB_ENOMEM or a db error. Reads only. */
int asterisk_pjsip_conf(struct db *db, char **text, size_t *len);

#endif
