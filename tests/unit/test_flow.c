/* test_flow.c — action flows: a deterministic simulation on a virtual clock (a tiny router
 * that carries out each decision and times the queue/agent waits) covering every
 * application, timeouts running the next action, GotoIf/GotoP, bounded loops, intervals and
 * the auto-reply modes; the condition language; field-level validation; the persisted state;
 * and storage (atomic replace, versions, reference checks) on SQLite and, when
 * SB_TEST_PG_CONNINFO is set, PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "db_fixture.h"
#include "routing/flow.h"
#include "routing/intervals.h"

static json_t *must_load(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, 0, &e);
    if (!v)
        fail_msg("bad test JSON: %s (%s)", e.text, text);
    return v;
}

static struct flow *flow_of(const char *channel, const char *actions_json)
{
    json_t *a = must_load(actions_json), *errors = NULL;
    struct flow *f = NULL;
    int r = flow_parse(a, channel, &f, &errors);
    if (r) {
        char *e = json_dumps(errors, JSON_COMPACT);
        fail_msg("flow_parse: %d %s", r, e ? e : "");
    }
    json_decref(a);
    return f;
}

/* ---- the simulated router ---------------------------------------------------------------- */

struct sim {
    struct sb_clock clock;
    struct flow *f;
    struct interval_set *iv;
    struct flow_vars vars;
    struct flow_state st;
    int next;           /* where the flow goes on after the current wait */
    int64_t wait_until; /* end of the current queue/agent wait; 0 = none */
    char trace[8192];
};

static void trace(struct sim *s, const char *fmt, ...)
{
    size_t n = strlen(s->trace);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->trace + n, sizeof(s->trace) - n, fmt, ap);
    va_end(ap);
}

/* Runs the flow for `why` until it waits, closes or ends, carrying out each decision at once
 * and writing it to the trace: "queue:1/30 reply:Hi tag:x log:… close:… end:last|loop". */
static void sim_run(struct sim *s, int why)
{
    int pos = s->next;
    for (;;) {
        struct flow_decision d;
        assert_int_equal(
            flow_step(s->f, s->iv, &s->vars, clock_now_ms(&s->clock), why, pos, &s->st, &d), 0);
        switch (d.kind) {
        case FLOW_DO_ENQUEUE:
        case FLOW_DO_OFFER_AGENT:
            trace(s, "%s:%lld/%d ", d.kind == FLOW_DO_ENQUEUE ? "queue" : "agent",
                  (long long)(d.kind == FLOW_DO_ENQUEUE ? d.queue_id : d.agent_id), d.timeout);
            s->wait_until = clock_now_ms(&s->clock) + (int64_t)d.timeout * 1000;
            s->next = d.next;
            return;
        case FLOW_DO_AUTO_REPLY:
            trace(s, "reply:%s%s ", d.text, d.reply_all ? "(all)" : "");
            break;
        case FLOW_DO_TAG:
            trace(s, "tag:%s ", d.text);
            break;
        case FLOW_DO_LOG:
            trace(s, "log:%s ", d.log);
            break;
        case FLOW_DO_CLOSE:
            trace(s, "close:%s ", d.text ? d.text : "-");
            s->next = 0;
            s->wait_until = 0;
            return;
        case FLOW_DO_END:
            trace(s, "end:%s ", d.end_reason == FLOW_END_STEP_LIMIT ? "loop" : "last");
            s->next = 0;
            s->wait_until = 0;
            return;
        default:
            fail_msg("unknown decision %d", d.kind);
        }
        assert_true(d.next > 0);
        why = FLOW_WHY_CONTINUE;
        pos = d.next;
    }
}

/* Advances the virtual clock by `ms`, one second at a time; a wait that ends runs the flow on
 * with FLOW_WHY_TIMEOUT. */
static void sim_advance(struct sim *s, int64_t ms)
{
    int64_t end = clock_now_ms(&s->clock) + ms;
    while (clock_now_ms(&s->clock) < end) {
        int64_t step = end - clock_now_ms(&s->clock) < 1000 ? end - clock_now_ms(&s->clock) : 1000;
        clock_virtual_advance(&s->clock, step);
        if (s->wait_until && clock_now_ms(&s->clock) >= s->wait_until) {
            s->wait_until = 0;
            sim_run(s, FLOW_WHY_TIMEOUT);
        }
    }
}

/* The agent or queue took the interaction: the flow stops waiting. */
static void sim_accepted(struct sim *s)
{
    trace(s, "accepted ");
    s->wait_until = 0;
    s->next = 0;
}

static void sim_init(struct sim *s, const char *channel, const char *actions_json, int64_t start)
{
    memset(s, 0, sizeof(*s));
    clock_virtual_init(&s->clock, start);
    s->f = flow_of(channel, actions_json);
    flow_state_init(&s->st);
}

static void sim_done(struct sim *s)
{
    flow_free(s->f);
    interval_set_free(s->iv);
}

/* Trace since the last call, then cleared. */
static void expect(struct sim *s, const char *want)
{
    assert_string_equal(s->trace, want);
    s->trace[0] = 0;
}

static int64_t utc(int y, int mon, int d, int h, int mi, int sec)
{
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mon - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    return (int64_t)timegm(&tm) * 1000;
}

static const struct flow_var sms_vars[] = {
    {"contact.phone", "+390612345"},      {"contact.first_name", "Ada"},
    {"message.body", "URGENT: my order"}, {"interaction.status", "open"},
    {"interaction.unread", "3"},          {"interaction.tags", "[\"vip\"]"},
};

/* ---- simulations ------------------------------------------------------------------------- */

static void test_every_application_in_order(void **state)
{
    (void)state;
    struct sim s;
    sim_init(
        &s, "sms",
        "[{\"application\":\"auto_reply\",\"mode\":\"always\",\"text\":\"Hi\"},"
        "{\"application\":\"tag\",\"tag\":\"new\"},"
        "{\"application\":\"noop\",\"value\":\"from ${contact.phone} (${contact.first_name})\"},"
        "{\"application\":\"queue\",\"queue_id\":1,\"timeout\":30},"
        "{\"application\":\"agent\",\"agent_id\":9,\"timeout\":20},"
        "{\"application\":\"close\",\"disposition\":\"No answer\"}]",
        utc(2026, 6, 1, 10, 0, 0));
    s.vars = (struct flow_vars){sms_vars, sizeof(sms_vars) / sizeof(sms_vars[0])};
    sim_run(&s, FLOW_WHY_NEW_INTERACTION);
    expect(&s, "reply:Hi tag:new log:from +390612345 (Ada) queue:1/30 ");
    sim_advance(&s, 29999);
    expect(&s, ""); /* still waiting in the queue */
    sim_advance(&s, 1);
    expect(&s, "agent:9/20 "); /* the queue timed out: the next action runs */
    sim_advance(&s, 20000);
    expect(&s, "close:No answer ");
    sim_advance(&s, 600000);
    expect(&s, "");
    sim_done(&s);
}

static void test_timeouts_chain_and_the_flow_ends(void **state)
{
    (void)state;
    struct sim s;
    sim_init(&s, "openchannel",
             "[{\"application\":\"queue\",\"queue_id\":1,\"timeout\":10},"
             "{\"application\":\"queue\",\"queue_id\":2,\"timeout\":15},"
             "{\"application\":\"close\"}]",
             1000);
    sim_run(&s, FLOW_WHY_NEW_INTERACTION);
    sim_advance(&s, 10000);
    sim_advance(&s, 15000);
    expect(&s, "queue:1/10 queue:2/15 close:- ");
    /* Accepted in the second queue: nothing more happens. */
    sim_run(&s, FLOW_WHY_NEW_INTERACTION);
    sim_advance(&s, 10000);
    sim_advance(&s, 5000);
    sim_accepted(&s);
    sim_advance(&s, 60000);
    expect(&s, "queue:1/10 queue:2/15 accepted ");
    sim_done(&s);
    /* Past the last action, and the empty flow. */
    sim_init(&s, "sms", "[{\"application\":\"queue\",\"queue_id\":1,\"timeout\":5}]", 0);
    sim_run(&s, FLOW_WHY_NEW_INTERACTION);
    sim_advance(&s, 5000);
    expect(&s, "queue:1/5 end:last ");
    sim_done(&s);
    sim_init(&s, "sms", "[]", 0);
    sim_run(&s, FLOW_WHY_NEW_INTERACTION);
    expect(&s, "end:last ");
    sim_done(&s);
}

static void test_gotos(void **state)
{
    (void)state;
    const char *flow =
        "[{\"application\":\"goto_if\",\"condition\":\"${message.body} contains 'urgent'\","
        "\"true_priority\":4,\"false_priority\":2},"
        "{\"application\":\"goto_if\",\"condition\":\"${interaction.unread} > 5\","
        "\"true_priority\":5},"
        "{\"application\":\"goto_p\",\"priority\":6},"
        "{\"application\":\"queue\",\"queue_id\":100,\"timeout\":60},"
        "{\"application\":\"queue\",\"queue_id\":200,\"timeout\":60},"
        "{\"application\":\"queue\",\"queue_id\":300,\"timeout\":60}]";
    struct sim s;
    sim_init(&s, "sms", flow, 0);
    struct flow_var v1[] = {{"message.body", "This is URGENT"}, {"interaction.unread", "9"}};
    s.vars = (struct flow_vars){v1, 2};
    sim_run(&s, FLOW_WHY_NEW_INTERACTION);
    expect(&s, "queue:100/60 "); /* true → priority 4 */
    /* On timeout the flow goes on after the action that waited, not after the GotoIf. */
    sim_advance(&s, 60000);
    expect(&s, "queue:200/60 ");
    struct flow_var v2[] = {{"message.body", "hello"}, {"interaction.unread", "9"}};
    s.vars = (struct flow_vars){v2, 2};
    sim_run(&s, FLOW_WHY_NEW_MESSAGE);
    expect(&s, "queue:200/60 "); /* false → 2; 9 > 5 → 5 */
    struct flow_var v3[] = {{"message.body", "hello"}, {"interaction.unread", "10"}};
    s.vars = (struct flow_vars){v3, 1}; /* unread not supplied: "" is not > 5 */
    sim_run(&s, FLOW_WHY_NEW_MESSAGE);
    expect(&s, "queue:300/60 "); /* false → 2; false (no false priority) → 3; GotoP 6 */
    sim_done(&s);
}

static void test_loops_are_bounded(void **state)
{
    (void)state;
    struct sim s;
    /* Jumps only: ends in one call. */
    sim_init(&s, "sms",
             "[{\"application\":\"goto_p\",\"priority\":2},{\"application\":\"goto_p\","
             "\"priority\":1}]",
             0);
    struct flow_decision d;
    assert_int_equal(flow_step(s.f, NULL, NULL, 0, FLOW_WHY_NEW_INTERACTION, 0, &s.st, &d), 0);
    assert_int_equal(d.kind, FLOW_DO_END);
    assert_int_equal(d.end_reason, FLOW_END_STEP_LIMIT);
    assert_int_equal(d.steps, FLOW_MAX_STEPS);
    assert_non_null(strstr(d.log, "loop"));
    sim_done(&s);
    /* A loop that does something each time: bounded across the calls. */
    sim_init(
        &s, "sms",
        "[{\"application\":\"tag\",\"tag\":\"t\"},{\"application\":\"goto_p\",\"priority\":1}]", 0);
    sim_run(&s, FLOW_WHY_NEW_INTERACTION);
    char want[512] = "";
    for (int i = 0; i < FLOW_MAX_STEPS / 2; i++)
        strcat(want, "tag:t ");
    strcat(want, "end:loop ");
    expect(&s, want);
    sim_done(&s);
    /* A loop that waits in a queue each time is not cut: it keeps the interaction queued. */
    sim_init(&s, "sms",
             "[{\"application\":\"queue\",\"queue_id\":4,\"timeout\":5},{\"application\":"
             "\"goto_p\",\"priority\":1}]",
             0);
    sim_run(&s, FLOW_WHY_NEW_INTERACTION);
    sim_advance(&s, 1000 * 5 * 150);
    assert_int_equal(s.wait_until, 5 * 151 * 1000);
    assert_int_equal(strlen(s.trace), strlen("queue:4/5 ") * 151);
    sim_done(&s);
}

static void test_actions_outside_their_interval_are_skipped(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    struct sim s;
    sim_init(&s, "chat",
             "[{\"application\":\"queue\",\"queue_id\":1,\"timeout\":60,\"interval_id\":7},"
             "{\"application\":\"auto_reply\",\"mode\":\"always\",\"text\":\"closed\","
             "\"interval_id\":8},"
             "{\"application\":\"tag\",\"tag\":\"unknown interval\",\"interval_id\":99},"
             "{\"application\":\"close\",\"disposition\":\"Out of hours\"}]",
             utc(2026, 6, 1, 8, 59, 59)); /* Monday */
    s.iv = interval_set_new();
    struct sub_interval office, out_of_office[2];
    const char *field, *msg;
    assert_int_equal(
        interval_spec_parse("09:00-17:59", "mon-fri", NULL, NULL, &office, &field, &msg), 0);
    assert_int_equal(
        interval_spec_parse("18:00-08:59", NULL, NULL, NULL, &out_of_office[0], &field, &msg), 0);
    assert_int_equal(
        interval_spec_parse(NULL, "sat,sun", NULL, NULL, &out_of_office[1], &field, &msg), 0);
    assert_int_equal(interval_set_add(s.iv, 7, &office, 1), 0);
    assert_int_equal(interval_set_add(s.iv, 8, out_of_office, 2), 0);
    sim_run(&s, FLOW_WHY_NEW_INTERACTION); /* 08:59:59: closed */
    expect(&s, "reply:closed close:Out of hours ");
    clock_virtual_set(&s.clock, utc(2026, 6, 1, 9, 0, 0));
    sim_run(&s, FLOW_WHY_NEW_INTERACTION);
    expect(&s, "queue:1/60 ");
    /* The queue times out at 18:00:30, outside office hours: the reply runs, not a queue. */
    clock_virtual_set(&s.clock, utc(2026, 6, 1, 17, 59, 30));
    sim_run(&s, FLOW_WHY_NEW_INTERACTION);
    sim_advance(&s, 60000);
    expect(&s, "queue:1/60 reply:closed close:Out of hours ");
    /* Saturday noon. */
    clock_virtual_set(&s.clock, utc(2026, 6, 6, 12, 0, 0));
    sim_run(&s, FLOW_WHY_NEW_INTERACTION);
    expect(&s, "reply:closed close:Out of hours ");
    /* Without the interval set nothing with an interval runs. */
    interval_set_free(s.iv);
    s.iv = NULL;
    clock_virtual_set(&s.clock, utc(2026, 6, 1, 10, 0, 0));
    sim_run(&s, FLOW_WHY_NEW_INTERACTION);
    expect(&s, "close:Out of hours ");
    sim_done(&s);
}

static void test_auto_reply_modes(void **state)
{
    (void)state;
    struct sim s;
    sim_init(&s, "whatsapp",
             "[{\"application\":\"auto_reply\",\"mode\":\"one_time\",\"text\":\"A\"},"
             "{\"application\":\"auto_reply\",\"mode\":\"always\",\"text\":\"B\"},"
             "{\"application\":\"auto_reply\",\"mode\":\"first_message\",\"text\":\"C\"},"
             "{\"application\":\"queue\",\"queue_id\":1,\"timeout\":10},"
             "{\"application\":\"goto_p\",\"priority\":1}]",
             0);
    sim_run(&s, FLOW_WHY_NEW_INTERACTION);
    expect(&s, "reply:A reply:B reply:C queue:1/10 ");
    /* The loop back after the timeout belongs to the same run (the same message): none again. */
    sim_advance(&s, 10000);
    expect(&s, "queue:1/10 ");
    /* A second message: "always" replies again; one time and first message do not. */
    sim_run(&s, FLOW_WHY_NEW_MESSAGE);
    expect(&s, "reply:B queue:1/10 ");
    sim_advance(&s, 10000);
    expect(&s, "queue:1/10 ");
    /* The state survives being stored as text between two messages. */
    char text[128];
    assert_int_equal(flow_state_encode(&s.st, text, sizeof(text)), 0);
    assert_true(strlen(text) <= 80);
    struct flow_state back;
    assert_int_equal(flow_state_decode(text, &back), 0);
    assert_memory_equal(&back, &s.st, sizeof(back));
    flow_state_init(&s.st);
    s.st = back;
    sim_run(&s, FLOW_WHY_NEW_MESSAGE);
    expect(&s, "reply:B queue:1/10 ");
    /* A new interaction starts from scratch. */
    sim_run(&s, FLOW_WHY_NEW_INTERACTION);
    expect(&s, "reply:A reply:B reply:C queue:1/10 ");
    sim_done(&s);
    /* First message only while the first message runs the flow, even after a timeout. */
    sim_init(&s, "sms",
             "[{\"application\":\"queue\",\"queue_id\":1,\"timeout\":10},"
             "{\"application\":\"auto_reply\",\"mode\":\"first_message\",\"text\":\"sorry\"},"
             "{\"application\":\"queue\",\"queue_id\":2,\"timeout\":10}]",
             0);
    sim_run(&s, FLOW_WHY_NEW_INTERACTION);
    sim_advance(&s, 10000);
    expect(&s, "queue:1/10 reply:sorry queue:2/10 ");
    sim_run(&s, FLOW_WHY_NEW_MESSAGE);
    sim_advance(&s, 10000);
    expect(&s, "queue:1/10 queue:2/10 ");
    sim_done(&s);
    /* Email's reply-to-all rides along with the decision. */
    sim_init(&s, "email",
             "[{\"application\":\"auto_reply\",\"mode\":\"always\",\"text\":\"Got it\","
             "\"reply_type\":\"reply_all\"}]",
             0);
    sim_run(&s, FLOW_WHY_NEW_INTERACTION);
    expect(&s, "reply:Got it(all) end:last ");
    sim_done(&s);
    /* Bad state texts are refused; empty is a fresh state. */
    struct flow_state st;
    assert_int_equal(flow_state_decode(NULL, &st), 0);
    assert_int_equal(flow_state_decode("", &st), 0);
    assert_int_equal(flow_state_decode("v2:0", &st), SB_EINVAL);
    assert_int_equal(
        flow_state_decode(
            "v1:00000000000000000000000000000000:00000000000000000000000000000000:2:0", &st),
        SB_EINVAL);
    assert_int_equal(
        flow_state_decode(
            "v1:00000000000000000000000000000000:00000000000000000000000000000000:1:0x", &st),
        SB_EINVAL);
    char small[8];
    assert_int_equal(flow_state_encode(&st, small, sizeof(small)), SB_ETOOBIG);
}

static void test_same_inputs_same_decisions(void **state)
{
    (void)state;
    char first[8192] = "";
    for (int round = 0; round < 2; round++) {
        struct sim s;
        sim_init(&s, "sms",
                 "[{\"application\":\"auto_reply\",\"mode\":\"always\",\"text\":\"Hi\"},"
                 "{\"application\":\"goto_if\",\"condition\":\"${interaction.unread} >= 2\","
                 "\"true_priority\":4},"
                 "{\"application\":\"queue\",\"queue_id\":1,\"timeout\":7},"
                 "{\"application\":\"queue\",\"queue_id\":2,\"timeout\":3},"
                 "{\"application\":\"goto_p\",\"priority\":1}]",
                 5000);
        struct flow_var v[] = {{"interaction.unread", "1"}};
        s.vars = (struct flow_vars){v, 1};
        sim_run(&s, FLOW_WHY_NEW_INTERACTION);
        for (int i = 0; i < 20; i++) {
            v[0].value = i % 3 ? "1" : "2";
            if (i % 5 == 4)
                sim_run(&s, FLOW_WHY_NEW_MESSAGE);
            sim_advance(&s, 2500);
        }
        if (round == 0)
            strcpy(first, s.trace);
        else
            assert_string_equal(s.trace, first);
        sim_done(&s);
    }
    assert_true(strlen(first) > 50);
}

static void test_step_inputs(void **state)
{
    (void)state;
    struct flow *f = flow_of("sms", "[{\"application\":\"tag\",\"tag\":\"a\"}]");
    struct flow_state st;
    flow_state_init(&st);
    struct flow_decision d;
    assert_int_equal(flow_step(f, NULL, NULL, 0, 0, 1, &st, &d), SB_EINVAL);
    assert_int_equal(flow_step(f, NULL, NULL, 0, 99, 1, &st, &d), SB_EINVAL);
    assert_int_equal(flow_step(f, NULL, NULL, 0, FLOW_WHY_CONTINUE, 0, &st, &d), SB_EINVAL);
    assert_int_equal(flow_step(f, NULL, NULL, 0, FLOW_WHY_TIMEOUT, -3, &st, &d), SB_EINVAL);
    /* A position past the end (the flow was shortened meanwhile) ends the flow. */
    assert_int_equal(flow_step(f, NULL, NULL, 0, FLOW_WHY_CONTINUE, 7, &st, &d), 0);
    assert_int_equal(d.kind, FLOW_DO_END);
    assert_int_equal(d.end_reason, FLOW_END_LAST_ACTION);
    assert_int_equal(d.priority, 0);
    assert_int_equal(d.next, 0);
    /* The decision names its action and where to go on. */
    assert_int_equal(flow_step(f, NULL, NULL, 0, FLOW_WHY_NEW_MESSAGE, 0, &st, &d), 0);
    assert_int_equal(d.kind, FLOW_DO_TAG);
    assert_int_equal(d.priority, 1);
    assert_int_equal(d.next, 2);
    assert_int_equal(d.steps, 1);
    assert_int_equal(flow_step(NULL, NULL, NULL, 0, FLOW_WHY_NEW_MESSAGE, 0, &st, &d), 0);
    assert_int_equal(d.kind, FLOW_DO_END);
    flow_free(f);
}

/* ---- the condition language -------------------------------------------------------------- */

static bool cond(const char *src, const struct flow_vars *vars)
{
    struct flow_expr *e = NULL;
    char msg[200];
    if (flow_expr_compile(src, &e, msg, sizeof(msg)))
        fail_msg("compile %s: %s", src, msg);
    bool r = flow_expr_eval(e, vars);
    flow_expr_free(e);
    return r;
}

static void compile_fails(const char *src, const char *msg_part)
{
    struct flow_expr *e = NULL;
    char msg[200];
    assert_int_equal(flow_expr_compile(src, &e, msg, sizeof(msg)), SB_EINVALID);
    assert_null(e);
    if (!strstr(msg, msg_part))
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", src, msg, msg_part);
}

static void test_condition_language(void **state)
{
    (void)state;
    struct flow_vars v = {sms_vars, sizeof(sms_vars) / sizeof(sms_vars[0])};
    assert_true(cond("${interaction.status} == 'open'", &v));
    assert_false(cond("${interaction.status} != \"open\"", &v));
    assert_true(cond("${message.body} contains 'order'", &v));
    assert_true(cond("${message.body} contains 'urgent'", &v)); /* ASCII case ignored */
    assert_true(cond("${message.body} startsWith 'urgent:'", &v));
    assert_false(cond("${message.body} startsWith 'order'", &v));
    assert_true(cond("${contact.phone} startsWith '+39'", &v));
    assert_true(cond("${interaction.unread} > 2 && ${interaction.unread} < 10", &v));
    assert_true(cond("${interaction.unread} > 10 || ${interaction.unread} == 3.0", &v));
    assert_true(cond("${interaction.unread} >= 3 && ${interaction.unread} <= 3", &v));
    assert_false(cond("${interaction.unread} > 10", &v)); /* numeric: 3 < 10 */
    assert_false(cond("'3' > '10'", &v));                 /* quoted numbers are numbers too */
    assert_true(cond("'3a' > '10'", &v));                 /* text compares byte-wise */
    assert_true(cond("'abc' < 'abd'", &v));
    assert_true(cond("!(${interaction.status} == 'closed')", &v));
    assert_true(cond("! ${interaction.status} == 'closed'", &v)); /* ! applies to the comparison */
    assert_true(cond("!!${interaction.status}", &v));
    assert_false(cond("${contact.email}", &v)); /* not supplied: empty, false */
    assert_true(cond("${contact.email} == ''", &v));
    assert_false(cond("'0'", &v));
    assert_false(cond("'FALSE'", &v));
    assert_true(cond("1", &v));
    assert_true(cond("-1.5 < 0", &v));
    assert_true(cond("'it\\'s' == \"it's\"", &v));
    assert_true(cond("${interaction.tags} contains '\"vip\"'", &v));
    /* && binds tighter than ||. */
    assert_true(cond("1 || 0 && 0", &v));
    assert_false(cond("(1 || 0) && 0", &v));
    assert_false(cond("${interaction.status} == 'open'", NULL));

    compile_fails("${contact.shoe} == 1", "unknown variable ${contact.shoe}");
    compile_fails("${interaction.status} = 'open'", "use ==");
    compile_fails("'open", "unterminated");
    compile_fails("status == 'open'", "unknown word \"status\"");
    compile_fails("1 & 1", "use && and ||");
    compile_fails("(1 == 1", "missing )");
    compile_fails("(1 == 1) == 1", "only values can be compared");
    compile_fails("", "a value is missing");
    compile_fails("1 ==", "a value is missing");
    compile_fails("1 2", "unexpected");
    compile_fails("${contact.phone", "${name}");
    compile_fails("12abc", "bad number");
    compile_fails("${message.body} contains", "a value is missing");
    char deep[200] = "";
    for (int i = 0; i < 40; i++)
        strcat(deep, "(");
    strcat(deep, "1");
    for (int i = 0; i < 40; i++)
        strcat(deep, ")");
    compile_fails(deep, "nested too deeply");
    char wide[1100] = "1";
    for (int i = 0; i < 130; i++)
        strcat(wide, "||1");
    compile_fails(wide, "too complex");
    char longer[FLOW_EXPR_MAX_LEN + 10];
    memset(longer, '1', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = 0;
    compile_fails(longer, "1024");
    /* Templates (the Noop value). */
    char out[32], msg[128];
    assert_int_equal(flow_template_check("a ${contact.phone} b $ {x} $x", msg, sizeof(msg)), 0);
    assert_int_equal(flow_template_check("${nope}", msg, sizeof(msg)), SB_EINVALID);
    assert_int_equal(flow_template_check("${contact.phone", msg, sizeof(msg)), SB_EINVALID);
    assert_int_equal(flow_template_expand("p=${contact.phone}!", &v, out, sizeof(out)), 13);
    assert_string_equal(out, "p=+390612345!");
    flow_template_expand("${message.body}${message.body}", &v, out, sizeof(out));
    assert_int_equal(strlen(out), sizeof(out) - 1); /* cut, still terminated */
}

/* ---- validation -------------------------------------------------------------------------- */

static void errors_are(const char *channel, const char *actions_json, const char *want)
{
    json_t *a = must_load(actions_json), *errors = NULL;
    struct flow *f = NULL;
    assert_int_equal(flow_parse(a, channel, &f, &errors), SB_EINVALID);
    assert_null(f);
    char got[1024] = "";
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
    {
        if (i)
            strcat(got, ",");
        strncat(got, json_string_value(json_object_get(e, "field")), 100);
    }
    if (strcmp(got, want)) {
        char *dump = json_dumps(errors, JSON_COMPACT);
        fail_msg("got %s, want %s: %s", got, want, dump);
    }
    json_decref(errors);
    json_decref(a);
}

static void test_validation_names_each_field(void **state)
{
    (void)state;
    errors_are("sms",
               "[{\"application\":\"queue\"},"
               "{\"application\":\"agent\",\"agent_id\":0,\"timeout\":2147484},"
               "{\"application\":\"dialogflow\"},"
               "{\"application\":\"goto_if\",\"condition\":\"${x.y}\",\"true_priority\":70,"
               "\"false_priority\":0},"
               "{\"application\":\"goto_p\",\"priority\":\"1\"},"
               "{\"application\":\"auto_reply\",\"text\":\"\",\"mode\":\"twice\","
               "\"reply_type\":\"reply\"},"
               "{\"application\":\"tag\",\"color\":\"red\"},"
               "{\"application\":\"close\",\"disposition\":5,\"interval_id\":-1},"
               "{\"application\":\"noop\",\"value\":\"${contact.nope}\"},"
               "7]",
               "actions[0].queue_id,actions[0].timeout,actions[1].agent_id,actions[1].timeout,"
               "actions[2].application,actions[3].condition,actions[3].true_priority,"
               "actions[3].false_priority,actions[4].priority,actions[5].text,actions[5].mode,"
               "actions[5].reply_type,actions[6].color,actions[6].tag,actions[7].interval_id,"
               "actions[7].disposition,actions[8].value,actions[9]");
    errors_are("fax", "[{\"application\":\"auto_reply\",\"text\":\"x\",\"mode\":\"always\"}]",
               "actions[0].application");
    errors_are("voice", "[]", "channel");
    errors_are("sms", "{}", "actions");
    char many[128 * 40] = "[";
    for (int i = 0; i < FLOW_MAX_ACTIONS + 1; i++)
        strcat(many, i ? ",{\"application\":\"noop\"}" : "{\"application\":\"noop\"}");
    strcat(many, "]");
    errors_are("sms", many, "actions");
    /* The message of a bad condition says what is wrong. */
    json_t *a = must_load("[{\"application\":\"goto_if\",\"condition\":\"${message.body} = 'x'\","
                          "\"true_priority\":1}]"),
           *errors = NULL;
    struct flow *f = NULL;
    assert_int_equal(flow_parse(a, "chat", &f, &errors), SB_EINVALID);
    assert_non_null(
        strstr(json_string_value(json_object_get(json_array_get(errors, 0), "message")), "use =="));
    json_decref(errors);
    json_decref(a);
}

static void test_json_round_trip(void **state)
{
    (void)state;
    const char *src =
        "[{\"application\":\"queue\",\"interval_id\":3,\"queue_id\":1,\"timeout\":30},"
        "{\"application\":\"agent\",\"interval_id\":null,\"agent_id\":2,\"timeout\":20},"
        "{\"application\":\"auto_reply\",\"interval_id\":null,\"text\":\"Hi\\nthere\","
        "\"mode\":\"first_message\",\"reply_type\":\"reply_all\"},"
        "{\"application\":\"close\",\"interval_id\":null,\"disposition\":null},"
        "{\"application\":\"tag\",\"interval_id\":null,\"tag\":\"vip\"},"
        "{\"application\":\"noop\",\"interval_id\":null,\"value\":\"v ${message.body}\"},"
        "{\"application\":\"goto_if\",\"interval_id\":null,\"condition\":\"1 == 1\","
        "\"true_priority\":1,\"false_priority\":null},"
        "{\"application\":\"goto_p\",\"interval_id\":null,\"priority\":8}]";
    struct flow *f = flow_of("email", src);
    json_t *out = flow_actions_json(f), *want = must_load(src);
    assert_true(json_equal(out, want));
    struct flow *g = NULL;
    json_t *errors = NULL;
    assert_int_equal(flow_parse(out, "email", &g, &errors), 0);
    json_t *again = flow_actions_json(g);
    assert_true(json_equal(again, want));
    json_decref(again);
    json_decref(out);
    json_decref(want);
    flow_free(f);
    flow_free(g);
}

/* ---- storage ----------------------------------------------------------------------------- */

static int64_t insert_id(struct db *db, const char *sql)
{
    struct db_stmt *st;
    assert_int_equal(db_prepare(db, sql, &st), 0);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t id = db_col_int64(st, 0);
    db_finalize(st);
    return id;
}

static void test_store(void **state)
{
    struct db *db = *state;
    int64_t sms_q = insert_id(db, "INSERT INTO queues(channel, name, strategy, agent_timeout, "
                                  "created_at, updated_at) VALUES('sms', 'S', 'beepall', 15, 0, 0) "
                                  "RETURNING id");
    int64_t chat_q = insert_id(db, "INSERT INTO queues(channel, name, strategy, agent_timeout, "
                                   "created_at, updated_at) VALUES('chat', 'C', 'beepall', 15, 0, "
                                   "0) RETURNING id");
    int64_t agent = insert_id(db, "INSERT INTO staff(username, full_name, role, created_at, "
                                  "updated_at) VALUES('fa', 'Flow Agent', 'agent', 0, 0) "
                                  "RETURNING id");
    char sql[200];
    snprintf(sql, sizeof(sql),
             "INSERT INTO agents(staff_id, typology, settings) VALUES(%lld, 'webrtc', '{}')",
             (long long)agent);
    assert_int_equal(db_exec(db, sql), 0);
    int64_t admin =
        insert_id(db, "INSERT INTO staff(username, full_name, role, created_at, "
                      "updated_at) VALUES('fadm', 'Admin', 'admin', 0, 0) RETURNING id");
    int64_t iv = 0;
    assert_int_equal(
        db_query_int64(db, "SELECT id FROM intervals WHERE name = 'working time'", &iv, 0), 0);

    /* Nothing stored: an empty flow, version 0. */
    struct flow *f = NULL;
    int64_t version = -1;
    assert_int_equal(flow_load(db, "sms", 1, &f, &version), 0);
    assert_int_equal(f->n, 0);
    assert_int_equal(version, 0);
    flow_free(f);
    assert_int_equal(flow_load(db, "voice", 1, &f, &version), SB_EINVAL);

    /* What the flow names must exist, and a queue must be of the flow's channel. */
    char text[1024];
    snprintf(text, sizeof(text),
             "[{\"application\":\"queue\",\"queue_id\":%lld,\"timeout\":5},"
             "{\"application\":\"queue\",\"queue_id\":%lld,\"timeout\":5},"
             "{\"application\":\"queue\",\"queue_id\":999999,\"timeout\":5},"
             "{\"application\":\"agent\",\"agent_id\":%lld,\"timeout\":5},"
             "{\"application\":\"agent\",\"agent_id\":%lld,\"timeout\":5},"
             "{\"application\":\"tag\",\"tag\":\"x\",\"interval_id\":999999}]",
             (long long)sms_q, (long long)chat_q, (long long)agent, (long long)admin);
    f = flow_of("sms", text);
    json_t *errors = NULL;
    assert_int_equal(flow_check_refs(db, f, &errors), SB_EINVALID);
    char *dump = json_dumps(errors, JSON_COMPACT);
    assert_non_null(strstr(dump, "\"actions[1].queue_id\",\"message\":\"is a chat queue; this "
                                 "flow is for sms\""));
    assert_non_null(strstr(dump, "\"actions[2].queue_id\",\"message\":\"no such queue\""));
    assert_non_null(strstr(dump, "\"actions[4].agent_id\",\"message\":\"no such agent\""));
    assert_non_null(strstr(dump, "\"actions[5].interval_id\",\"message\":\"no such interval\""));
    assert_int_equal(json_array_size(errors), 4);
    free(dump);
    json_decref(errors);
    flow_free(f);

    /* Save, load, replace: versions grow and the list is replaced whole. */
    snprintf(text, sizeof(text),
             "[{\"application\":\"auto_reply\",\"mode\":\"one_time\",\"text\":\"Hello\","
             "\"interval_id\":%lld},"
             "{\"application\":\"queue\",\"queue_id\":%lld,\"timeout\":30},"
             "{\"application\":\"agent\",\"agent_id\":%lld,\"timeout\":20},"
             "{\"application\":\"goto_if\",\"condition\":\"${contact.phone} startsWith '+1'\","
             "\"true_priority\":2,\"false_priority\":5},"
             "{\"application\":\"close\",\"disposition\":\"Done\"}]",
             (long long)iv, (long long)sms_q, (long long)agent);
    f = flow_of("sms", text);
    assert_int_equal(flow_check_refs(db, f, &errors), 0);
    assert_null(errors);
    assert_int_equal(flow_save(db, "sms", 1, f, 1000, &version), 0);
    assert_int_equal(version, 1);
    assert_int_equal(flow_save(db, "sms", 2, f, 1000, &version), 0);
    assert_int_equal(version, 1);
    assert_int_equal(flow_save(db, "chat", 1, f, 1000, &version), SB_EINVAL); /* channel differs */
    struct flow *g = NULL;
    assert_int_equal(flow_load(db, "sms", 1, &g, &version), 0);
    assert_int_equal(version, 1);
    json_t *a = flow_actions_json(f), *b = flow_actions_json(g);
    assert_true(json_equal(a, b));
    json_decref(a);
    json_decref(b);
    flow_free(g);
    flow_free(f);
    f = flow_of("sms", "[{\"application\":\"noop\",\"value\":\"only\"}]");
    assert_int_equal(flow_save(db, "sms", 1, f, 2000, &version), 0);
    assert_int_equal(version, 2);
    flow_free(f);
    assert_int_equal(flow_version(db, "sms", 1, &version), 0);
    assert_int_equal(version, 2);
    assert_int_equal(flow_version(db, "sms", 77, &version), 0);
    assert_int_equal(version, 0);
    assert_int_equal(flow_load(db, "sms", 1, &g, NULL), 0);
    assert_int_equal(g->n, 1);
    assert_int_equal(g->actions[0].app, FLOW_APP_NOOP);
    flow_free(g);
    int64_t rows = 0;
    assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM flow_actions", &rows, 0), 0);
    assert_int_equal(rows, 1 + 5); /* account 1 now; account 2 untouched */

    /* A failed save changes nothing: an interval deleted under it. */
    int64_t gone = insert_id(db, "INSERT INTO intervals(name, created_at, updated_at) "
                                 "VALUES('gone', 0, 0) RETURNING id");
    snprintf(text, sizeof(text), "[{\"application\":\"tag\",\"tag\":\"t\",\"interval_id\":%lld}]",
             (long long)gone);
    f = flow_of("sms", text);
    assert_int_equal(db_exec(db, "DELETE FROM intervals WHERE name = 'gone'"), 0);
    assert_int_equal(flow_save(db, "sms", 1, f, 3000, &version), SB_ECONFLICT);
    flow_free(f);
    assert_int_equal(flow_version(db, "sms", 1, &version), 0);
    assert_int_equal(version, 2);
    assert_int_equal(flow_load(db, "sms", 1, &g, NULL), 0);
    assert_int_equal(g->actions[0].app, FLOW_APP_NOOP);
    flow_free(g);

    /* The account hook reads each channel's accounts: an Open Channel account exists once
     * created; a channel without accounts (or voice) has none. */
    bool exists = true;
    assert_int_equal(flow_account_exists(db, "openchannel", 1, &exists), 0);
    assert_false(exists);
    assert_int_equal(db_exec(db, "INSERT INTO openchannel_accounts (name, list_id, token_hash, "
                                 "created_at, updated_at) SELECT 'hook', id, 'x', 0, 0 FROM "
                                 "contact_lists WHERE name = 'Default'"),
                     0);
    int64_t acc = 0;
    assert_int_equal(
        db_query_int64(db, "SELECT id FROM openchannel_accounts WHERE name = 'hook'", &acc, 0), 0);
    assert_int_equal(flow_account_exists(db, "openchannel", acc, &exists), 0);
    assert_true(exists);
    assert_int_equal(flow_account_exists(db, "fax", acc, &exists), 0);
    assert_false(exists);
    assert_int_equal(flow_account_exists(db, "voice", 1, &exists), 0);
    assert_false(exists);
}

#define PURE(f)     cmocka_unit_test(f)
#define MIGRATED(f) cmocka_unit_test_setup_teardown(f, setup_migrated, teardown)

int main(void)
{
    log_open(NULL, LOG_WARN);
    const struct CMUnitTest pure[] = {
        PURE(test_every_application_in_order),
        PURE(test_timeouts_chain_and_the_flow_ends),
        PURE(test_gotos),
        PURE(test_loops_are_bounded),
        PURE(test_actions_outside_their_interval_are_skipped),
        PURE(test_auto_reply_modes),
        PURE(test_same_inputs_same_decisions),
        PURE(test_step_inputs),
        PURE(test_condition_language),
        PURE(test_validation_names_each_field),
        PURE(test_json_round_trip),
    };
    const struct CMUnitTest stored[] = {
        MIGRATED(test_store),
    };
    int failures = cmocka_run_group_tests_name("flow", pure, NULL, NULL);
    return failures + db_fixture_main("flow_store", stored, sizeof(stored) / sizeof(stored[0]));
}
