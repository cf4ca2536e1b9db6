/* sms_impl.h — what the provider adapters share: the adapter table entry, and small pure
 * helpers (headers, forms, URLs, constant-time compares, HMAC, base64, JSON fields, status
 * words). Internal to src/channels/sms/. Every helper allocates in the caller's arena only and
 * returns 0 or a negative SB_E* code; none keeps state. */
#ifndef SB_CHANNELS_SMS_IMPL_H
#define SB_CHANNELS_SMS_IMPL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "channels/sms/provider.h"
#include "core/arena.h"

/* The account, environment and arena a call works with. */
struct sms_ctx {
    const struct sms_provider *p;
    const struct sms_account_creds *c;
    const struct sms_env *env; /* NULL for parse/verify */
    struct arena *a;
    json_t *opts;    /* the account's options_json (an object, never NULL), borrowed */
    const char *why; /* a static reason for SB_EINVALID / SB_EAUTH */
};

struct sms_provider {
    const char *name;
    const char *auth_scheme;
    bool media; /* sends can carry media URLs */
    const char *dlr_query;
    /* Required. */
    int (*verify)(struct sms_ctx *x, const struct sms_http_request *rq, int64_t now_s);
    int (*parse)(struct sms_ctx *x, const struct sms_http_request *rq, enum sms_hook hook,
                 struct sms_events *out);
    int (*build_send)(struct sms_ctx *x, const struct sms_outbound *m, const char *session,
                      struct sms_http_out *out);
    int (*parse_send)(struct sms_ctx *x, long status, const char *body, size_t len,
                      struct sms_send_result *out);
    /* Session providers only. */
    int (*build_login)(struct sms_ctx *x, struct sms_http_out *out);
    int (*parse_login)(struct arena *a, long status, const char *body, size_t len,
                       const char **session);
};

extern const struct sms_provider sms_twilio, sms_skebby, sms_connectel, sms_clicksend, sms_plivo,
    sms_clickatell, sms_csctelecom, sms_infobip, sms_intelepeer, sms_bandwidth, sms_telnyx;

/* ---- strings and fields ---- */

/* "" or NULL. */
static inline bool sms_empty(const char *s)
{
    return !s || !*s;
}

/* Copies s[0..n) into the arena as a NUL-terminated string. SB_ETOOBIG when n > max,
 * SB_EINVAL when it holds a NUL byte, SB_ENOMEM. */
int sms_take(struct arena *a, const char *s, size_t n, size_t max, const char **out);

/* The value of header `name` (case-blind), or NULL. The first one when repeated. */
const char *sms_header(const struct sms_http_request *rq, const char *name);

/* Case-blind equality of NUL-terminated ASCII strings. */
bool sms_ieq(const char *a, const char *b);

/* Whether the Content-Type of rq is `type` (parameters ignored). */
bool sms_content_type_is(const struct sms_http_request *rq, const char *type);

/* ---- forms and URLs ---- */

#define SMS_PARAMS_MAX 512

struct sms_params {
    struct sms_kv *kv;
    size_t n;
};

/* Parses application/x-www-form-urlencoded text (a body or a query string) into the arena:
 * "+" is a space, %XX decoded, names and values capped (SMS_BODY_MAX for values). SB_EINVAL
 * for a bad escape or a NUL, SB_ETOOBIG past SMS_PARAMS_MAX pairs or a cap, SB_ENOMEM. */
int sms_form_parse(struct arena *a, const char *s, size_t len, struct sms_params *out);

/* The first value of `name` (exact), or NULL. */
const char *sms_param(const struct sms_params *p, const char *name);

/* The parameters of a webhook: the query string's, plus the body's when it is a form. */
int sms_request_params(struct arena *a, const struct sms_http_request *rq, bool body_too,
                       struct sms_params *out);

/* Splits an absolute URL "scheme://authority/path?query#frag" without decoding anything.
 * Parts point into the arena; path is "" when absent, query NULL when absent. SB_EINVAL. */
struct sms_url {
    const char *scheme, *authority, *host, *port, *path, *query;
};
int sms_url_split(struct arena *a, const char *url, struct sms_url *out);

/* Percent-encodes `s` for a form body or query (RFC 3986 unreserved kept) onto the buffer
 * text being built. Returns the encoded copy in the arena, or NULL. */
char *sms_pct(struct arena *a, const char *s);

/* Appends "&name=value" (no "&" first) form-encoded to b. 0, SB_ETOOBIG, SB_ENOMEM. */
struct buf;
int sms_form_add(struct buf *b, const char *name, const char *value);

/* Moves the buffer's text into the arena (and frees the buffer). NULL on ENOMEM. */
const char *sms_buf_to_arena(struct arena *a, struct buf *b, size_t *len);

/* The URL of a provider endpoint: `origin` ("https://api.twilio.com") + `path`, or with a test
 * override env->test_base_url + "/" + provider name + path. NULL on ENOMEM. */
const char *sms_endpoint(struct sms_ctx *x, const char *origin, const char *path);

/* The URL of `path` on the account's user-set base URL (Infobip, CSCTelecom) after
 * sms_base_url_check(); *host is the host to pin. SB_EINVALID (x->why), SB_ENOMEM. */
int sms_user_endpoint(struct sms_ctx *x, const char *path, const char **url, const char **host);

/* ---- crypto ---- */

/* Constant-time equality of two strings of any length (compares their SHA-256 digests, so
 * neither the content nor the length leaks through timing). NULL never equals anything. */
bool sms_secret_eq(const char *a, const char *b);

/* base64(HMAC(md, key, msg)) into the arena; md is "sha1" or "sha256". NULL on failure. */
const char *sms_hmac_b64(struct arena *a, const char *md, const char *key, const void *msg,
                         size_t len);

/* Standard base64 (with padding) into the arena. */
const char *sms_b64(struct arena *a, const void *p, size_t n);

/* Decodes standard base64 (padding optional, no spaces) of exactly `want` bytes into out.
 * 0 or SB_EINVAL. */
int sms_unb64_exact(const char *s, unsigned char *out, size_t want);

/* "Basic base64(user:pass)" in the arena, or NULL. */
const char *sms_basic_header(struct arena *a, const char *user, const char *pass);

/* The URL token (?token=) check and the optional Basic check shared by every provider
 * without a signature. allow_basic: whether the provider can send Basic credentials. */
int sms_verify_token_basic(struct sms_ctx *x, const struct sms_http_request *rq, bool allow_basic);

/* ---- JSON ---- */

/* Parses the request body as JSON (duplicate keys refused). SB_EINVAL, SB_ETOOBIG. The caller
 * json_decref()s *out. */
int sms_json_body(const char *body, size_t len, json_t **out);

/* The member at a dotted path ("data.payload.to.0.status": numbers index arrays), or NULL. */
json_t *sms_json_at(json_t *root, const char *path);

/* A string (or integer) member at `path` copied into the arena with cap `max`; *out NULL when
 * absent or null. SB_EINVAL for another type, SB_ETOOBIG, SB_ENOMEM. */
int sms_json_str(struct arena *a, json_t *root, const char *path, size_t max, const char **out);

/* jansson text of `v` copied into the arena; steals v (decref'd). NULL on failure. */
const char *sms_json_dump(struct arena *a, json_t *v, size_t *len);

/* The account's option `key` as a string: the option when it is a non-empty string, else
 * `dflt`. The text belongs to x->opts, freed when the public call returns: copy it into the
 * arena before it goes into anything returned. */
const char *sms_opt(struct sms_ctx *x, const char *key, const char *dflt);

/* ---- events and requests ---- */

/* Allocates room for `n` events (n ≤ SMS_EVENTS_MAX, else SB_ETOOBIG). */
int sms_events_alloc(struct arena *a, size_t n, struct sms_events *out, struct sms_event **items);

/* Appends a header to the request being built (at most 8). */
int sms_out_header(struct arena *a, struct sms_http_out *o, const char *name, const char *value);

/* Fills method/url/body, and a Content-Type header when ctype is not NULL. */
int sms_out_init(struct arena *a, struct sms_http_out *o, const char *method, const char *url,
                 const char *ctype, const char *body, size_t len);

/* E.164 without the "+" (Plivo, Clickatell, Infobip want that). */
const char *sms_no_plus(const char *num);

/* The sender for m: m->from, else the account's sender, else its phone; NULL if none. */
const char *sms_from(struct sms_ctx *x, const struct sms_outbound *m, bool sender_first);

/* The default answer reading for the common cases: 2xx accepted with `id`; 408, 429, 5xx and
 * 0 retried; other statuses final. Fills *out and returns 0. */
int sms_send_default(struct sms_ctx *x, long status, const char *id, const char *err,
                     struct sms_send_result *out);

/* "HTTP <status>" or "transport" in the arena. */
const char *sms_http_code(struct arena *a, long status);

/* Maps a status word through a table of {word, state} (case-blind); SMS_STATE_NONE if none. */
struct sms_state_word {
    const char *word;
    enum sms_state state;
};
enum sms_state sms_state_lookup(const struct sms_state_word *t, const char *word);

/* The generic, configurable adapter pieces for providers whose format is not public
 * (docs/providers.md "custom formats"): field names, status words and the send request all
 * come from options with the given defaults. */
struct sms_generic_defaults {
    const char *send_url;    /* template: {base_url} {account_id} {phone} */
    const char *auth;        /* "bearer:api_key", "header:X-Name:auth_token", "basic", … */
    const char *body_format; /* "json" | "form" */
    const char *f_to, *f_from, *f_text, *f_status_url, *f_ref;
    bool to_no_plus;
    const char *id_path; /* answer JSON path of the message id */
    const char *in_id, *in_from, *in_to, *in_text;
    const char *dlr_id, *dlr_status, *dlr_error;
};
int sms_generic_parse(struct sms_ctx *x, const struct sms_generic_defaults *d,
                      const struct sms_http_request *rq, enum sms_hook hook,
                      struct sms_events *out);
int sms_generic_build_send(struct sms_ctx *x, const struct sms_generic_defaults *d,
                           const struct sms_outbound *m, struct sms_http_out *out);
int sms_generic_parse_send(struct sms_ctx *x, const struct sms_generic_defaults *d, long status,
                           const char *body, size_t len, struct sms_send_result *out);
/* The common status vocabulary (DELIVERED, DELIVRD, FAILED, UNDELIV, EXPIRED, …) overridable
 * with the "status_map" option ({"WORD":"delivered",…}). */
enum sms_state sms_generic_state(struct sms_ctx *x, const char *word);

#endif
