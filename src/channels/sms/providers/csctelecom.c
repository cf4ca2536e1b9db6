/* csctelecom.c — CSCTelecom (reference §1.11: nothing public [NF]). The base URL is set per
 * account and goes through the SSRF guard (allow-listed host, pinned address). A configurable
 * "custom HTTP" adapter like connectel.c; the delivery-report URL carries the provider's
 * <Message-Id> and <State> placeholders in its query (sms_provider_dlr_query()). */
#include "channels/sms/sms_impl.h"

static const struct sms_generic_defaults csc_defaults = {
    .send_url = "{base_url}/api/sms/send",
    .auth = "bearer:api_key",
    .body_format = "json",
    .f_to = "to",
    .f_from = "from",
    .f_text = "text",
    .f_status_url = "-",
    .f_ref = "reference",
    .id_path = "id",
    .in_id = "id",
    .in_from = "from",
    .in_to = "to",
    .in_text = "text",
    .dlr_id = "message_id",
    .dlr_status = "state",
    .dlr_error = "error_code",
};

static int csc_verify(struct sms_ctx *x, const struct sms_http_request *rq, int64_t now_s)
{
    return sms_verify_token_basic(x, rq, false);
}

static int csc_parse(struct sms_ctx *x, const struct sms_http_request *rq, enum sms_hook hook,
                     struct sms_events *out)
{
    return sms_generic_parse(x, &csc_defaults, rq, hook, out);
}

static int csc_build_send(struct sms_ctx *x, const struct sms_outbound *m, const char *session,
                          struct sms_http_out *out)
{
    return sms_generic_build_send(x, &csc_defaults, m, out);
}

static int csc_parse_send(struct sms_ctx *x, long status, const char *body, size_t len,
                          struct sms_send_result *out)
{
    return sms_generic_parse_send(x, &csc_defaults, status, body, len, out);
}

const struct sms_provider sms_csctelecom = {
    .name = "csctelecom",
    .auth_scheme = "token",
    .media = true,
    .dlr_query = "message_id=<Message-Id>&state=<State>",
    .verify = csc_verify,
    .parse = csc_parse,
    .build_send = csc_build_send,
    .parse_send = csc_parse_send,
};
