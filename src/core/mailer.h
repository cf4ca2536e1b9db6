/* mailer.h — sending one e-mail through the configured SMTP server (libcurl).
 *
 * STARTTLS is used whenever the server offers it (tls = MAILER_TLS_AUTO), required with
 * MAILER_TLS_STARTTLS, implicit TLS with MAILER_TLS_SMTPS (smtps://). Blocking: call from a job
 * worker. Thread-safe (no shared state besides curl_global_init, done once). Header values are
 * checked: CR/LF in an address or subject is refused (header injection). */
#ifndef SB_CORE_MAILER_H
#define SB_CORE_MAILER_H

#include <stdbool.h>

enum mailer_tls { MAILER_TLS_AUTO = 0, MAILER_TLS_STARTTLS, MAILER_TLS_SMTPS, MAILER_TLS_NONE };

struct mailer_config {
    char host[256]; /* empty = not configured */
    int port;       /* 25, 587, 465… */
    enum mailer_tls tls;
    bool verify_peer; /* verify the server certificate (default true) */
    char username[256];
    char password[256];
    char from[256]; /* envelope and header From: address */
    int timeout_ms; /* whole transaction */
};

struct mailer_message {
    const char *to;      /* one address */
    const char *subject; /* UTF-8; encoded as RFC 2047 when not ASCII */
    const char *text;    /* UTF-8 plain-text body; lines end with \n (sent as CRLF) */
};

/* True when a host is configured. */
bool mailer_configured(const struct mailer_config *cfg);

/* Sends `msg`. Returns 0, SB_EINVAL (bad address/subject: CR, LF, no '@', too long),
 * SB_EUNAVAIL (not configured, connection or TLS failure, server refused) or SB_ENOMEM. The
 * password never appears in logs. */
int mailer_send(const struct mailer_config *cfg, const struct mailer_message *msg);

#endif
