/* flow_run.c — the flow interpreter (flow_step) and the per-interaction state it keeps. Pure:
 * everything it reads is passed in. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "routing/flow.h"

void flow_state_init(struct flow_state *st)
{
    memset(st, 0, sizeof(*st));
}

int flow_state_encode(const struct flow_state *st, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "v1:%016" PRIx64 "%016" PRIx64 ":%016" PRIx64 "%016" PRIx64 ":%d:%d",
                     st->replied[0], st->replied[1], st->replied_run[0], st->replied_run[1],
                     st->first_run ? 1 : 0, st->steps);
    return n < 0 || (size_t)n >= cap ? SB_ETOOBIG : 0;
}

int flow_state_decode(const char *text, struct flow_state *st)
{
    flow_state_init(st);
    if (!text || !*text)
        return 0;
    struct flow_state s;
    int first = 0, used = 0;
    if (strlen(text) > 80 ||
        sscanf(text, "v1:%16" SCNx64 "%16" SCNx64 ":%16" SCNx64 "%16" SCNx64 ":%d:%d%n",
               &s.replied[0], &s.replied[1], &s.replied_run[0], &s.replied_run[1], &first, &s.steps,
               &used) != 6 ||
        text[used] || (first != 0 && first != 1) || s.steps < 0 || s.steps > FLOW_MAX_STEPS)
        return SB_EINVAL;
    s.first_run = first == 1;
    *st = s;
    return 0;
}

static bool bit_get(const uint64_t b[2], int priority)
{
    int i = priority - 1;
    return i >= 0 && i < 128 && (b[i / 64] >> (i % 64) & 1u);
}

static void bit_set(uint64_t b[2], int priority)
{
    int i = priority - 1;
    if (i >= 0 && i < 128)
        b[i / 64] |= (uint64_t)1 << (i % 64);
}

/* Whether auto-reply `a` at `priority` is due now, by its mode. */
static bool reply_due(const struct flow_action *a, int priority, const struct flow_state *st)
{
    switch (a->mode) {
    case FLOW_REPLY_ALWAYS:
        return !bit_get(st->replied_run, priority);
    case FLOW_REPLY_ONE_TIME:
        return !bit_get(st->replied, priority);
    case FLOW_REPLY_FIRST_MESSAGE:
        return st->first_run && !bit_get(st->replied, priority);
    }
    return false;
}

static void decide(struct flow_decision *out, int kind, int priority, int next)
{
    out->kind = kind;
    out->priority = priority;
    out->next = next;
}

int flow_step(const struct flow *f, const struct interval_set *intervals,
              const struct flow_vars *vars, int64_t now_ms, int why, int position,
              struct flow_state *st, struct flow_decision *out)
{
    memset(out, 0, sizeof(*out));
    switch (why) {
    case FLOW_WHY_NEW_INTERACTION:
        flow_state_init(st);
        st->first_run = true;
        position = 1;
        break;
    case FLOW_WHY_NEW_MESSAGE:
        st->first_run = false;
        st->replied_run[0] = st->replied_run[1] = 0;
        st->steps = 0;
        position = 1;
        break;
    case FLOW_WHY_TIMEOUT:
        st->steps = 0; /* a wait ended: a new evaluation */
        /* fall through */
    case FLOW_WHY_CONTINUE:
        if (position < 1)
            return SB_EINVAL;
        break;
    default:
        return SB_EINVAL;
    }
    int n = f ? (int)f->n : 0;
    for (int p = position;;) {
        if (p > n) {
            decide(out, FLOW_DO_END, 0, 0);
            out->end_reason = FLOW_END_LAST_ACTION;
            snprintf(out->log, sizeof(out->log), "no action after priority %d", p - 1);
            return 0;
        }
        if (st->steps >= FLOW_MAX_STEPS) {
            decide(out, FLOW_DO_END, 0, 0);
            out->end_reason = FLOW_END_STEP_LIMIT;
            snprintf(out->log, sizeof(out->log),
                     "%d actions without a queue or agent wait (at priority %d): a loop?",
                     FLOW_MAX_STEPS, p);
            return 0;
        }
        st->steps++;
        out->steps++;
        const struct flow_action *a = &f->actions[p - 1];
        if (a->interval_id && interval_set_matches(intervals, a->interval_id, now_ms) != 1) {
            p++; /* outside its interval (or an interval we do not know): skipped */
            continue;
        }
        switch (a->app) {
        case FLOW_APP_QUEUE:
            decide(out, FLOW_DO_ENQUEUE, p, p + 1);
            out->queue_id = a->queue_id;
            out->timeout = a->timeout;
            return 0;
        case FLOW_APP_AGENT:
            decide(out, FLOW_DO_OFFER_AGENT, p, p + 1);
            out->agent_id = a->agent_id;
            out->timeout = a->timeout;
            return 0;
        case FLOW_APP_AUTO_REPLY:
            if (!reply_due(a, p, st)) {
                p++;
                continue;
            }
            bit_set(st->replied, p);
            bit_set(st->replied_run, p);
            decide(out, FLOW_DO_AUTO_REPLY, p, p + 1);
            out->text = a->text;
            out->reply_all = a->reply_all;
            return 0;
        case FLOW_APP_CLOSE:
            decide(out, FLOW_DO_CLOSE, p, 0);
            out->text = a->text;
            return 0;
        case FLOW_APP_TAG:
            decide(out, FLOW_DO_TAG, p, p + 1);
            out->text = a->text;
            return 0;
        case FLOW_APP_NOOP:
            decide(out, FLOW_DO_LOG, p, p + 1);
            flow_template_expand(a->text ? a->text : "", vars, out->log, sizeof(out->log));
            return 0;
        case FLOW_APP_GOTO_IF:
            p = flow_expr_eval(a->cond, vars) ? a->true_priority
                : a->false_priority           ? a->false_priority
                                              : p + 1;
            continue;
        case FLOW_APP_GOTO_P:
            p = a->true_priority;
            continue;
        default:
            p++;
            continue;
        }
    }
}
