/* test_sms_send_fake.c — every adapter's send, made for real with libcurl through net.h
 * against the fake providers (tests/api/lib/fake_providers.js, which refuses what the real
 * providers refuse): each is accepted and recorded once with our text, a 500 is "retry", wrong
 * credentials are "failed", an expired Skebby session is "reauth". Needs node; skipped
 * without it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <sys/wait.h>
#include <unistd.h>

#include "channels/sms/net.h"
#include "channels/sms/provider.h"
#include "core/arena.h"
#include "core/err.h"

static pid_t fake_pid = -1;
static int fake_stdin = -1;
static char base_url[64];

/* The credentials the fake expects (FAKE_CREDS in fake_providers.js). */
static const struct {
    const char *name;
    struct sms_account_creds c;
} accounts[] = {
    {"twilio",
     {.account_id = "AC0123456789abcdef0123456789abcdef",
      .auth_token = "twilio-auth-token-0001",
      .phone = "+15005550006"}},
    {"plivo",
     {.account_id = "MAFAKEAUTHID00000000",
      .auth_token = "plivo-auth-token-0001",
      .phone = "+14155550100"}},
    {"telnyx", {.api_key = "KEYtelnyxFAKE0001", .phone = "+13125550001"}},
    {"bandwidth",
     {.account_id = "9900000",
      .application_id = "93de2206-9669-4e07-948d-329f4b722ee2",
      .username = "bw-api-user",
      .password = "bw-api-pass",
      .phone = "+15554443333"}},
    {"infobip",
     {.username = "ib-user",
      .password = "ib-pass",
      .base_url = "https://fake1.api.infobip.com",
      .sender = "Switchboard"}},
    {"clicksend", {.username = "cs-user", .api_key = "cs-api-key-0001", .sender = "Switchboard"}},
    {"clickatell", {.api_key = "ck-api-key-0001", .phone = "+2799900000"}},
    {"skebby",
     {.username = "sk-user", .password = "sk-pass", .method = "classic", .sender = "Switchboard"}},
    {"connectel", {.auth_token = "cn-auth-token-0001", .sender = "Switchboard"}},
    {"csctelecom",
     {.api_key = "csc-api-key-0001",
      .base_url = "https://sms.csc.example",
      .phone = "+390612345678"}},
    {"intelepeer", {.api_key = "ip-api-key-0001", .phone = "+15551234567"}},
};

static int start_fake(void **state)
{
    const char *src = getenv("SB_SOURCE_DIR");
    if (!src || system("command -v node >/dev/null 2>&1") != 0)
        return 0; /* the tests skip */
    char script[1024];
    snprintf(script, sizeof(script), "%s/tests/api/lib/fake_providers.js", src);
    int in[2], out[2];
    if (pipe(in) || pipe(out))
        return -1;
    fake_pid = fork();
    if (fake_pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execlp("node", "node", script, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    fake_stdin = in[1];
    char line[128] = "";
    size_t n = 0;
    while (n < sizeof(line) - 1 && read(out[0], line + n, 1) == 1 && line[n] != '\n')
        n++;
    line[n] = 0;
    close(out[0]);
    int port = 0;
    if (sscanf(line, "{\"port\":%d}", &port) != 1 || port <= 0)
        return -1;
    snprintf(base_url, sizeof(base_url), "http://127.0.0.1:%d", port);
    return 0;
}

static int stop_fake(void **state)
{
    if (fake_pid > 0) {
        close(fake_stdin); /* the fake exits when its stdin closes */
        int st;
        if (waitpid(fake_pid, &st, 0) < 0)
            kill(fake_pid, SIGKILL);
    }
    return 0;
}

static const struct sms_account_creds *creds(const char *name)
{
    for (size_t i = 0; i < sizeof(accounts) / sizeof(accounts[0]); i++)
        if (!strcmp(accounts[i].name, name))
            return &accounts[i].c;
    fail();
    return NULL;
}

/* Performs rq; returns the HTTP status and the answer in `a`. */
static long perform(const struct sms_http_out *rq, const struct sms_env *env, struct arena *a,
                    const char **answer, size_t *len)
{
    long status = -1;
    const char *why = NULL;
    assert_int_equal(sms_http_perform(rq, env, a, &status, answer, len, &why), 0);
    return status;
}

/* A control call to the fake: GET /_fake/sent or POST /_fake/fail|reset. */
static json_t *control(const char *method, const char *path, const char *body)
{
    char url[256];
    snprintf(url, sizeof(url), "%s%s", base_url, path);
    struct sms_http_out rq = {.method = method, .url = url, .body = body ? body : ""};
    rq.body_len = strlen(rq.body);
    struct sms_env env = {.test_base_url = base_url};
    struct arena a;
    arena_init(&a, 1 << 20);
    const char *ans;
    size_t len;
    long st = perform(&rq, &env, &a, &ans, &len);
    assert_true(st >= 200 && st < 300);
    json_error_t e;
    json_t *j = len ? json_loadb(ans, len, 0, &e) : NULL;
    arena_cleanup(&a);
    return j;
}

/* Sends one message as account `c` of provider `name`; logs in first for Skebby. */
static struct sms_send_result send_one(const char *name, const struct sms_account_creds *c,
                                       const char *text, const char **session, struct arena *a)
{
    const struct sms_provider *p = sms_provider_find(name);
    struct sms_env env = {.test_base_url = base_url};
    struct sms_http_out rq;
    const char *why = NULL, *ans;
    size_t len;
    if (sms_needs_session(p, c) && !*session) {
        assert_int_equal(sms_build_login(p, c, &env, a, &rq, &why), 0);
        long st = perform(&rq, &env, a, &ans, &len);
        assert_int_equal(sms_parse_login(p, st, ans, len, a, session), 0);
    }
    struct sms_outbound m = {.to = "+393331234567",
                             .body = text,
                             .status_url = "https://sb.example/api/sms/accounts/1/status?token=t",
                             .reference = "m42"};
    assert_int_equal(sms_build_send(p, c, &env, &m, *session, a, &rq, &why), 0);
    long st = perform(&rq, &env, a, &ans, &len);
    struct sms_send_result r;
    assert_int_equal(sms_parse_send(p, c, st, ans, len, a, &r), 0);
    return r;
}

static void test_every_provider_accepts_our_send(void **state)
{
    if (fake_pid <= 0)
        skip();
    for (size_t i = 0; i < sizeof(accounts) / sizeof(accounts[0]); i++) {
        const char *name = accounts[i].name;
        struct arena a;
        arena_init(&a, 1 << 20);
        const char *session = NULL;
        char text[64];
        snprintf(text, sizeof(text), "Hello %s & welcome \xe2\x9c\x93", name);
        struct sms_send_result r = send_one(name, &accounts[i].c, text, &session, &a);
        if (r.outcome != SMS_SEND_ACCEPTED)
            fprintf(stderr, "%s: outcome %d (%s)\n", name, r.outcome,
                    r.error_code ? r.error_code : "-");
        assert_int_equal(r.outcome, SMS_SEND_ACCEPTED);
        assert_non_null(r.provider_id);
        char path[128];
        snprintf(path, sizeof(path), "/_fake/sent?provider=%s", name);
        json_t *sent = control("GET", path, NULL);
        assert_int_equal(json_array_size(sent), 1); /* exactly once */
        json_t *m = json_array_get(sent, 0);
        assert_string_equal(json_string_value(json_object_get(m, "id")), r.provider_id);
        assert_string_equal(json_string_value(json_object_get(m, "text")), text);
        json_decref(sent);
        arena_cleanup(&a);
    }
    json_decref(control("POST", "/_fake/reset", NULL));
}

static void test_retry_failed_reauth(void **state)
{
    if (fake_pid <= 0)
        skip();
    struct arena a;
    arena_init(&a, 1 << 20);
    const char *session = NULL;
    /* The provider is down: retry; once it is back: accepted, one message in all. */
    json_decref(control("POST", "/_fake/fail?provider=telnyx", "{\"status\":500,\"count\":1}"));
    struct sms_send_result r = send_one("telnyx", creds("telnyx"), "a", &session, &a);
    assert_int_equal(r.outcome, SMS_SEND_RETRY);
    r = send_one("telnyx", creds("telnyx"), "a", &session, &a);
    assert_int_equal(r.outcome, SMS_SEND_ACCEPTED);
    json_t *sent = control("GET", "/_fake/sent?provider=telnyx", NULL);
    assert_int_equal(json_array_size(sent), 1);
    json_decref(sent);
    /* Wrong credentials are final. */
    struct sms_account_creds bad = *creds("twilio");
    bad.auth_token = "wrong";
    r = send_one("twilio", &bad, "b", &session, &a);
    assert_int_equal(r.outcome, SMS_SEND_FAILED);
    assert_string_equal(r.error_code, "20003");
    /* Nobody listening: a transport error, retried. */
    struct sms_env dead = {.test_base_url = "http://127.0.0.1:1"};
    struct sms_http_out rq;
    const char *why, *ans;
    size_t len;
    struct sms_outbound m = {.to = "+393331234567", .body = "c"};
    assert_int_equal(sms_build_send(sms_provider_find("telnyx"), creds("telnyx"), &dead, &m, NULL,
                                    &a, &rq, &why),
                     0);
    long st = perform(&rq, &dead, &a, &ans, &len);
    assert_int_equal(st, 0);
    assert_int_equal(
        sms_parse_send(sms_provider_find("telnyx"), creds("telnyx"), st, ans, len, &a, &r), 0);
    assert_int_equal(r.outcome, SMS_SEND_RETRY);
    /* Skebby: a session that expired asks for a new login. */
    session = NULL;
    r = send_one("skebby", creds("skebby"), "d", &session, &a);
    assert_int_equal(r.outcome, SMS_SEND_ACCEPTED);
    json_decref(control("POST", "/_fake/reset", NULL));
    r = send_one("skebby", creds("skebby"), "d", &session, &a);
    assert_int_equal(r.outcome, SMS_SEND_REAUTH);
    session = NULL;
    r = send_one("skebby", creds("skebby"), "d", &session, &a);
    assert_int_equal(r.outcome, SMS_SEND_ACCEPTED);
    json_decref(control("POST", "/_fake/reset", NULL));
    arena_cleanup(&a);
}

static void test_send_blocking_logs_in_again(void **state)
{
    if (fake_pid <= 0)
        skip();
    struct arena a;
    arena_init(&a, 1 << 20);
    struct sms_env env = {.test_base_url = base_url};
    struct sms_outbound m = {.to = "+393331234567", .body = "blocking"};
    struct sms_send_result r;
    const char *why = NULL;
    const struct sms_provider *sk = sms_provider_find("skebby");
    /* An empty cache: it logs in, sends, and keeps the session. */
    char session[256] = "";
    assert_int_equal(
        sms_send_blocking(sk, creds("skebby"), &env, &m, session, sizeof(session), &a, &r, &why),
        0);
    assert_int_equal(r.outcome, SMS_SEND_ACCEPTED);
    assert_non_null(strchr(session, ';'));
    /* A stale session: the provider says 401, it logs in again and the message goes once. */
    json_decref(control("POST", "/_fake/reset", NULL));
    char stale[256];
    strcpy(stale, session);
    assert_int_equal(
        sms_send_blocking(sk, creds("skebby"), &env, &m, session, sizeof(session), &a, &r, &why),
        0);
    assert_int_equal(r.outcome, SMS_SEND_ACCEPTED);
    assert_string_not_equal(session, stale);
    json_t *sent = control("GET", "/_fake/sent?provider=skebby", NULL);
    assert_int_equal(json_array_size(sent), 1);
    json_decref(sent);
    /* Wrong password: nothing sent, the reason named. */
    struct sms_account_creds bad = *creds("skebby");
    bad.password = "nope";
    session[0] = 0;
    assert_int_equal(sms_send_blocking(sk, &bad, &env, &m, session, sizeof(session), &a, &r, &why),
                     SB_EAUTH);
    assert_non_null(why);
    /* A provider without sessions goes straight through. */
    assert_int_equal(sms_send_blocking(sms_provider_find("plivo"), creds("plivo"), &env, &m,
                                       session, sizeof(session), &a, &r, &why),
                     0);
    assert_int_equal(r.outcome, SMS_SEND_ACCEPTED);
    json_decref(control("POST", "/_fake/reset", NULL));
    arena_cleanup(&a);
}

int main(void)
{
    if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT))
        return 1;
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_provider_accepts_our_send),
        cmocka_unit_test(test_retry_failed_reauth),
        cmocka_unit_test(test_send_blocking_logs_in_again),
    };
    int r = cmocka_run_group_tests(tests, start_fake, stop_fake);
    curl_global_cleanup();
    return r;
}
