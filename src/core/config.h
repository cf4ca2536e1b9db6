/* config.h — server configuration: defaults, an INI file (libinih), then environment
 * overrides SWITCHBOARD_<SECTION>_<KEY> (e.g. SWITCHBOARD_HTTP_PORT=9000).
 *
 * Table-driven: every option has one row (section, key, type, range, default, help) in
 * config.c; `switchboard config` prints them and docs/configuration.md documents them. The
 * struct is filled once at start-up and read-only afterwards (any thread may read it). */
#ifndef SB_CORE_CONFIG_H
#define SB_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sb_config {
    /* [http] */
    char http_address[64];
    int http_port;
    int http_threads;
    int http_max_connections;
    int http_connection_timeout_s;
    int http_connection_memory_limit;
    int http_max_body_bytes;
    char http_public_url[256];
    bool http_trust_proxy;
    /* [web] */
    char web_root[512];
    /* [db] */
    char db_backend[16]; /* "sqlite" | "postgres" */
    char db_sqlite_path[512];
    char db_pg_conninfo[1024];
    int db_busy_timeout_ms;
    /* [log] */
    char log_file[512];
    char log_level[8];
    bool log_access;
    /* [ws] */
    char ws_allowed_origins[1024];
    int ws_max_message_bytes;
    int ws_send_cap_bytes;
    int ws_ping_interval_ms;
    int ws_ping_timeout_ms;
    int ws_max_connections;
    /* [jobs] */
    int jobs_workers;
    int jobs_queue;
    /* [server] */
    char server_data_dir[512];
    int server_shutdown_grace_ms;
    bool server_test_hooks;
    char server_admin_token[128];
    char server_key_file[512];
    /* [smtp] */
    char smtp_host[256];
    int smtp_port;
    char smtp_tls[16];
    bool smtp_verify_peer;
    char smtp_username[256];
    char smtp_password[256];
    char smtp_from[256];
    int smtp_timeout_ms;
    /* [ldap] */
    char ldap_url[256];
    bool ldap_starttls;
    bool ldap_verify_cert;
    char ldap_bind_template[256];
    char ldap_base_dn[256];
    char ldap_user_filter[256];
    char ldap_service_dn[256];
    char ldap_service_password[256];
    int ldap_timeout_ms;
    char ldap_map_by[16];
    /* [asterisk] */
    char asterisk_realm[65];
    /* [license] */
    bool license_mobile;
    char license_expires[16]; /* "YYYY-MM-DD" or "" */
    int license_notice_days;
    /* license_expires as UTC ms of its midnight (0 when empty); set by config_load. */
    int64_t license_expires_ms;
    /* [auth] */
    int auth_argon2_opslimit;
    int auth_argon2_memlimit_kib;
    int auth_throttle_address_failures;
    int auth_throttle_account_failures;
    int auth_throttle_window_s;
    int auth_throttle_base_delay_ms;
    int auth_throttle_max_delay_s;
    /* [client_logs] */
    int client_logs_max_file_bytes;
    int client_logs_max_files;
    /* [interactions] */
    int interactions_transcript_max_bytes;
    /* [sms] */
    char sms_allowed_hosts[1024];
    char sms_test_base_url[256];
    /* [messenger] */
    int messenger_presence_grace_ms;
    int messenger_max_message_chars;
    int messenger_rate_per_minute;
    int messenger_rate_burst;
};

/* An error found while loading: which option and why (for the one-line start-up failure). */
struct config_error {
    char option[96];
    char message[160];
};

/* Fills `c` with the defaults. */
void config_defaults(struct sb_config *c);

/* Reads the INI file at `path` (NULL: skip) over the current values, then applies the
 * environment. Unknown sections/keys and out-of-range values are errors. Returns 0, SB_EIO
 * (file unreadable) or SB_EINVALID with *err filled; `c` may be partly updated on error (the
 * caller exits). */
int config_load(struct sb_config *c, const char *path, struct config_error *err);

/* Prints every option as an INI file with its help text and current value. */
void config_print(const struct sb_config *c, FILE *out);

/* Prints the options as a Markdown table (docs/configuration.md is generated from this). */
void config_print_markdown(FILE *out);

#endif
