#include "staff/asterisk.h"

#include <jansson.h>
#include <stdlib.h>

#include "core/buf.h"
#include "core/err.h"
#include "db/db.h"
#include "staff/pjsip.h"

static const char conf_header[] =
    "; Switchboard agents for Asterisk PJSIP: generated, do not edit (docs/asterisk.md).\n"
    "; Include it from pjsip.conf after your transports: transport-udp, transport-tcp,\n"
    "; transport-tls, transport-ws and transport-wss (those the agents below use).\n"
    "; Credentials are md5_cred digests: keep this file readable by Asterisk only.\n";

int asterisk_pjsip_conf(struct db *db, char **text, size_t *len)
{
    struct buf b, body;
    buf_init(&b, ASTERISK_CONF_MAX);
    buf_init(&body, ASTERISK_CONF_MAX);
    struct db_stmt *st = NULL;
    long long rendered = 0, skipped = 0;
    int r = db_prepare(db,
                       "SELECT s.id, s.username, s.full_name, s.internal, g.typology, g.settings, "
                       "g.md5_cred, g.sip_realm FROM staff s JOIN agents g ON g.staff_id = s.id "
                       "WHERE s.role = 'agent' AND s.deleted_at IS NULL AND s.disabled = 0 "
                       "ORDER BY s.username",
                       &st);
    while (!r && (r = db_step(st)) == DB_ROW) {
        r = 0;
        json_t *settings = json_loads(db_col_text(st, 5), 0, NULL);
        struct pjsip_agent a = {
            .username = db_col_text(st, 1),
            .full_name = db_col_text(st, 2),
            .internal = db_col_is_null(st, 3) ? 0 : db_col_int64(st, 3),
            .typology = db_col_text(st, 4),
            .md5_cred = db_col_text(st, 6),
            .realm = db_col_text(st, 7),
            .settings = settings,
        };
        const char *bad = NULL;
        int rr = a.md5_cred && a.realm ? pjsip_render_agent(&body, &a, &bad) : SB_EINVALID;
        json_decref(settings);
        if (rr == SB_EINVALID) {
            /* Only the id: the refused value itself might be what must not reach the file. */
            r = buf_addf(&body, "; agent id %lld left out: %s\n\n", (long long)db_col_int64(st, 0),
                         bad ? bad : "no SIP credentials yet");
            skipped++;
        } else {
            r = rr;
            rendered++;
        }
    }
    db_finalize(st);
    if (r == DB_DONE) {
        r = buf_adds(&b, conf_header);
        if (!r)
            r = buf_addf(&b, "; %lld agent(s)%s\n\n", rendered,
                         skipped ? ", some left out (see below)" : "");
        if (!r && body.len)
            r = buf_add(&b, body.data, body.len);
    }
    buf_free(&body);
    if (r) {
        buf_free(&b);
        return r;
    }
    *text = buf_take(&b, len);
    return *text ? 0 : SB_ENOMEM;
}
