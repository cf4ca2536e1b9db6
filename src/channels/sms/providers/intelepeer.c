/* intelepeer.c — IntelePeer SMS (reference §1.9). The send endpoint is known
 * (POST https://api.intelepeer.com/_rest/v4/app/sms/send); its body fields, answer, the
 * inbound payload and delivery reports are not public [NF]/[K], so they are account options
 * with these defaults. The account's API key (from the Customer Portal, as the seed says) is
 * sent as a Bearer token. Numbers are E.164 or IntelePeer short codes ("1-12345"), passed as
 * they are. Webhooks: the URL token. */
#include "channels/sms/sms_impl.h"

static const struct sms_generic_defaults ip_defaults = {
    .send_url = "https://api.intelepeer.com/_rest/v4/app/sms/send",
    .auth = "bearer:api_key",
    .body_format = "json",
    .f_to = "to",
    .f_from = "from",
    .f_text = "text",
    .f_status_url = "-",
    .f_ref = "-",
    .id_path = "id",
    .in_id = "id",
    .in_from = "from",
    .in_to = "to",
    .in_text = "text",
    .dlr_id = "id",
    .dlr_status = "status",
    .dlr_error = "error_code",
};

static int ip_verify(struct sms_ctx *x, const struct sms_http_request *rq, int64_t now_s)
{
    return sms_verify_token_basic(x, rq, false);
}

static int ip_parse(struct sms_ctx *x, const struct sms_http_request *rq, enum sms_hook hook,
                    struct sms_events *out)
{
    return sms_generic_parse(x, &ip_defaults, rq, hook, out);
}

static int ip_build_send(struct sms_ctx *x, const struct sms_outbound *m, const char *session,
                         struct sms_http_out *out)
{
    return sms_generic_build_send(x, &ip_defaults, m, out);
}

static int ip_parse_send(struct sms_ctx *x, long status, const char *body, size_t len,
                         struct sms_send_result *out)
{
    return sms_generic_parse_send(x, &ip_defaults, status, body, len, out);
}

const struct sms_provider sms_intelepeer = {
    .name = "intelepeer",
    .auth_scheme = "token",
    .media = true,
    .verify = ip_verify,
    .parse = ip_parse,
    .build_send = ip_build_send,
    .parse_send = ip_parse_send,
};
