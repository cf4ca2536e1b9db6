/* provider.h — the SMS provider layer: one adapter per provider (providers/) behind one
 * interface. Every adapter is pure: no database, no globals, no network; time and the
 * account's (unsealed) credentials are passed in, everything returned lives in the caller's
 * arena. What each provider sends and expects, and which parts are configurable because the
 * provider's format is not public, is in docs/providers.md.
 *
 * The four jobs, in the order a webhook route or the outbox uses them:
 *   sms_verify()       is this request really from the provider? (fail closed)
 *   sms_parse()        the inbound messages and delivery reports it carries
 *   sms_build_send()   the HTTP request that sends one message (method, URL, headers, body)
 *   sms_parse_send()   the provider's answer: accepted (its message id), retry, or final failure
 * plus sms_build_login()/sms_parse_login() for the one provider that needs a session first
 * (Skebby), and the SSRF guard for user-set base URLs (sms_base_url_check(), net.h).
 *
 * Thread safety: every function may be called from any thread at the same time; the only
 * shared state is the constant provider table. */
#ifndef SB_CHANNELS_SMS_PROVIDER_H
#define SB_CHANNELS_SMS_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct sms_provider;

/* Caps on what a parser accepts and returns (every input is hostile). */
#define SMS_EVENTS_MAX    256          /* events in one webhook (Infobip buckets are 100) */
#define SMS_MEDIA_MAX     10           /* media per message (Twilio and Telnyx allow 10) */
#define SMS_FIELD_MAX     256          /* ids, numbers, status and error codes */
#define SMS_BODY_MAX      (64 * 1024)  /* a message body */
#define SMS_URL_MAX       2048         /* a media URL, a canonical webhook URL */
#define SMS_INLINE_MAX    (512 * 1024) /* inline (base64) media, all of one webhook */
#define SMS_HOOK_BODY_MAX (1024 * 1024)
#define SMS_TELNYX_WINDOW 300 /* seconds a Telnyx timestamp may be off, either way */
#define SMS_TOKEN_MIN     32  /* bytes of a webhook URL token */

/* A header or a form parameter. */
struct sms_kv {
    const char *name;
    const char *value;
};

/* An account's provider settings and credentials, unsealed by the caller. NULL or "" = not
 * set. Which fields a provider reads is in docs/providers.md (and in the account API). */
struct sms_account_creds {
    const char *account_id;     /* Twilio Account SID, Plivo Auth ID, Bandwidth account id */
    const char *auth_token;     /* Twilio, Plivo, Connectel */
    const char *username;       /* Skebby, ClickSend, Infobip, Bandwidth */
    const char *password;       /* Skebby, ClickSend, Infobip, Bandwidth */
    const char *api_key;        /* ClickSend (instead of the password), Clickatell, CSCTelecom,
                                   Infobip (instead of Basic), IntelePeer, Telnyx */
    const char *public_key;     /* Telnyx webhook public key (base64 of 32 bytes) */
    const char *base_url;       /* Infobip, CSCTelecom: checked by sms_base_url_check() */
    const char *application_id; /* Bandwidth */
    const char *phone;          /* the account's number: the default sender */
    const char *sender;         /* Skebby, Connectel, ClickSend, Plivo: sender string */
    const char *method;         /* Skebby: "basic" | "classic" | "classic_plus" */
    bool delivery_report;       /* Skebby (Classic+), Connectel, ClickSend */
    /* Webhook authentication that is ours, not the provider's: */
    const char *webhook_token;    /* the unguessable token in the receive URL (?token=) */
    const char *webhook_user;     /* HTTP Basic on callbacks (Bandwidth, Clickatell legacy) */
    const char *webhook_password; /* ditto */
    /* A JSON object with the configurable parts of formats that are not public (URL
     * template, auth header, field names, status words): docs/providers.md. */
    const char *options_json;
};

/* Fills *out from an SMS account as sms_accounts.h stores it: its type, its credentials object
 * in clear (sms_account_credentials(): account_sid / auth_id / account_id, auth_token,
 * username, password, api_key, public_key, base_url, application_id, sender, method,
 * delivery_report, and an optional "options" object), its phone and its proxy token. The
 * proxy token becomes webhook_token for the types authenticated by it (docs/sms.md,
 * inbound_auth "token"); Bandwidth's webhooks carry the account's username and password as
 * Basic credentials. Strings point into `creds`, `phone` and `proxy_token` (keep them alive)
 * or into `a`. 0; SB_EINVAL for an unknown type or a credentials value that is not an object;
 * SB_ENOMEM. Any thread. */
int sms_creds_from_account(const char *type, const void *creds_json, const char *phone,
                           const char *proxy_token, struct arena *a, struct sms_account_creds *out);

/* Where provider requests go. Production passes {NULL, allow-list}; tests set test_base_url. */
struct sms_env {
    /* Test only: every provider URL becomes test_base_url + "/" + provider name + path (e.g.
     * http://127.0.0.1:4010/twilio/2010-04-01/…), over plain HTTP, no pinning. NULL in
     * production (the config option is refused unless server.test_hooks is on). */
    const char *test_base_url;
    /* Comma-separated hosts an admin allowed for CSCTelecom (and any provider whose host is
     * not known in advance); NULL = none. Infobip hosts need no entry (*.api.infobip.com). */
    const char *allowed_hosts;
};

/* ---- the providers ------------------------------------------------------------------- */

/* The provider named `type` ("twilio", "skebby", "connectel", "clicksend", "plivo",
 * "clickatell", "csctelecom", "infobip", "intelepeer", "bandwidth", "telnyx"; exact,
 * lower case), or NULL. */
const struct sms_provider *sms_provider_find(const char *type);

/* The i-th provider (0 ≤ i < sms_provider_count()), for listings and tests. */
size_t sms_provider_count(void);
const struct sms_provider *sms_provider_at(size_t i);

/* The provider's type name, as sms_provider_find() takes it. */
const char *sms_provider_name(const struct sms_provider *p);

/* How the provider's webhooks are authenticated (for the account page and logs):
 * "twilio-hmac-sha1", "plivo-v3-v2", "telnyx-ed25519", "basic-or-token", "token". */
const char *sms_provider_auth_scheme(const struct sms_provider *p);

/* How delivery reports reach us for account `c`, i.e. whether the account page shows a
 * delivery-report URL to paste at the provider:
 *   SMS_DLR_PER_MESSAGE  each send carries our status URL (Twilio, Plivo, Telnyx, Infobip):
 *                        nothing to paste;
 *   SMS_DLR_CONFIGURED   the admin pastes the delivery-report URL at the provider (ClickSend
 *                        and Connectel with the account's delivery report on, Skebby Classic+
 *                        with it on, Clickatell, CSCTelecom with its placeholders, IntelePeer);
 *   SMS_DLR_RECEIVE_URL  reports come to the receive URL (Bandwidth's Application callback);
 *   SMS_DLR_NONE         no reports (the delivery report option is off). */
enum sms_dlr_mode { SMS_DLR_NONE, SMS_DLR_PER_MESSAGE, SMS_DLR_CONFIGURED, SMS_DLR_RECEIVE_URL };
enum sms_dlr_mode sms_provider_dlr_mode(const struct sms_provider *p,
                                        const struct sms_account_creds *c);

/* Whether sends can carry media (MMS): Twilio, Plivo, Telnyx, Bandwidth, and the configurable
 * providers (field_media). For the others an outbound message's media_urls are ignored: the
 * caller should put links in the text instead. */
bool sms_provider_sends_media(const struct sms_provider *p);

/* The query a CSCTelecom delivery-report URL ends with: the provider replaces the
 * placeholders. "message_id=<Message-Id>&state=<State>"; NULL for the others. */
const char *sms_provider_dlr_query(const struct sms_provider *p);

/* ---- inbound webhooks ---------------------------------------------------------------- */

/* A request as it arrived. `url` is the CANONICAL PUBLIC URL the provider called (the
 * account's configured public base + path + the raw query string), never built from the Host
 * header. The body is the raw bytes, not re-serialized. Header names match case-blind. */
struct sms_http_request {
    const char *method; /* "POST", "GET" */
    const char *url;
    const struct sms_kv *headers;
    size_t n_headers;
    const char *body; /* may be NULL when body_len is 0 */
    size_t body_len;
};

/* Checks that `rq` comes from the provider of the account `c`, with the provider's own scheme:
 * Twilio X-Twilio-Signature (HMAC-SHA1 over URL + sorted parameters, with and without the
 * standard port; bodySHA256 for JSON bodies), Plivo X-Plivo-Signature-V3 or -V2 (HMAC-SHA256),
 * Telnyx Ed25519 over "timestamp|body" with |now_s − timestamp| ≤ SMS_TELNYX_WINDOW; the
 * others by the URL token (?token=, at least SMS_TOKEN_MIN bytes) and, where configured, HTTP
 * Basic credentials (every configured mechanism must pass). All compares are constant time.
 * Returns 0 when authentic; SB_EAUTH otherwise — also when the account lacks what the check
 * needs (fail closed); SB_ENOMEM. *why (may be NULL) gets a static reason for the log that
 * never contains a secret. `a` is scratch memory. Any thread. */
int sms_verify(const struct sms_provider *p, const struct sms_account_creds *c,
               const struct sms_http_request *rq, int64_t now_s, struct arena *a, const char **why);

/* Normalized delivery states, in the order they may advance: a state never moves back to a
 * lower rank (see sms_state_rank()). */
enum sms_state {
    SMS_STATE_NONE = 0, /* the report carries no state we track (e.g. Clickatell UNKNOWN) */
    SMS_STATE_QUEUED,
    SMS_STATE_SENT,
    SMS_STATE_DELIVERED,
    SMS_STATE_UNDELIVERED,
    SMS_STATE_FAILED,
};

/* "queued", "sent", "delivered", "undelivered", "failed"; NULL for SMS_STATE_NONE. */
const char *sms_state_name(enum sms_state s);

/* 0 none, 1 queued, 2 sent, 3 for the terminal states (delivered, undelivered, failed). A
 * report may be applied when its rank is above the stored one; terminal states are final. */
int sms_state_rank(enum sms_state s);

/* Which of the account's URLs the request came to. Providers that post everything to one
 * URL (Telnyx, Bandwidth) are told apart by the payload either way. */
enum sms_hook {
    SMS_HOOK_RECEIVE = 1, /* the receive URL: inbound messages */
    SMS_HOOK_STATUS = 2,  /* the delivery-report URL */
};

struct sms_media {
    const char *url;          /* NULL for inline media */
    const char *content_type; /* may be NULL */
    const char *data_b64;     /* inline media (Clickatell moMedia): base64, else NULL */
};

enum sms_event_kind {
    SMS_EVENT_MESSAGE = 1, /* an inbound message */
    SMS_EVENT_STATUS = 2,  /* a delivery report for one of our messages */
};

struct sms_event {
    enum sms_event_kind kind;
    const char *provider_id; /* the provider's message id: never NULL, never "" */
    /* SMS_EVENT_MESSAGE: */
    const char *from, *to; /* as the provider wrote them (E.164 mostly); to may be NULL */
    const char *body;      /* never NULL; "" for a media-only message */
    const struct sms_media *media;
    size_t n_media;
    /* SMS_EVENT_STATUS: */
    enum sms_state state;
    const char *provider_status; /* the provider's own word for it, e.g. "delivery_failed" */
    const char *error_code;      /* the provider's error code, NULL when none */
};

struct sms_events {
    const struct sms_event *items;
    size_t n; /* 0 is fine: a request with nothing for us (e.g. a Telnyx event we ignore) */
};

/* Parses the messages and delivery reports in `rq` (already verified) with the provider's
 * format. Fields longer than SMS_FIELD_MAX / SMS_BODY_MAX / SMS_URL_MAX, more than
 * SMS_EVENTS_MAX events or SMS_MEDIA_MAX media are refused, never truncated. Returns 0;
 * SB_EINVAL for a malformed or incomplete payload (no sender, no id); SB_ETOOBIG for a cap;
 * SB_ENOMEM (arena full). On error *out is empty. Everything lives in `a`. Any thread. */
int sms_parse(const struct sms_provider *p, const struct sms_account_creds *c,
              const struct sms_http_request *rq, enum sms_hook hook, struct arena *a,
              struct sms_events *out);

/* The success answer a webhook should get once its events are committed: Twilio and Plivo
 * expect an (empty) XML <Response>, so they do not log "invalid content type" warnings; the
 * others take any 2xx. Static strings; any thread. */
struct sms_ack {
    int status;
    const char *content_type;
    const char *body;
};
void sms_webhook_ack(const struct sms_provider *p, struct sms_ack *out);

/* ---- outbound ------------------------------------------------------------------------ */

struct sms_outbound {
    const char *to;   /* E.164 ("+39…"); adapters reformat as their provider wants */
    const char *from; /* NULL = the account's sender, else its phone */
    const char *body;
    const char *const *media_urls; /* public URLs, may be NULL */
    size_t n_media;
    const char *status_url; /* our delivery-report URL for this message; NULL = none */
    const char *reference;  /* our id, echoed in reports where the provider allows; may be NULL */
};

/* An HTTP request to make. Everything points into the arena it was built in. */
struct sms_http_out {
    const char *method;
    const char *url;
    const struct sms_kv *headers; /* including Authorization and Content-Type */
    size_t n_headers;
    const char *body; /* NUL-terminated too */
    size_t body_len;
    /* The host was set by a user (Infobip, CSCTelecom): connect only through
     * sms_net_pin() (net.h). False for fixed provider hosts and the test override. */
    bool pin;
    const char *host; /* the URL's host, for pinning */
};

/* Builds the request that sends `m` from account `c`. `session` is what sms_parse_login()
 * returned for providers that need one (sms_needs_session()), else NULL. Returns 0;
 * SB_EINVALID when the account lacks a field the provider needs, a configured option is
 * invalid, or a user-set base URL fails sms_base_url_check() (*why names it); SB_EINVAL for an
 * empty recipient; SB_EAUTH when a session is needed and missing; SB_ENOMEM. Any thread. */
int sms_build_send(const struct sms_provider *p, const struct sms_account_creds *c,
                   const struct sms_env *env, const struct sms_outbound *m, const char *session,
                   struct arena *a, struct sms_http_out *out, const char **why);

enum sms_send_outcome {
    SMS_SEND_ACCEPTED = 1, /* the provider took it: never send it again */
    SMS_SEND_RETRY,        /* nothing was accepted: send again later (5xx, 408, 429, transport) */
    SMS_SEND_REAUTH,       /* the session expired: log in again, then send again */
    SMS_SEND_FAILED,       /* refused for good (bad number, no credit, bad credentials) */
};

struct sms_send_result {
    enum sms_send_outcome outcome;
    const char *provider_id;     /* ACCEPTED: the provider's message id (NULL if it gave none) */
    enum sms_state state;        /* ACCEPTED: usually SMS_STATE_QUEUED */
    const char *error_code;      /* RETRY/FAILED: the provider's code or "HTTP <status>" */
    const char *provider_status; /* the provider's word, may be NULL */
};

/* Reads the provider's answer to a send: `http_status` (0 = no answer: a transport error or
 * timeout) and the response body (the caller caps it; may be truncated or garbage). A 2xx is
 * ACCEPTED even when the body cannot be read (provider_id NULL), so an accepted message is
 * never sent twice — except where the provider answers 2xx with a per-message refusal
 * (ClickSend, Clickatell, Infobip REJECTED, Skebby result != OK): FAILED then. Always returns
 * 0 with *out filled (SB_ENOMEM only if the arena is full). Any thread. */
int sms_parse_send(const struct sms_provider *p, const struct sms_account_creds *c,
                   long http_status, const char *body, size_t body_len, struct arena *a,
                   struct sms_send_result *out);

/* Whether sends need a session from sms_build_login() first (Skebby). */
bool sms_needs_session(const struct sms_provider *p, const struct sms_account_creds *c);

/* Builds the login request of a session provider. SB_EINVALID without username/password,
 * SB_ENOTFOUND for a provider without sessions, SB_ENOMEM. Any thread. */
int sms_build_login(const struct sms_provider *p, const struct sms_account_creds *c,
                    const struct sms_env *env, struct arena *a, struct sms_http_out *out,
                    const char **why);

/* Reads a login answer into *session (in `a`; the caller may cache it, it is a credential:
 * never log it). 0; SB_EAUTH when refused (401/403 or a malformed answer); SB_EUNAVAIL for
 * 5xx / no answer (try later). */
int sms_parse_login(const struct sms_provider *p, long http_status, const char *body,
                    size_t body_len, struct arena *a, const char **session);

/* ---- user-set base URLs (SSRF, reference §2.9) ---------------------------------------- */

/* Checks a base URL an admin typed for provider `p` and writes its normalized host (lower
 * case, no port, no dot at the end) into host[cap]: https only, default port, no user info,
 * no query or fragment; Infobip hosts must be api.infobip.com or <x>.api.infobip.com, other
 * providers' hosts must be listed in env->allowed_hosts; IP literals are refused. With
 * env->test_base_url set, anything is accepted (tests point at loopback). Returns 0 or
 * SB_EINVALID with *why. Pure (no DNS: sms_net_pin() resolves and checks addresses). */
int sms_base_url_check(const struct sms_provider *p, const char *base_url,
                       const struct sms_env *env, char *host, size_t cap, const char **why);

#endif
