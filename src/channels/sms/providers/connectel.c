/* connectel.c — Connectel (reference §1.10: nothing public [NF]). A configurable "custom HTTP"
 * adapter: the send URL, auth header, body fields and answer id path, and the webhook field
 * names and status words, are account options; these defaults are placeholders to be replaced
 * with the vendor's documentation (docs/providers.md). Webhooks: the URL token. */
#include "channels/sms/sms_impl.h"

static const struct sms_generic_defaults cn_defaults = {
    .send_url = "https://api.connectel.io/sms/v1/send",
    .auth = "bearer:auth_token",
    .body_format = "json",
    .f_to = "to",
    .f_from = "from",
    .f_text = "text",
    .f_status_url = "status_url",
    .f_ref = "reference",
    .id_path = "id",
    .in_id = "id",
    .in_from = "from",
    .in_to = "to",
    .in_text = "text",
    .dlr_id = "id",
    .dlr_status = "status",
    .dlr_error = "error_code",
};

static int cn_verify(struct sms_ctx *x, const struct sms_http_request *rq, int64_t now_s)
{
    return sms_verify_token_basic(x, rq, false);
}

static int cn_parse(struct sms_ctx *x, const struct sms_http_request *rq, enum sms_hook hook,
                    struct sms_events *out)
{
    return sms_generic_parse(x, &cn_defaults, rq, hook, out);
}

static int cn_build_send(struct sms_ctx *x, const struct sms_outbound *m, const char *session,
                         struct sms_http_out *out)
{
    return sms_generic_build_send(x, &cn_defaults, m, out);
}

static int cn_parse_send(struct sms_ctx *x, long status, const char *body, size_t len,
                         struct sms_send_result *out)
{
    return sms_generic_parse_send(x, &cn_defaults, status, body, len, out);
}

const struct sms_provider sms_connectel = {
    .name = "connectel",
    .auth_scheme = "token",
    .media = true,
    .verify = cn_verify,
    .parse = cn_parse,
    .build_send = cn_build_send,
    .parse_send = cn_parse_send,
};
