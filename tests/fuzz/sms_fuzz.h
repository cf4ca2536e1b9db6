/* sms_fuzz.h — the body shared by the fuzz_sms_<provider> targets: one input drives the
 * provider's webhook verifier, webhook parser and send-answer reader (and Skebby's login
 * reader). Input layout: byte 0 = flags (bit 0 delivery-report URL, bit 1 GET, bits 2–3 content
 * type json / form / none / text), byte 1 = the send answer's HTTP status class, then the URL
 * query up to the first '\n', then the body. Safety properties: no crash or leak under ASan;
 * a parse either fails with nothing returned or returns well-formed events within the caps;
 * a send answer always gets one of the four outcomes; the body read as a user-set base URL is
 * either refused with a reason or reduced to a plain lower-case host. */
#ifndef SB_TESTS_FUZZ_SMS_FUZZ_H
#define SB_TESTS_FUZZ_SMS_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/sms/provider.h"
#include "core/arena.h"
#include "core/err.h"

#define CHECK(c) ((c) ? (void)0 : (fprintf(stderr, "check failed: %s\n", #c), abort()))

static void sms_fuzz_check_events(const struct sms_events *ev)
{
    CHECK(ev->n <= SMS_EVENTS_MAX);
    for (size_t i = 0; i < ev->n; i++) {
        const struct sms_event *e = &ev->items[i];
        CHECK(e->provider_id && e->provider_id[0] && strlen(e->provider_id) <= SMS_FIELD_MAX);
        if (e->kind == SMS_EVENT_MESSAGE) {
            CHECK(e->from && e->from[0] && strlen(e->from) <= SMS_FIELD_MAX);
            CHECK(e->body && strlen(e->body) <= SMS_BODY_MAX);
            CHECK(!e->to || strlen(e->to) <= SMS_FIELD_MAX);
            CHECK(e->n_media <= SMS_MEDIA_MAX && (!e->n_media || e->media));
            for (size_t m = 0; m < e->n_media; m++)
                CHECK(e->media[m].url || e->media[m].data_b64);
        } else {
            CHECK(e->kind == SMS_EVENT_STATUS);
            CHECK(e->state >= SMS_STATE_NONE && e->state <= SMS_STATE_FAILED);
            CHECK(!e->error_code || strlen(e->error_code) <= SMS_FIELD_MAX);
        }
    }
}

static int sms_fuzz_one(const char *provider, const uint8_t *data, size_t size)
{
    if (size < 2 || size > 256 * 1024)
        return 0;
    const struct sms_provider *p = sms_provider_find(provider);
    CHECK(p != NULL);
    uint8_t flags = data[0];
    static const long statuses[] = {0, 200, 201, 202, 400, 401, 429, 500};
    long status = statuses[data[1] & 7];
    data += 2;
    size -= 2;
    const uint8_t *nl = memchr(data, '\n', size);
    size_t qlen = nl ? (size_t)(nl - data) : 0;
    const char *body = (const char *)(nl ? nl + 1 : data);
    size_t blen = nl ? size - qlen - 1 : size;
    char *url = malloc(qlen + 64);
    char *copy = malloc(blen + 1);
    if (!url || !copy) {
        free(url);
        free(copy);
        return 0;
    }
    int n = snprintf(url, 64, "https://sb.example/api/sms/accounts/1/receive?");
    memcpy(url + n, data, qlen);
    url[n + qlen] = 0;
    memcpy(copy, body, blen);
    copy[blen] = 0;
    static const char *const types[] = {"application/json", "application/x-www-form-urlencoded",
                                        NULL, "text/plain"};
    const char *ct = types[(flags >> 2) & 3];
    struct sms_kv h[] = {{"Content-Type", ct ? ct : ""},
                         {"X-Twilio-Signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
                         {"telnyx-timestamp", "1700000000"},
                         {"telnyx-signature-ed25519", "AAAA"}};
    struct sms_http_request rq = {flags & 2 ? "GET" : "POST", url, h, 4, copy, blen};
    struct sms_account_creds c = {.auth_token = "12345",
                                  .public_key = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
                                  .webhook_token = "tok_0123456789abcdefghijklmnopqrstuvwxyz",
                                  .options_json =
                                      flags & 0x10 ? "{\"records_path\":\"results\"}" : NULL};
    struct arena a;
    arena_init(&a, 16 << 20);
    const char *why = NULL;
    int r = sms_verify(p, &c, &rq, 1700000000, &a, &why);
    CHECK(r == SB_EAUTH || r == SB_ENOMEM || r == 0);
    CHECK(r == 0 || why != NULL);
    struct sms_events ev;
    r = sms_parse(p, &c, &rq, flags & 1 ? SMS_HOOK_STATUS : SMS_HOOK_RECEIVE, &a, &ev);
    CHECK(r == 0 || r == SB_EINVAL || r == SB_ETOOBIG || r == SB_ENOMEM);
    if (r)
        CHECK(ev.n == 0);
    else
        sms_fuzz_check_events(&ev);
    struct sms_send_result sr;
    r = sms_parse_send(p, &c, status, copy, blen, &a, &sr);
    CHECK(r == 0 || r == SB_ENOMEM);
    if (!r) {
        CHECK(sr.outcome >= SMS_SEND_ACCEPTED && sr.outcome <= SMS_SEND_FAILED);
        CHECK(sr.outcome != SMS_SEND_ACCEPTED || (status >= 200 && status < 300));
        CHECK(sr.outcome == SMS_SEND_ACCEPTED || sr.error_code);
    }
    const char *session = NULL;
    r = sms_parse_login(p, status, copy, blen, &a, &session);
    CHECK(r == 0 || r == SB_EAUTH || r == SB_EUNAVAIL || r == SB_ENOTFOUND || r == SB_ENOMEM);
    if (!r)
        CHECK(session && strchr(session, ';'));
    /* The body as a user-typed base URL: accepted only as a plain lower-case host name. */
    static const struct sms_env allow = {.allowed_hosts = "sms.csc.example"};
    char host[256];
    if (!sms_base_url_check(p, copy, &allow, host, sizeof(host), &why)) {
        CHECK(host[0] && !strpbrk(host, ":/@?#[]% \\"));
        for (const char *q = host; *q; q++)
            CHECK(!(*q >= 'A' && *q <= 'Z'));
    } else {
        CHECK(why != NULL);
    }
    arena_cleanup(&a);
    free(url);
    free(copy);
    return 0;
}

#define SMS_FUZZ_TARGET(name)                                                                      \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);                                  \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                                   \
    {                                                                                              \
        return sms_fuzz_one(name, data, size);                                                     \
    }

#endif
