/* switchboard — the server binary: serve, migrate, config, version. */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "admin/settings.h"
#include "auth/audit.h"
#include "auth/login.h"
#include "auth/password.h"
#include "auth/session.h"
#include "core/seal.h"
#include "staff/accounts.h"
#include "staff/agent_fields.h"
#include "staff/agents.h"
#include "staff/mask_policy.h"
#include "staff/asterisk.h"
#include "staff/sip_secret.h"
#include "app.h"
#include "core/err.h"
#include "core/log.h"
#include "db/writer.h"
#include "channels/outbox.h"
#include "routing/acd.h"
#include "routing/realtime_ws.h"
#include "http/metrics.h"
#include "http/server.h"
#include "http/static.h"
#include "messenger/messenger.h"
#include "ws/hub.h"

static const char usage_main[] =
    "Usage: switchboard <command> [options]\n"
    "\n"
    "Commands:\n"
    "  serve     run the server (HTTP API, WebSocket hub, web app)\n"
    "  migrate   apply pending database migrations and exit\n"
    "  config    print the effective configuration (use --markdown for the docs table)\n"
    "  admin     operator tools: create an account, reset a password, unlock\n"
    "  asterisk-pjsip  print the agents as Asterisk pjsip.conf sections\n"
    "  version   print the version\n"
    "\n"
    "Options for serve, migrate, config and asterisk-pjsip:\n"
    "  -c, --config FILE   INI configuration file (default: $SWITCHBOARD_CONFIG if set)\n"
    "  -h, --help          this help\n"
    "\n"
    "Every option can be overridden with SWITCHBOARD_<SECTION>_<KEY>, e.g.\n"
    "SWITCHBOARD_HTTP_PORT=9000. See docs/configuration.md.\n";

static const char *const usage_cmd[][2] = {
    {"serve", "Usage: switchboard serve [-c FILE]\n\nRuns the server until SIGTERM/SIGINT "
              "(graceful drain) ; SIGHUP reopens the log file.\n"},
    {"migrate", "Usage: switchboard migrate [-c FILE]\n\nApplies pending migrations to the "
                "configured database and exits.\n"},
    {"config", "Usage: switchboard config [-c FILE] [--markdown]\n\nPrints the effective "
               "configuration as INI (secrets hidden), or the option table as Markdown.\n"},
    {"version", "Usage: switchboard version\n\nPrints the version.\n"},
    {"asterisk-pjsip",
     "Usage: switchboard asterisk-pjsip [-c FILE]\n\nPrints every active agent as Asterisk "
     "PJSIP endpoint, auth and aor sections (the\ntext of GET "
     "/api/v1/provisioning/asterisk/pjsip.conf). Reads only: agents without SIP\ncredentials "
     "yet (created before the server's first start) are left out. See docs/asterisk.md.\n"},
    {"admin", "Usage: switchboard admin create --username NAME --role admin|user|agent\n"
              "                               --full-name NAME [--email ADDRESS] [-c FILE]\n"
              "       switchboard admin reset-password --username NAME [-c FILE]\n"
              "       switchboard admin unlock --username NAME [-c FILE]\n\n"
              "create and reset-password print a one-time password that must be changed at the\n"
              "next login; reset-password also ends the account's sessions.\n"},
};

static void print_cmd_usage(const char *cmd)
{
    for (size_t i = 0; i < sizeof(usage_cmd) / sizeof(usage_cmd[0]); i++)
        if (!strcmp(cmd, usage_cmd[i][0])) {
            fputs(usage_cmd[i][1], stdout);
            return;
        }
    fputs(usage_main, stdout);
}

struct cli {
    const char *config_path;
    bool markdown;
    bool help;
    const char *action; /* admin sub-command */
    const char *username, *role, *full_name, *email;
};

static int parse_cli(int argc, char **argv, struct cli *cli)
{
    memset(cli, 0, sizeof(*cli));
    cli->config_path = getenv("SWITCHBOARD_CONFIG");
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            cli->help = true;
        } else if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc) {
            cli->config_path = argv[++i];
        } else if (!strcmp(argv[i], "--markdown")) {
            cli->markdown = true;
        } else if (!strcmp(argv[i], "--username") && i + 1 < argc) {
            cli->username = argv[++i];
        } else if (!strcmp(argv[i], "--role") && i + 1 < argc) {
            cli->role = argv[++i];
        } else if (!strcmp(argv[i], "--full-name") && i + 1 < argc) {
            cli->full_name = argv[++i];
        } else if (!strcmp(argv[i], "--email") && i + 1 < argc) {
            cli->email = argv[++i];
        } else if (!strcmp(argv[1], "admin") && i == 2 && argv[i][0] != '-') {
            cli->action = argv[i];
        } else {
            fprintf(stderr, "switchboard: unknown argument '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    return 0;
}

static int load_config(struct sb_app *app, const struct cli *cli)
{
    config_defaults(&app->cfg);
    struct config_error err;
    if (config_load(&app->cfg, cli->config_path, &err)) {
        fprintf(stderr, "switchboard: configuration error: %s: %s\n", err.option, err.message);
        return 1;
    }
    if (log_open(app->cfg.log_file, (enum log_level)log_level_parse(app->cfg.log_level))) {
        fprintf(stderr, "switchboard: cannot open log file %s\n", app->cfg.log_file);
        return 1;
    }
    app_db_config(app);
    return 0;
}

/* mkdir -p for the directory part of `path`. */
static void make_parent_dirs(const char *path)
{
    char tmp[512];
    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(tmp, 0750);
            *p = '/';
        }
}

/* The key file that seals secrets at rest: server.key_file, or <data_dir>/secret.key. */
static void key_file_path(const struct sb_app *app, char *out, size_t size)
{
    if (app->cfg.server_key_file[0])
        snprintf(out, size, "%s", app->cfg.server_key_file);
    else
        snprintf(out, size, "%s/secret.key", app->cfg.server_data_dir);
}

static int open_and_migrate(struct sb_app *app)
{
    if (app->dbc.backend == DB_SQLITE && strcmp(app->dbc.sqlite_path, ":memory:"))
        make_parent_dirs(app->dbc.sqlite_path);
    struct db *db;
    int r = db_open(&app->dbc, &db);
    if (r) {
        log_error("cannot open the database (%s)", sb_err_name(r));
        return r;
    }
    r = db_migrate(db);
    if (r)
        log_error("migration failed (%s): %s", sb_err_name(r), db_errmsg(db));
    else {
        app->schema_version = db_schema_version(db);
        log_info("database schema at version %d", app->schema_version);
    }
    db_close(db);
    return r;
}

static void raise_fd_limit(int want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl))
        return;
    rlim_t target = (rlim_t)want + 256;
    if (target > rl.rlim_max)
        target = rl.rlim_max;
    if (rl.rlim_cur < target) {
        rl.rlim_cur = target;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static void on_ws_message(struct hub *h, struct ws_ref from, const struct hub_identity *who,
                          const char *msg, size_t len, void *user)
{
    if (messenger_on_ws_message(user, from, who, msg, len))
        return;
    if (realtime_on_ws_message(user, from, who, msg, len))
        return;
    /* Other client commands (presence, typing) arrive with later issues. */
    log_debug("websocket message of %zu bytes ignored", len);
}

/* On the very first start, creates the administrator "admin" with a one-time password and
 * prints it once on standard output (never into the log). */
static int ensure_first_admin(struct sb_app *app, struct db *db)
{
    int64_t n = 0;
    int r = account_count(db, &n);
    if (r || n)
        return r;
    char pw[21], hash[PASSWORD_HASH_MAX];
    login_generate_password(pw);
    int64_t id, now = clock_now_ms(app->clock);
    r = password_hash(pw, hash);
    if (!r)
        r = account_create(db, "admin", "Administrator", NULL, "admin", hash, true, now, &id);
    if (r == SB_ECONFLICT) /* another node won the race */
        return 0;
    if (r)
        return r;
    audit_record(db, now, 0, "account.create", "staff", id, NULL,
                 json_pack("{s:s, s:s}", "username", "admin", "by", "first start"));
    printf("\nFirst start: an administrator account was created.\n"
           "  username: admin\n"
           "  password: %s\n"
           "This password works once: it must be changed at the first login.\n\n",
           pw);
    fflush(stdout);
    sodium_memzero(pw, sizeof(pw));
    return 0;
}

static int cmd_admin(struct sb_app *app, const struct cli *cli)
{
    if (!cli->action || !cli->username) {
        print_cmd_usage("admin");
        return 2;
    }
    if (open_and_migrate(app))
        return 1;
    password_set_cost((unsigned long long)app->cfg.auth_argon2_opslimit,
                      (size_t)app->cfg.auth_argon2_memlimit_kib * 1024);
    struct db *db;
    if (db_open(&app->dbc, &db)) {
        fprintf(stderr, "switchboard: cannot open the database\n");
        return 1;
    }
    int rc = 1, r;
    int64_t now = clock_now_ms(clock_real());
    if (settings_init(db, NULL)) {
        fprintf(stderr, "switchboard: cannot read the settings\n");
        db_close(db);
        return 1;
    }
    struct account a;
    char pw[21], hash[PASSWORD_HASH_MAX];
    /* An agent gets its SIP secret at once when the key file exists; never create a key here
     * (a stray one would seal secrets the server cannot open): else the server's start-up
     * backfill gives it one. */
    char key_path[600];
    key_file_path(app, key_path, sizeof(key_path));
    bool sealing = access(key_path, F_OK) == 0 && seal_init(key_path) == 0;
    if (!strcmp(cli->action, "create")) {
        if (!account_username_valid(cli->username)) {
            fprintf(stderr, "switchboard: --username: letters, digits, '.' and '_' only, 1 to "
                            "64 characters\n");
            goto out;
        }
        if (!account_role_valid(cli->role)) {
            fprintf(stderr, "switchboard: --role: admin, user or agent\n");
            goto out;
        }
        if (!cli->full_name || !*cli->full_name || strlen(cli->full_name) > ACCOUNT_NAME_MAX) {
            fprintf(stderr, "switchboard: --full-name: 1 to 128 characters\n");
            goto out;
        }
        login_generate_password(pw);
        int64_t id, internal = 0;
        r = password_hash(pw, hash);
        if (!r && !strcmp(cli->role, "agent")) {
            /* An agent is a staff row plus its agent record with the default settings. */
            json_t *defaults = agent_settings_defaults("phonebar");
            const char *conflict = NULL;
            struct agent_new an = {.username = cli->username,
                                   .full_name = cli->full_name,
                                   .email = cli->email,
                                   .typology = "phonebar",
                                   .password_hash = hash,
                                   .must_change = true,
                                   .min_internal = settings_get_int("general.min_internal"),
                                   .settings = defaults,
                                   .sip_realm = sealing ? app->cfg.asterisk_realm : NULL};
            r = defaults ? agent_create(db, &an, now, &id, &internal, &conflict) : SB_ENOMEM;
            json_decref(defaults);
        } else if (!r) {
            r = account_create(db, cli->username, cli->full_name, cli->email, cli->role, hash, true,
                               now, &id);
        }
        if (r == SB_ECONFLICT) {
            fprintf(stderr, "switchboard: the username %s is taken\n", cli->username);
            goto out;
        }
        if (r)
            goto fail;
        audit_record(db, now, 0, "account.create", "staff", id, NULL,
                     json_pack("{s:s, s:s}", "username", cli->username, "by", "cli"));
        printf("created %s (%s), id %lld\none-time password: %s\n", cli->username, cli->role,
               (long long)id, pw);
    } else if (!strcmp(cli->action, "reset-password") || !strcmp(cli->action, "unlock")) {
        r = account_by_username(db, cli->username, &a);
        if (r == SB_ENOTFOUND) {
            fprintf(stderr, "switchboard: no account %s\n", cli->username);
            goto out;
        }
        if (r)
            goto fail;
        if (!strcmp(cli->action, "unlock")) {
            r = account_unlock(db, a.id, now);
            if (r)
                goto fail;
            audit_record(db, now, 0, "account.unlock", "staff", a.id, NULL,
                         json_pack("{s:s}", "by", "cli"));
            printf("unlocked %s\n", a.username);
        } else {
            login_generate_password(pw);
            r = password_hash(pw, hash);
            if (!r)
                r = account_set_password(db, a.id, hash, true, now);
            if (!r)
                r = session_revoke_all(db, a.id, 0, "password reset", now, NULL);
            if (r)
                goto fail;
            audit_record(db, now, 0, "password.reset", "staff", a.id, NULL,
                         json_pack("{s:s}", "by", "cli"));
            printf("password of %s reset; one-time password: %s\n", a.username, pw);
        }
    } else {
        print_cmd_usage("admin");
        rc = 2;
        goto out;
    }
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "switchboard: %s failed (%s)\n", cli->action, sb_err_name(r));
out:
    sodium_memzero(pw, sizeof(pw));
    if (sealing)
        seal_cleanup();
    settings_cleanup();
    db_close(db);
    return rc;
}

static int cmd_serve(struct sb_app *app)
{
    /* Signals are taken synchronously by this thread; every thread created below inherits
     * the mask, so none of them is interrupted. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* glibc gives free memory at the top of a thread's heap back to the kernel as soon as it
     * exceeds 128 KiB (madvise + a TLB shoot-down on every core). SQLite frees a statement
     * journal after each write statement, so the group-commit writer and the ACD paid that
     * on nearly every insert: 15 % of the server's CPU under a webhook burst
     * (bench/sms_webhook.js, docs/sms.md "Durability"). Keep up to 4 MiB per heap. Setting
     * the trim threshold turns off glibc's dynamic mmap threshold, so that one is fixed too:
     * blocks under 4 MiB come from the heaps, as the dynamic threshold would have them after
     * the first large free. */
    mallopt(M_TRIM_THRESHOLD, 4 << 20);
    mallopt(M_MMAP_THRESHOLD, 4 << 20);

    raise_fd_limit(app->cfg.http_max_connections + app->cfg.ws_max_connections);
    db_set_op_hook(metrics_db_op);
    clock_offset_init(&app->clock_store);
    app->clock = &app->clock_store;
    app->started_mono_ms = clock_mono_ms(app->clock);
    int rc = 1;
    if (open_and_migrate(app))
        return 1;
    if (jobs_init(&app->jobs, (size_t)app->cfg.jobs_workers, (size_t)app->cfg.jobs_queue)) {
        log_error("cannot start the job workers");
        return 1;
    }
    struct hub_config hc = {
        .max_conns = (size_t)app->cfg.ws_max_connections,
        .max_msg_in = (size_t)app->cfg.ws_max_message_bytes,
        .send_cap = (size_t)app->cfg.ws_send_cap_bytes,
        .ping_interval_ms = app->cfg.ws_ping_interval_ms,
        .ping_timeout_ms = app->cfg.ws_ping_timeout_ms,
        .queue_cap = 65536,
        .on_conn = messenger_on_conn,
        .on_conn_user = app,
    };
    if (hub_start(&hc, on_ws_message, app, &app->hub)) {
        log_error("cannot start the WebSocket hub");
        goto out_jobs;
    }
    struct db *db = app_thread_db(app);
    if (!db || settings_init(db, app->hub)) {
        log_error("cannot load the settings");
        goto out_hub;
    }
    char key_path[600];
    key_file_path(app, key_path, sizeof(key_path));
    make_parent_dirs(key_path);
    if (seal_init(key_path)) {
        log_error("cannot load or create the key file %s (it must be 32 bytes, mode 0600)",
                  key_path);
        goto out_hub;
    }
    mask_policy_install(app);
    if (login_init(app) || ensure_first_admin(app, db)) {
        log_error("cannot set up authentication");
        goto out_hub;
    }
    /* Agents created before SIP secrets existed, or a changed asterisk.realm. Not fatal: the
     * provisioning routes run it again. */
    int sip_changed = 0;
    if (sip_secret_backfill(db, app->cfg.asterisk_realm, clock_now_ms(app->clock), &sip_changed))
        log_warn("cannot bring the agents' SIP credentials up to date: %s", db_errmsg(db));
    else if (sip_changed)
        log_info("SIP credentials created or updated for %d agent(s)", sip_changed);
    if (db_writer_start(&app->dbc, 4096, 256, &app->writer)) {
        log_error("cannot start the database writer");
        goto out_hub;
    }
    if (acd_start(app, &app->acd)) {
        log_error("cannot start the ACD (routing) thread");
        goto out_writer;
    }
    if (outbox_start(app, &app->outbox)) {
        log_error("cannot start the outbox thread");
        goto out_acd;
    }
    if (messenger_start(app)) {
        log_error("cannot start the internal messenger");
        goto out_acd;
    }
    static_init(app->cfg.web_root);
    if (http_server_start(app, &app->http))
        goto out_acd;

    char fields[320];
    snprintf(fields, sizeof(fields), "\"address\":\"%s\",\"port\":%u,\"url\":\"http://%s:%u/\"",
             app->cfg.http_address, http_server_port(app->http), app->cfg.http_address,
             http_server_port(app->http));
    log_write(LOG_INFO, "listening", fields);

    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig))
            continue;
        if (sig == SIGHUP) {
            if (log_reopen())
                log_error("cannot reopen the log file");
            else
                log_info("log reopened");
            continue;
        }
        break;
    }
    log_info("shutting down: draining %d request(s)", http_server_in_flight(app->http));
    atomic_store(&app->shutting_down, true);
    http_server_quiesce(app->http);
    int64_t deadline = clock_mono_ms(app->clock) + app->cfg.server_shutdown_grace_ms;
    while (http_server_in_flight(app->http) > 0 && clock_mono_ms(app->clock) < deadline) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (http_server_in_flight(app->http) > 0)
        log_warn("grace period over: %d request(s) cut off", http_server_in_flight(app->http));
    acd_stop(app->acd);
    outbox_stop(app->outbox);
    app->outbox = NULL;
    messenger_stop(app->messenger);
    hub_shutdown(app->hub, 1000);
    app->hub = NULL;
    http_server_stop(app->http);
    app->http = NULL;
    rc = 0;
out_acd:
    outbox_stop(app->outbox);
    app->outbox = NULL;
    acd_free(app->acd);
    app->acd = NULL;
out_writer:
    db_writer_stop(app->writer);
    app->writer = NULL;
    static_cleanup();
out_hub:
    messenger_stop(app->messenger);
    if (app->hub)
        hub_shutdown(app->hub, 0);
    app->hub = NULL;
    messenger_free(app->messenger);
    app->messenger = NULL;
out_jobs:
    jobs_shutdown(&app->jobs);
    login_cleanup();
    seal_cleanup();
    settings_cleanup();
    app_thread_db_release();
    log_info("stopped");
    return rc;
}

/* Prints the pjsip.conf text of GET /api/v1/provisioning/asterisk/pjsip.conf. */
static int cmd_asterisk_pjsip(struct sb_app *app)
{
    if (open_and_migrate(app))
        return 1;
    struct db *db;
    if (db_open(&app->dbc, &db)) {
        fprintf(stderr, "switchboard: cannot open the database\n");
        return 1;
    }
    char *text = NULL;
    size_t len = 0;
    int r = asterisk_pjsip_conf(db, &text, &len);
    db_close(db);
    if (r) {
        fprintf(stderr, "switchboard: asterisk-pjsip failed (%s)\n", sb_err_name(r));
        return 1;
    }
    size_t written = fwrite(text, 1, len, stdout);
    free(text);
    return written == len && fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "help")) {
        fputs(usage_main, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    struct cli cli;
    if (parse_cli(argc, argv, &cli))
        return 2;
    if (cli.help) {
        print_cmd_usage(cmd);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("switchboard %s\n", SB_VERSION);
        return 0;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "switchboard: libsodium failed to initialize\n");
        return 1;
    }
    static struct sb_app app;
    if (!strcmp(cmd, "config")) {
        if (cli.markdown) {
            config_print_markdown(stdout);
            return 0;
        }
        if (load_config(&app, &cli))
            return 1;
        config_print(&app.cfg, stdout);
        return 0;
    }
    if (!strcmp(cmd, "migrate")) {
        if (load_config(&app, &cli))
            return 1;
        return open_and_migrate(&app) ? 1 : 0;
    }
    if (!strcmp(cmd, "admin")) {
        if (load_config(&app, &cli))
            return 1;
        return cmd_admin(&app, &cli);
    }
    if (!strcmp(cmd, "asterisk-pjsip")) {
        if (load_config(&app, &cli))
            return 1;
        return cmd_asterisk_pjsip(&app);
    }
    if (!strcmp(cmd, "serve")) {
        if (load_config(&app, &cli))
            return 1;
        password_set_cost((unsigned long long)app.cfg.auth_argon2_opslimit,
                          (size_t)app.cfg.auth_argon2_memlimit_kib * 1024);
        return cmd_serve(&app);
    }
    fprintf(stderr, "switchboard: unknown command '%s'\n\n%s", cmd, usage_main);
    return 2;
}
