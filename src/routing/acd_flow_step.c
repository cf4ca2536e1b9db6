/* acd_flow_step.c — the ACD's bridge to the action flows (routing/flow.h): it loads the flow
 * of the interaction's account (cached per account by version), the intervals, the
 * interaction's variables and its flow memory, asks flow_step for the next decision and
 * stores the memory back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "db/db.h"
#include "routing/acd_impl.h"
#include "routing/flow.h"

_Static_assert((int)ACD_WHY_NEW_INTERACTION == (int)FLOW_WHY_NEW_INTERACTION &&
                   (int)ACD_WHY_NEW_MESSAGE == (int)FLOW_WHY_NEW_MESSAGE &&
                   (int)ACD_WHY_TIMEOUT == (int)FLOW_WHY_TIMEOUT &&
                   (int)ACD_WHY_CONTINUE == (int)FLOW_WHY_CONTINUE,
               "acd_why mirrors flow_why");

#define VAR_COUNT 22
#define VAR_TEXT  (64 * 1024 + 4096)

struct vars {
    struct flow_var v[VAR_COUNT];
    size_t n;
    char text[VAR_TEXT]; /* the values, one after another */
    size_t used;
};

static void var(struct vars *vs, const char *name, const char *value)
{
    if (vs->n >= VAR_COUNT)
        return;
    value = value ? value : "";
    size_t len = strlen(value);
    if (vs->used + len + 1 > sizeof(vs->text))
        len = sizeof(vs->text) - vs->used - 1;
    char *dst = vs->text + vs->used;
    memcpy(dst, value, len);
    dst[len] = 0;
    vs->used += len + 1;
    vs->v[vs->n].name = name;
    vs->v[vs->n].value = dst;
    vs->n++;
}

static void var_int(struct vars *vs, const char *name, int64_t v, bool null)
{
    char buf[24] = "";
    if (!null)
        snprintf(buf, sizeof(buf), "%lld", (long long)v);
    var(vs, name, buf);
}

/* The variables of docs/flows.md for interaction `id` and its last inbound message. */
static int load_vars(struct db *db, int64_t id, struct vars *vs, char *memory, size_t cap)
{
    struct db_stmt *st = NULL;
    int r = db_prepare(
        db,
        "SELECT i.id, i.channel, i.account_id, i.status, i.unread, i.owner_id, i.queue_id, "
        "i.disposition, i.tags, i.thread_id, i.created_at, (SELECT COUNT(*) FROM messages m "
        "WHERE m.interaction_id = i.id), c.id, c.first_name, c.last_name, c.phone, c.email, "
        "c.channel_key, c.list_id, i.flow_memory FROM interactions i JOIN contacts c ON c.id = "
        "i.contact_id WHERE i.id = ?",
        &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        var_int(vs, "interaction.id", db_col_int64(st, 0), false);
        var(vs, "interaction.channel", db_col_text(st, 1));
        var_int(vs, "interaction.account_id", db_col_int64(st, 2), false);
        var(vs, "interaction.status", db_col_text(st, 3));
        var_int(vs, "interaction.unread", db_col_int64(st, 4), false);
        var_int(vs, "interaction.owner_id", db_col_int64(st, 5), db_col_is_null(st, 5));
        var_int(vs, "interaction.queue_id", db_col_int64(st, 6), db_col_is_null(st, 6));
        var(vs, "interaction.disposition", db_col_text(st, 7));
        var(vs, "interaction.tags", db_col_text(st, 8));
        var(vs, "interaction.thread_id", db_col_text(st, 9));
        var_int(vs, "interaction.created_at", db_col_int64(st, 10), false);
        var_int(vs, "interaction.messages", db_col_int64(st, 11), false);
        var_int(vs, "contact.id", db_col_int64(st, 12), false);
        var(vs, "contact.first_name", db_col_text(st, 13));
        var(vs, "contact.last_name", db_col_text(st, 14));
        var(vs, "contact.phone", db_col_text(st, 15));
        var(vs, "contact.email", db_col_text(st, 16));
        var(vs, "contact.channel_key", db_col_text(st, 17));
        var_int(vs, "contact.list_id", db_col_int64(st, 18), false);
        snprintf(memory, cap, "%s", db_col_text(st, 19) ? db_col_text(st, 19) : "");
        r = 0;
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    if (r)
        return r;
    st = NULL;
    r = db_prepare(db,
                   "SELECT body, direction, attachments, created_at FROM messages WHERE "
                   "interaction_id = ? AND direction = 'in' ORDER BY id DESC LIMIT 1",
                   &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r && db_step(st) == DB_ROW) {
        var(vs, "message.body", db_col_text(st, 0));
        var(vs, "message.direction", db_col_text(st, 1));
        var(vs, "message.attachments", db_col_text(st, 2));
        var_int(vs, "message.created_at", db_col_int64(st, 3), false);
    }
    db_finalize(st);
    return r < 0 ? r : 0;
}

void acd_flow_cache_free(struct acd_flow_cache *c)
{
    flow_free(c->flow);
    interval_set_free(c->intervals);
    c->flow = NULL;
    c->intervals = NULL;
}

int acd_flow_next(struct acd *a, struct db *db, struct acd_ix *ix, int why, int64_t now,
                  struct acd_flow_cache *cache, struct acd_step *out)
{
    (void)a;
    memset(out, 0, sizeof(*out));
    out->kind = STEP_END;
    struct flow *f = NULL;
    struct interval_set *iv = NULL;
    struct vars *vs = calloc(1, sizeof(*vs));
    char memory[128] = "";
    const char *ch = eng_channel_name(ix->channel);
    int r = vs ? load_vars(db, ix->id, vs, memory, sizeof(memory)) : SB_ENOMEM;
    if (!r && !cache->flow)
        r = flow_load(db, ch, ix->account_id, &cache->flow, NULL);
    if (!r && !cache->intervals)
        r = interval_set_load(db, &cache->intervals, NULL);
    f = cache->flow;
    iv = cache->intervals;
    struct flow_state st;
    if (!r && flow_state_decode(memory, &st))
        flow_state_init(&st);
    struct flow_decision d;
    if (!r) {
        struct flow_vars fv = {vs->v, vs->n};
        r = flow_step(f, iv, &fv, now, why, ix->position, &st, &d);
    }
    if (!r) {
        char enc[128];
        if (!flow_state_encode(&st, enc, sizeof(enc)))
            db_execf(db, NULL, "UPDATE interactions SET flow_memory = ? WHERE id = ?", "ti", enc,
                     ix->id);
        out->position = d.priority;
        out->next = d.next;
        switch (d.kind) {
        case FLOW_DO_ENQUEUE:
            out->kind = STEP_QUEUE;
            out->target = d.queue_id;
            out->timeout_s = d.timeout;
            break;
        case FLOW_DO_OFFER_AGENT:
            out->kind = STEP_AGENT;
            out->target = d.agent_id;
            out->timeout_s = d.timeout;
            break;
        case FLOW_DO_AUTO_REPLY:
            out->kind = STEP_REPLY;
            flow_template_expand(d.text ? d.text : "", &(struct flow_vars){vs->v, vs->n}, out->text,
                                 sizeof(out->text));
            break;
        case FLOW_DO_CLOSE:
            out->kind = STEP_CLOSE;
            snprintf(out->text, sizeof(out->text), "%s", d.text ? d.text : "");
            break;
        case FLOW_DO_TAG:
            out->kind = STEP_TAG;
            snprintf(out->text, sizeof(out->text), "%s", d.text ? d.text : "");
            break;
        case FLOW_DO_LOG:
            out->kind = STEP_NOOP;
            snprintf(out->text, sizeof(out->text), "%s", d.log);
            break;
        default:
            if (d.end_reason == FLOW_END_STEP_LIMIT)
                log_warn("acd: flow of interaction %lld stopped: %s", (long long)ix->id, d.log);
            break;
        }
    } else {
        log_warn("acd: flow of interaction %lld not evaluated (%d)", (long long)ix->id, r);
    }
    free(vs);
    return r;
}
