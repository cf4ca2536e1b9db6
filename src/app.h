/* app.h — the process-wide application context, built by `switchboard serve` and handed to
 * every handler. Fields are set before the HTTP daemon starts and are read-only afterwards,
 * except the atomics. */
#ifndef SB_APP_H
#define SB_APP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/jobs.h"
#include "db/db.h"

struct hub;
struct db_writer;
struct http_server;
struct acd;
struct outbox;
struct messenger;

struct sb_app {
    struct sb_config cfg;
    struct db_config dbc;
    struct sb_clock *clock;
    struct sb_clock clock_store; /* the offset clock app->clock points to */
    struct job_pool jobs;
    struct hub *hub;
    struct db_writer *writer;
    struct http_server *http;
    struct acd *acd;       /* the ACD thread (routing/acd.h); NULL in tools */
    struct outbox *outbox; /* the outbound delivery thread (channels/outbox.h); NULL in tools */
    struct messenger *messenger; /* messenger/messenger.h */
    int64_t started_mono_ms;
    int schema_version; /* migrations applied at start-up */
    atomic_bool shutting_down;
};

struct mailer_config;

/* Fills a mailer configuration from the [smtp] options. */
void app_mailer_config(const struct sb_app *app, struct mailer_config *m);

/* Fills app->dbc from app->cfg. */
void app_db_config(struct sb_app *app);

/* Returns this thread's database connection, opening it on first use (DESIGN: one connection
 * per thread). NULL when it cannot be opened (logged); callers answer 503. Connections are
 * closed by app_thread_db_release() or at thread exit. */
struct db *app_thread_db(struct sb_app *app);

/* Closes this thread's connection if any (after a fatal connection error it is reopened on the
 * next app_thread_db()). */
void app_thread_db_release(void);

#endif
