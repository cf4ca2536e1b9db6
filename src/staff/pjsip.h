/* pjsip.h — renders an agent as Asterisk PJSIP configuration: an endpoint, an auth and an
 * aor section (docs/asterisk.md has the field mapping; the ps_* views of migration 0011 apply
 * the same one).
 *
 * Pure functions of their arguments, thread-safe. Nothing the renderer writes can start a line
 * or a section of its own: identifiers (username, context, transport, codecs, groups, host,
 * realm, md5_cred) must match their strict syntax or the agent is refused, and free text
 * (caller id, full name) is sanitized — control characters become spaces, '[' ']' ';' become
 * '(' ')' ',' — because Asterisk reads ';' as a comment and a line starting with '[' as a
 * section. */
#ifndef SB_STAFF_PJSIP_H
#define SB_STAFF_PJSIP_H

#include <jansson.h>
#include <stdint.h>

#include "core/buf.h"

/* What the renderer needs of one agent; every pointer is borrowed. */
struct pjsip_agent {
    const char *username;   /* endpoint and aor name; auth is "<username>-auth" */
    const char *full_name;  /* for the default caller id "full_name" <internal> */
    int64_t internal;       /* extension; 0 = none */
    const char *typology;   /* phonebar | external | webrtc | mobile */
    const char *md5_cred;   /* 32 lowercase hex digits */
    const char *realm;      /* the realm md5_cred was computed for */
    const json_t *settings; /* agents.settings (docs/staff-fields.md §1.4) */
};

/* Appends the three sections of `a` to `out`, each followed by a blank line. Returns 0;
 * SB_EINVALID when a value does not match its syntax (*bad_field, when not NULL, names the
 * field: "username", "transport", "codecs", …) — nothing is appended then; or SB_ETOOBIG /
 * SB_ENOMEM from the buffer, also with `out` unchanged. */
int pjsip_render_agent(struct buf *out, const struct pjsip_agent *a, const char **bad_field);

/* Writes `in` as a single pjsip.conf value into `out` (size > 0, truncated to fit):
 * control characters become ' ', '[' ']' ';' become '(' ')' ','. */
void pjsip_sanitize(const char *in, char *out, size_t size);

#endif
