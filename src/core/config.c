#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/iso8601.h"

enum opt_type { OPT_INT, OPT_STR, OPT_BOOL };

struct opt {
    const char *section;
    const char *key;
    enum opt_type type;
    size_t offset;
    size_t size; /* for strings: capacity */
    long min, max;
    const char *def;
    const char *help;
};

#define OFF(f) offsetof(struct sb_config, f), sizeof(((struct sb_config *)0)->f)

static const struct opt opts[] = {
    {"http", "address", OPT_STR, OFF(http_address), 0, 0, "127.0.0.1",
     "Address to listen on (put nginx in front for TLS and public exposure)."},
    {"http", "port", OPT_INT, OFF(http_port), 0, 65535, "8080",
     "TCP port; 0 picks a free port (logged in the \"listening\" line)."},
    {"http", "threads", OPT_INT, OFF(http_threads), 1, 64, "2",
     "libmicrohttpd epoll threads serving requests."},
    {"http", "max_connections", OPT_INT, OFF(http_max_connections), 16, 1000000, "20000",
     "Open HTTP connections at most (raised from libmicrohttpd's 1020); the file limit is "
     "raised to fit."},
    {"http", "connection_timeout_s", OPT_INT, OFF(http_connection_timeout_s), 1, 3600, "30",
     "Idle HTTP connection timeout in seconds."},
    {"http", "connection_memory_limit", OPT_INT, OFF(http_connection_memory_limit), 8192, 1048576,
     "16384",
     "Bytes per connection for the request line and headers (also held by each WebSocket); "
     "larger headers are refused with 431."},
    {"http", "max_body_bytes", OPT_INT, OFF(http_max_body_bytes), 1024, 67108864, "1048576",
     "Largest request body accepted; larger bodies get 413."},
    {"http", "public_url", OPT_STR, OFF(http_public_url), 0, 0, "",
     "Public base URL (https://host) used in links and provider webhook URLs."},
    {"http", "trust_proxy", OPT_BOOL, OFF(http_trust_proxy), 0, 1, "0",
     "Take the client address from the last X-Forwarded-For entry when the peer is loopback "
     "(nginx on the same host). Needed for per-address login throttling behind a proxy."},
    {"web", "root", OPT_STR, OFF(web_root), 0, 0, "web/dist",
     "Directory of the built web app served at /."},
    {"db", "backend", OPT_STR, OFF(db_backend), 0, 0, "sqlite", "sqlite or postgres."},
    {"db", "sqlite_path", OPT_STR, OFF(db_sqlite_path), 0, 0, "data/switchboard.db",
     "SQLite database file (WAL mode, synchronous=FULL)."},
    {"db", "pg_conninfo", OPT_STR, OFF(db_pg_conninfo), 0, 0, "",
     "libpq connection string or URI for the postgres backend."},
    {"db", "busy_timeout_ms", OPT_INT, OFF(db_busy_timeout_ms), 0, 600000, "5000",
     "How long an SQLite writer waits for the lock before answering 503."},
    {"log", "file", OPT_STR, OFF(log_file), 0, 0, "",
     "Log file (JSON lines); empty logs to stderr. SIGHUP reopens it."},
    {"log", "level", OPT_STR, OFF(log_level), 0, 0, "info", "debug, info, warn or error."},
    {"log", "access", OPT_BOOL, OFF(log_access), 0, 1, "1", "Log one line per HTTP request."},
    {"ws", "allowed_origins", OPT_STR, OFF(ws_allowed_origins), 0, 0, "",
     "Comma-separated Origins allowed to open WebSockets; empty allows only the server's own "
     "host."},
    {"ws", "max_message_bytes", OPT_INT, OFF(ws_max_message_bytes), 128, 16777216, "65536",
     "Largest WebSocket message a client may send (closed with 1009 beyond)."},
    {"ws", "send_cap_bytes", OPT_INT, OFF(ws_send_cap_bytes), 4096, 67108864, "1048576",
     "Outbound bytes queued per WebSocket before a slow reader is closed with 1008."},
    {"ws", "ping_interval_ms", OPT_INT, OFF(ws_ping_interval_ms), 100, 600000, "25000",
     "Silence after which the server pings a WebSocket."},
    {"ws", "ping_timeout_ms", OPT_INT, OFF(ws_ping_timeout_ms), 100, 600000, "10000",
     "Time a pinged WebSocket has to answer before it is dropped."},
    {"ws", "max_connections", OPT_INT, OFF(ws_max_connections), 1, 1000000, "20000",
     "Open WebSockets at most."},
    {"jobs", "workers", OPT_INT, OFF(jobs_workers), 1, 64, "2",
     "Worker threads for slow work (password hashing, LDAP, SMTP, exports)."},
    {"jobs", "queue", OPT_INT, OFF(jobs_queue), 1, 1000000, "1024",
     "Jobs waiting at most; beyond, requests get 503."},
    {"server", "data_dir", OPT_STR, OFF(server_data_dir), 0, 0, "data",
     "Directory for the database, key file and uploads."},
    {"server", "shutdown_grace_ms", OPT_INT, OFF(server_shutdown_grace_ms), 0, 600000, "10000",
     "On SIGTERM, how long in-flight requests may take to finish."},
    {"server", "test_hooks", OPT_BOOL, OFF(server_test_hooks), 0, 1, "0",
     "Enables /api/v1/_test/* endpoints (fault injection, broadcast). Never in production."},
    {"server", "key_file", OPT_STR, OFF(server_key_file), 0, 0, "",
     "Key that seals secrets at rest (MFA seeds, provider credentials); created 0600 on first "
     "start. Empty = <server.data_dir>/secret.key. Back it up apart from the database."},
    {"server", "admin_token", OPT_STR, OFF(server_admin_token), 0, 0, "",
     "Operator's break-glass credential (Authorization: Bearer) with admin rights; empty "
     "disables it (recommended once accounts and API keys exist). At least 32 characters."},
    {"smtp", "host", OPT_STR, OFF(smtp_host), 0, 0, "",
     "SMTP server for password-reset mail; empty disables e-mail functions."},
    {"smtp", "port", OPT_INT, OFF(smtp_port), 1, 65535, "587", "SMTP port."},
    {"smtp", "tls", OPT_STR, OFF(smtp_tls), 0, 0, "auto",
     "auto (STARTTLS when offered), starttls (required), smtps (implicit TLS) or none."},
    {"smtp", "verify_peer", OPT_BOOL, OFF(smtp_verify_peer), 0, 1, "1",
     "Verify the SMTP server's certificate."},
    {"smtp", "username", OPT_STR, OFF(smtp_username), 0, 0, "", "SMTP AUTH user (optional)."},
    {"smtp", "password", OPT_STR, OFF(smtp_password), 0, 0, "",
     "SMTP AUTH password (never printed or logged)."},
    {"smtp", "from", OPT_STR, OFF(smtp_from), 0, 0, "switchboard@localhost",
     "Sender address of the mail Switchboard sends."},
    {"smtp", "timeout_ms", OPT_INT, OFF(smtp_timeout_ms), 1000, 300000, "20000",
     "Time limit for sending one message."},
    {"ldap", "url", OPT_STR, OFF(ldap_url), 0, 0, "",
     "LDAP / Active Directory server (ldap://host:389 or ldaps://host:636); empty disables "
     "\"Log in with Active Directory\"."},
    {"ldap", "starttls", OPT_BOOL, OFF(ldap_starttls), 0, 1, "0", "Require STARTTLS on ldap://."},
    {"ldap", "verify_cert", OPT_BOOL, OFF(ldap_verify_cert), 0, 1, "1",
     "Verify the directory's certificate."},
    {"ldap", "bind_template", OPT_STR, OFF(ldap_bind_template), 0, 0, "",
     "DN or UPN with one %s for the username, e.g. uid=%s,ou=people,dc=example,dc=com or "
     "%s@example.com; when empty the user is found by search."},
    {"ldap", "base_dn", OPT_STR, OFF(ldap_base_dn), 0, 0, "",
     "Search base, e.g. dc=example,dc=com."},
    {"ldap", "user_filter", OPT_STR, OFF(ldap_user_filter), 0, 0, "(uid=%s)",
     "Search filter with one %s, e.g. (sAMAccountName=%s) for Active Directory."},
    {"ldap", "service_dn", OPT_STR, OFF(ldap_service_dn), 0, 0, "",
     "Account used for the search (optional; anonymous when empty)."},
    {"ldap", "service_password", OPT_STR, OFF(ldap_service_password), 0, 0, "",
     "Password of the search account (never printed or logged)."},
    {"ldap", "map_by", OPT_STR, OFF(ldap_map_by), 0, 0, "username",
     "Which of the account's fields fills %s in the template or filter: username or email "
     "(e.g. with (mail=%s) when directory names differ from Switchboard usernames)."},
    {"ldap", "timeout_ms", OPT_INT, OFF(ldap_timeout_ms), 100, 60000, "5000",
     "Time limit for each directory operation."},
    {"asterisk", "realm", OPT_STR, OFF(asterisk_realm), 0, 0, "switchboard",
     "SIP digest realm of the agents' credentials (md5_cred in pjsip.conf and ps_auths); "
     "letters, digits, '.', '-', '_'. Changing it recomputes every md5_cred at the next start "
     "(docs/asterisk.md)."},
    {"license", "mobile", OPT_BOOL, OFF(license_mobile), 0, 1, "0",
     "The Mobile agent typology (Motion App) is licensed: agents may be created as mobile."},
    {"license", "expires", OPT_STR, OFF(license_expires), 0, 0, "",
     "Last day of the licence (YYYY-MM-DD, UTC); empty = it does not expire. From "
     "license.notice_days before, the login page and the console show the expiry notice."},
    {"license", "notice_days", OPT_INT, OFF(license_notice_days), 0, 365, "30",
     "Days before license.expires from which the expiry notice is shown."},
    {"auth", "argon2_opslimit", OPT_INT, OFF(auth_argon2_opslimit), 1, 10, "2",
     "argon2id iterations for password hashes (OWASP minimum 2 with 19 MiB)."},
    {"auth", "argon2_memlimit_kib", OPT_INT, OFF(auth_argon2_memlimit_kib), 8, 1048576, "19456",
     "argon2id memory in KiB. Values below OWASP's 19456 KiB / 2 iterations are refused unless "
     "server.test_hooks is on."},
    {"auth", "throttle_address_failures", OPT_INT, OFF(auth_throttle_address_failures), 1, 100,
     "20",
     "Failed logins from one address within the window before each further attempt must "
     "wait."},
    {"auth", "throttle_account_failures", OPT_INT, OFF(auth_throttle_account_failures), 1, 100,
     "10",
     "Failed logins for one username within the window before each further attempt must "
     "wait (NIST/ASVS: at most 100 per hour)."},
    {"auth", "throttle_window_s", OPT_INT, OFF(auth_throttle_window_s), 1, 86400, "900",
     "How long a failed login counts for throttling."},
    {"auth", "throttle_base_delay_ms", OPT_INT, OFF(auth_throttle_base_delay_ms), 1, 3600000,
     "1000", "First delay once the allowance is used; it doubles with each further failure."},
    {"auth", "throttle_max_delay_s", OPT_INT, OFF(auth_throttle_max_delay_s), 1, 86400, "900",
     "Longest throttling delay."},
    {"client_logs", "max_file_bytes", OPT_INT, OFF(client_logs_max_file_bytes), 1024, 1073741824,
     "1048576",
     "Agents' web-client logs (<server.data_dir>/client-logs/agent-<username>/client.log): "
     "size at which the current file is rotated. A file is larger only when one entry is."},
    {"client_logs", "max_files", OPT_INT, OFF(client_logs_max_files), 1, 100, "5",
     "Client-log files kept per agent, the current one included (client.log, client.log.1, "
     "…); the oldest is dropped at rotation."},
    {"sms", "allowed_hosts", OPT_STR, OFF(sms_allowed_hosts), 0, 0, "",
     "Comma-separated hosts an SMS account's base URL may name (CSCTelecom and other providers "
     "whose host is not known in advance; Infobip's *.api.infobip.com need no entry)."},
    {"sms", "test_base_url", OPT_STR, OFF(sms_test_base_url), 0, 0, "",
     "Tests only: every SMS provider URL becomes this base + /<provider> + the real path, over "
     "plain HTTP (refused unless server.test_hooks is on)."},
    {"interactions", "transcript_max_bytes", OPT_INT, OFF(interactions_transcript_max_bytes), 4096,
     268435456, "16777216",
     "Largest transcript text (transcript.txt plus the attachment index) of one interaction's "
     "transcript.zip; a longer one is refused (422). The archive is built in memory, so each "
     "download holds up to about twice this."},
    {"messenger", "presence_grace_ms", OPT_INT, OFF(messenger_presence_grace_ms), 0, 600000, "5000",
     "Internal messenger: how long a user whose last WebSocket closed still counts as online, "
     "so a page reload does not flap their presence."},
    {"messenger", "max_message_chars", OPT_INT, OFF(messenger_max_message_chars), 1, 65536, "4000",
     "Internal messenger: longest message text, in characters (Unicode code points)."},
    {"messenger", "rate_per_minute", OPT_INT, OFF(messenger_rate_per_minute), 1, 1000000, "60",
     "Internal messenger: messages one sender may send per minute, on average."},
    {"messenger", "rate_burst", OPT_INT, OFF(messenger_rate_burst), 1, 1000000, "20",
     "Internal messenger: messages one sender may send at once before the per-minute rate "
     "applies (429 beyond)."},
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static int opt_set(struct sb_config *c, const struct opt *o, const char *value,
                   struct config_error *err)
{
    char *field = (char *)c + o->offset;
    snprintf(err->option, sizeof(err->option), "%s.%s", o->section, o->key);
    switch (o->type) {
    case OPT_STR:
        if (strlen(value) >= o->size) {
            snprintf(err->message, sizeof(err->message), "longer than %zu characters", o->size - 1);
            return SB_EINVALID;
        }
        strcpy(field, value);
        return 0;
    case OPT_BOOL:
        if (!strcmp(value, "1") || !strcasecmp(value, "true") || !strcasecmp(value, "yes") ||
            !strcasecmp(value, "on")) {
            *(bool *)field = true;
            return 0;
        }
        if (!strcmp(value, "0") || !strcasecmp(value, "false") || !strcasecmp(value, "no") ||
            !strcasecmp(value, "off")) {
            *(bool *)field = false;
            return 0;
        }
        snprintf(err->message, sizeof(err->message), "must be true or false");
        return SB_EINVALID;
    case OPT_INT: {
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end || v < o->min || v > o->max) {
            snprintf(err->message, sizeof(err->message), "must be an integer from %ld to %ld",
                     o->min, o->max);
            return SB_EINVALID;
        }
        *(int *)field = (int)v;
        return 0;
    }
    }
    return SB_EINTERNAL;
}

static const struct opt *opt_find(const char *section, const char *key)
{
    for (size_t i = 0; i < NOPTS; i++)
        if (!strcmp(opts[i].section, section) && !strcmp(opts[i].key, key))
            return &opts[i];
    return NULL;
}

void config_defaults(struct sb_config *c)
{
    struct config_error ignored;
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < NOPTS; i++)
        opt_set(c, &opts[i], opts[i].def, &ignored);
}

struct ini_ctx {
    struct sb_config *c;
    struct config_error *err;
    int result;
};

static int config_ini_line(void *user, const char *section, const char *name, const char *value)
{
    struct ini_ctx *ctx = user;
    const struct opt *o = opt_find(section, name);
    if (!o) {
        snprintf(ctx->err->option, sizeof(ctx->err->option), "%s.%s", section, name);
        snprintf(ctx->err->message, sizeof(ctx->err->message), "unknown option");
        ctx->result = SB_EINVALID;
        return 0;
    }
    ctx->result = opt_set(ctx->c, o, value, ctx->err);
    return ctx->result == 0;
}

static int config_validate(struct sb_config *c, struct config_error *err)
{
    if (strcmp(c->db_backend, "sqlite") && strcmp(c->db_backend, "postgres")) {
        snprintf(err->option, sizeof(err->option), "db.backend");
        snprintf(err->message, sizeof(err->message), "must be sqlite or postgres");
        return SB_EINVALID;
    }
    if (!strcmp(c->db_backend, "postgres") && !c->db_pg_conninfo[0]) {
        snprintf(err->option, sizeof(err->option), "db.pg_conninfo");
        snprintf(err->message, sizeof(err->message), "required when db.backend is postgres");
        return SB_EINVALID;
    }
    if (strcmp(c->smtp_tls, "auto") && strcmp(c->smtp_tls, "starttls") &&
        strcmp(c->smtp_tls, "smtps") && strcmp(c->smtp_tls, "none")) {
        snprintf(err->option, sizeof(err->option), "smtp.tls");
        snprintf(err->message, sizeof(err->message), "must be auto, starttls, smtps or none");
        return SB_EINVALID;
    }
    if (strcmp(c->ldap_map_by, "username") && strcmp(c->ldap_map_by, "email")) {
        snprintf(err->option, sizeof(err->option), "ldap.map_by");
        snprintf(err->message, sizeof(err->message), "must be username or email");
        return SB_EINVALID;
    }
    if (strcmp(c->log_level, "debug") && strcmp(c->log_level, "info") &&
        strcmp(c->log_level, "warn") && strcmp(c->log_level, "error")) {
        snprintf(err->option, sizeof(err->option), "log.level");
        snprintf(err->message, sizeof(err->message), "must be debug, info, warn or error");
        return SB_EINVALID;
    }
    if (!c->server_test_hooks &&
        (c->auth_argon2_opslimit < 2 || c->auth_argon2_memlimit_kib < 19456)) {
        snprintf(err->option, sizeof(err->option), "auth.argon2_memlimit_kib");
        snprintf(err->message, sizeof(err->message),
                 "below OWASP's minimum (19456 KiB, 2 iterations); allowed only for tests");
        return SB_EINVALID;
    }
    if (!c->asterisk_realm[0] ||
        strspn(c->asterisk_realm, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                  "0123456789.-_") != strlen(c->asterisk_realm)) {
        snprintf(err->option, sizeof(err->option), "asterisk.realm");
        snprintf(err->message, sizeof(err->message),
                 "must be 1 to 64 letters, digits, '.', '-' or '_'");
        return SB_EINVALID;
    }
    if (c->sms_test_base_url[0] && !c->server_test_hooks) {
        snprintf(err->option, sizeof(err->option), "sms.test_base_url");
        snprintf(err->message, sizeof(err->message), "is allowed only with server.test_hooks");
        return SB_EINVALID;
    }
    c->license_expires_ms = 0;
    if (c->license_expires[0] && (strlen(c->license_expires) != 10 ||
                                  !iso8601_parse(c->license_expires, &c->license_expires_ms))) {
        snprintf(err->option, sizeof(err->option), "license.expires");
        snprintf(err->message, sizeof(err->message), "must be a date YYYY-MM-DD or empty");
        return SB_EINVALID;
    }
    if (c->server_admin_token[0] && strlen(c->server_admin_token) < 32) {
        snprintf(err->option, sizeof(err->option), "server.admin_token");
        snprintf(err->message, sizeof(err->message), "must be at least 32 characters");
        return SB_EINVALID;
    }
    return 0;
}

int config_load(struct sb_config *c, const char *path, struct config_error *err)
{
    memset(err, 0, sizeof(*err));
    if (path) {
        FILE *f = fopen(path, "r");
        if (!f) {
            snprintf(err->option, sizeof(err->option), "%s", path);
            snprintf(err->message, sizeof(err->message), "cannot open: %s", strerror(errno));
            return SB_EIO;
        }
        struct ini_ctx ctx = {c, err, 0};
        int line = ini_parse_file(f, config_ini_line, &ctx);
        fclose(f);
        if (ctx.result)
            return ctx.result;
        if (line) {
            snprintf(err->option, sizeof(err->option), "%s", path);
            snprintf(err->message, sizeof(err->message), "syntax error on line %d", line);
            return SB_EINVALID;
        }
    }
    for (size_t i = 0; i < NOPTS; i++) {
        char name[96];
        int n = snprintf(name, sizeof(name), "SWITCHBOARD_%s_%s", opts[i].section, opts[i].key);
        for (int j = 0; j < n; j++)
            name[j] = (char)toupper((unsigned char)name[j]);
        const char *v = getenv(name);
        if (v) {
            int r = opt_set(c, &opts[i], v, err);
            if (r) {
                snprintf(err->option, sizeof(err->option), "%s", name);
                return r;
            }
        }
    }
    return config_validate(c, err);
}

static void opt_value(const struct sb_config *c, const struct opt *o, char *out, size_t n)
{
    const char *field = (const char *)c + o->offset;
    switch (o->type) {
    case OPT_STR:
        snprintf(out, n, "%s", field);
        break;
    case OPT_BOOL:
        snprintf(out, n, "%s", *(const bool *)field ? "true" : "false");
        break;
    case OPT_INT:
        snprintf(out, n, "%d", *(const int *)field);
        break;
    }
}

void config_print(const struct sb_config *c, FILE *out)
{
    const char *section = "";
    for (size_t i = 0; i < NOPTS; i++) {
        if (strcmp(section, opts[i].section)) {
            section = opts[i].section;
            fprintf(out, "%s[%s]\n", i ? "\n" : "", section);
        }
        char value[1100];
        opt_value(c, &opts[i], value, sizeof(value));
        /* Connection strings may carry a password: never print them. */
        if ((!strcmp(opts[i].key, "pg_conninfo") || !strcmp(opts[i].key, "admin_token") ||
             !strcmp(opts[i].key, "password") || !strcmp(opts[i].key, "service_password")) &&
            value[0])
            snprintf(value, sizeof(value), "(set, not shown)");
        fprintf(out, "; %s\n%s = %s\n", opts[i].help, opts[i].key, value);
    }
}

void config_print_markdown(FILE *out)
{
    fprintf(out, "| option | environment | type | default | range | meaning |\n");
    fprintf(out, "| --- | --- | --- | --- | --- | --- |\n");
    for (size_t i = 0; i < NOPTS; i++) {
        const struct opt *o = &opts[i];
        char env[96];
        int n = snprintf(env, sizeof(env), "SWITCHBOARD_%s_%s", o->section, o->key);
        for (int j = 0; j < n; j++)
            env[j] = (char)toupper((unsigned char)env[j]);
        char range[64] = "";
        if (o->type == OPT_INT)
            snprintf(range, sizeof(range), "%ld–%ld", o->min, o->max);
        fprintf(out, "| `%s.%s` | `%s` | %s | `%s` | %s | %s |\n", o->section, o->key, env,
                o->type == OPT_INT    ? "integer"
                : o->type == OPT_BOOL ? "boolean"
                                      : "string",
                o->def, range, o->help);
    }
}
