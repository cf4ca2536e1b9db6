#include "app.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mailer.h"

static pthread_key_t db_key;
static pthread_once_t db_key_once = PTHREAD_ONCE_INIT;

static void db_key_destroy(void *p)
{
    db_close(p);
}

static void db_key_make(void)
{
    pthread_key_create(&db_key, db_key_destroy);
}

void app_db_config(struct sb_app *app)
{
    memset(&app->dbc, 0, sizeof(app->dbc));
    app->dbc.backend = strcmp(app->cfg.db_backend, "postgres") ? DB_SQLITE : DB_PG;
    snprintf(app->dbc.sqlite_path, sizeof(app->dbc.sqlite_path), "%s", app->cfg.db_sqlite_path);
    snprintf(app->dbc.pg_conninfo, sizeof(app->dbc.pg_conninfo), "%s", app->cfg.db_pg_conninfo);
    app->dbc.busy_timeout_ms = app->cfg.db_busy_timeout_ms;
}

struct db *app_thread_db(struct sb_app *app)
{
    pthread_once(&db_key_once, db_key_make);
    struct db *db = pthread_getspecific(db_key);
    if (db)
        return db;
    int r = db_open(&app->dbc, &db);
    if (r) {
        log_error("cannot open database connection (%d)", r);
        return NULL;
    }
    pthread_setspecific(db_key, db);
    return db;
}

void app_thread_db_release(void)
{
    pthread_once(&db_key_once, db_key_make);
    struct db *db = pthread_getspecific(db_key);
    if (db) {
        pthread_setspecific(db_key, NULL);
        db_close(db);
    }
}

void app_mailer_config(const struct sb_app *app, struct mailer_config *m)
{
    const struct sb_config *c = &app->cfg;
    memset(m, 0, sizeof(*m));
    snprintf(m->host, sizeof(m->host), "%s", c->smtp_host);
    m->port = c->smtp_port;
    m->tls = !strcmp(c->smtp_tls, "starttls") ? MAILER_TLS_STARTTLS
             : !strcmp(c->smtp_tls, "smtps")  ? MAILER_TLS_SMTPS
             : !strcmp(c->smtp_tls, "none")   ? MAILER_TLS_NONE
                                              : MAILER_TLS_AUTO;
    m->verify_peer = c->smtp_verify_peer;
    snprintf(m->username, sizeof(m->username), "%s", c->smtp_username);
    snprintf(m->password, sizeof(m->password), "%s", c->smtp_password);
    snprintf(m->from, sizeof(m->from), "%s", c->smtp_from);
    m->timeout_ms = c->smtp_timeout_ms;
}
