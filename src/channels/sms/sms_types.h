/* sms_types.h — the eleven SMS provider types of an SMS account and their credential fields
 * (issue #6 part 1; the field list per type is in docs/sms.md).
 *
 * Pure functions over JSON: no database, no clock, no globals; any thread. The credentials
 * of an account are one JSON object of the type's fields; the secret ones (tokens, passwords,
 * API keys) are shown masked (sms_credentials_public) and never in full. */
#ifndef SB_CHANNELS_SMS_SMS_TYPES_H
#define SB_CHANNELS_SMS_SMS_TYPES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define SMS_TYPE_COUNT     11
#define SMS_CRED_TEXT_MAX  256 /* characters of any credential field */
#define SMS_PHONE_MAX      32
#define SMS_MASK_MAX       16 /* bytes of a masked secret, NUL included */
#define SMS_MASK_SHOW_FROM 12 /* secrets shorter than this are masked whole */

/* How a provider's inbound webhooks (receive and delivery-report URLs) are authenticated. */
enum sms_inbound_auth {
    SMS_AUTH_TOKEN = 1, /* the account's proxy token in the URL (?token=…) */
    SMS_AUTH_TWILIO,    /* X-Twilio-Signature, HMAC-SHA1 with the auth token */
    SMS_AUTH_PLIVO,     /* X-Plivo-Signature-V2/V3 with the auth token */
    SMS_AUTH_TELNYX,    /* Ed25519 with the webhook public key, 300 s window */
    SMS_AUTH_BASIC,     /* HTTP Basic with the account's username and password */
};

/* The type names, in the product's order ("twilio" … "telnyx"); *n gets SMS_TYPE_COUNT. */
const char *const *sms_type_names(size_t *n);

/* True for one of the eleven type names. */
bool sms_type_valid(const char *type);

/* How `type`'s inbound requests are authenticated; 0 for an unknown type. */
enum sms_inbound_auth sms_type_inbound_auth(const char *type);

/* The name of an enum sms_inbound_auth ("token", "twilio_signature", "plivo_signature",
 * "telnyx_signature", "basic"); "" for 0. */
const char *sms_inbound_auth_name(enum sms_inbound_auth a);

/* True when the account shows a delivery-report URL: always, except Skebby (only method
 * classic_plus with delivery_report on), Connectel and ClickSend (only with delivery_report
 * on). `creds` is the validated credentials object. */
bool sms_type_has_status_url(const char *type, const json_t *creds);

/* True when the account's phone is required by `type` (IntelePeer and Bandwidth). */
bool sms_type_needs_phone(const char *type);

/* Checks an account phone: E.164 ("+" optional, 3–15 digits, no leading 0) or a short code
 * "{country code}-{code}" (1–4 digits, "-", 1–15 letters or digits: IntelePeer's "1-12345",
 * "34-Hello8"). */
bool sms_phone_valid(const char *phone);

/* Validates the credentials `given` (the body's "credentials" member: an object, or NULL when
 * absent) for `type` over `current` (the stored credentials when the type is unchanged, else
 * NULL): a field absent from `given` keeps its current value, null removes an optional one,
 * and a secret equal to its current masked form keeps the stored secret. Each bad field is
 * appended to `errors` as {field: "credentials.<name>", message}. Returns 0 with *clean (a
 * new object of exactly the type's fields, defaults applied), SB_EINVALID (*clean NULL), or
 * SB_ENOMEM. Base URLs are normalized ("https://host", no trailing slash). */
int sms_credentials_validate(const char *type, const json_t *given, const json_t *current,
                             json_t **clean, json_t *errors);

/* Validates an account's provider options (the credentials' "options" member: the
 * configurable parts of the formats marked [NF]/[K], docs/providers.md "Custom formats"):
 * an object of known options that apply to `type`, each value checked, at most
 * SMS_OPTIONS_MAX bytes as JSON. Each bad one is appended to `errors` as
 * {field: "credentials.options.<name>", message}. 0 with *clean (a new copy), SB_EINVALID,
 * SB_ENOMEM. Pure, any thread. */
#define SMS_OPTIONS_MAX 4096
int sms_options_validate(const char *type, const json_t *given, json_t **clean, json_t *errors);

/* The credentials as the API shows them: non-secret fields as stored, secret ones masked.
 * New reference; NULL when out of memory. */
json_t *sms_credentials_public(const char *type, const json_t *creds);

/* A destination number as E.164: "+" (or "00"), a country code not starting with 0, 7 to 15
 * digits in all; spaces, dashes, dots and parentheses between digits are dropped. Writes
 * "+<digits>" into out and returns true, or returns false (a national number without its
 * country code is refused: the provider would guess its country). Pure, any thread. */
#define SMS_E164_MAX 17
bool sms_phone_e164(const char *in, char out[SMS_E164_MAX]);

/* Masks a secret into out (SMS_MASK_MAX bytes): "****" + its last 4 characters when it has at
 * least SMS_MASK_SHOW_FROM characters, else "****". */
void sms_mask(const char *secret, char out[SMS_MASK_MAX]);

/* True when `url` is an https:// URL with a host (no user info, no fragment, no spaces or
 * control characters, at most 255 characters); *host_len gets the host's length. */
bool sms_https_url_valid(const char *url);

#endif
