/* pg.c — the PostgreSQL backend of db.h (libpq).
 *
 * Statements are not server-side prepared: each execution is one PQexecParams round trip
 * with text results. That keeps a statement valid across a reconnect (nothing lives on the
 * server) and costs one parse per execution, which PostgreSQL does fast for our short SQL.
 *
 * Connection loss: any call that finds the connection bad marks it; the next call resets it
 * (PQreset, or a fresh connect after an injected loss dropped it) and redoes the session
 * setup. A transaction cannot survive a lost connection, so after a loss inside one every
 * call fails with SB_EUNAVAIL until the caller ends it (commit or rollback), instead of the
 * remaining statements silently running in autocommit on the new connection. */
#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "db/db_impl.h"

#define PG_INT8OID           20
#define PG_BYTEAOID          17
#define PG_MAX_PARAMS        65535
#define PG_SQL_MAX           (1u << 20)
#define PG_STATEMENT_TIMEOUT 30000
#define PG_DEFAULT_LOCK_MS   5000
#define PG_CONNECT_TIMEOUT_S "5"

struct pg_db {
    struct db base;
    PGconn *conn; /* NULL after an injected loss dropped it */
    char conninfo[1024];
    int lock_timeout_ms;
    bool need_reset; /* a call saw the connection fail */
    bool in_tx;      /* between db_begin and db_commit/db_rollback */
    bool tx_lost;    /* the connection died inside that transaction */
};

struct pg_blob {
    unsigned char *p; /* PQunescapeBytea result */
    size_t len;
};

struct pg_stmt {
    struct db_stmt base;
    char *sql; /* with $n placeholders */
    int nparams;
    char **values;
    int *lengths;
    int *formats;
    Oid *types;
    PGresult *res;
    int row; /* current row, -1 before the first */
    int nrows;
    int64_t changes;
    struct pg_blob *blobs; /* decoded bytea per column of the current row, lazily */
    int nblobs;
};

static struct pg_db *pg_db(struct db *db)
{
    return (struct pg_db *)db;
}

static struct pg_stmt *pg_stmt(struct db_stmt *st)
{
    return (struct pg_stmt *)st;
}

/* ---- `?` -> `$n` ------------------------------------------------------------------------ */

static bool pg_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

/* Returns the length of a dollar-quote tag ("$$" or "$tag$") starting at s, or 0. */
static size_t pg_dollar_tag(const char *s)
{
    size_t i = 1;
    if (s[i] == '$')
        return 2;
    if (!(isalpha((unsigned char)s[i]) || s[i] == '_' || (unsigned char)s[i] >= 0x80))
        return 0;
    while (isalnum((unsigned char)s[i]) || s[i] == '_' || (unsigned char)s[i] >= 0x80)
        i++;
    return s[i] == '$' ? i + 1 : 0;
}

/* Skips a quoted or commented span starting at s[i] and returns the index just after it, or
 * i when s[i] starts none. Unterminated spans run to the end; the server reports them. */
static size_t pg_skip_span(const char *s, size_t i)
{
    char c = s[i];
    if (c == '\'') {
        /* E'...' strings honour backslash escapes; standard strings only double quotes. */
        bool esc =
            i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e') && (i < 2 || !pg_ident_char(s[i - 2]));
        for (i++; s[i]; i++) {
            if (esc && s[i] == '\\' && s[i + 1])
                i++;
            else if (s[i] == '\'')
                return i + 1; /* '' is two adjacent strings to us: same result */
        }
        return i;
    }
    if (c == '"') {
        for (i++; s[i] && s[i] != '"'; i++)
            ;
        return s[i] ? i + 1 : i;
    }
    if (c == '-' && s[i + 1] == '-') {
        while (s[i] && s[i] != '\n')
            i++;
        return i;
    }
    if (c == '/' && s[i + 1] == '*') {
        int depth = 0; /* PostgreSQL block comments nest */
        while (s[i]) {
            if (s[i] == '/' && s[i + 1] == '*') {
                depth++;
                i += 2;
            } else if (s[i] == '*' && s[i + 1] == '/') {
                i += 2;
                if (--depth == 0)
                    return i;
            } else {
                i++;
            }
        }
        return i;
    }
    if (c == '$' && (i == 0 || !pg_ident_char(s[i - 1]))) {
        size_t tag = pg_dollar_tag(s + i);
        if (!tag)
            return i;
        const char *end = s + i + tag;
        for (;;) {
            end = strchr(end, '$');
            if (!end)
                return i + strlen(s + i);
            if (strncmp(end, s + i, tag) == 0)
                return (size_t)(end - s) + tag;
            end++;
        }
    }
    return i;
}

static int pg_translate(const char *sql, char **out, int *nparams)
{
    struct buf b;
    buf_init(&b, PG_SQL_MAX);
    int n = 0;
    int rc = 0;
    size_t i = 0;
    while (sql[i]) {
        size_t j = pg_skip_span(sql, i);
        if (j > i) {
            rc = buf_add(&b, sql + i, j - i);
            i = j;
        } else if (sql[i] == '?') {
            if (n >= PG_MAX_PARAMS) {
                rc = SB_EINVAL;
                goto fail;
            }
            rc = buf_addf(&b, "$%d", ++n);
            i++;
        } else {
            /* Copy the run of ordinary characters up to the next special one. */
            j = i + 1;
            while (sql[j] && !strchr("'\"-/$?", sql[j]))
                j++;
            rc = buf_add(&b, sql + i, j - i);
            i = j;
        }
        if (rc)
            goto fail;
    }
    *out = buf_take(&b, NULL);
    if (!*out)
        return SB_ENOMEM;
    *nparams = n;
    return 0;
fail:
    buf_free(&b);
    return rc;
}

/* ---- errors and connection state --------------------------------------------------------- */

static bool pg_state_is(const char *state, const char *want)
{
    return state && strcmp(state, want) == 0;
}

static bool pg_class_is(const char *state, const char *cls)
{
    return state && strncmp(state, cls, 2) == 0;
}

static void pg_mark_lost(struct pg_db *d)
{
    d->need_reset = true;
    if (d->in_tx)
        d->tx_lost = true;
}

/* Maps a failed result (or NULL result) to an sb_err and records a message. Data exceptions
 * and constraint violations can quote the offending value in the primary message, so for
 * those only the SQLSTATE and the constraint name are kept (db_errmsg must not leak bound
 * values into logs). */
static int pg_fail(struct pg_db *d, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    bool bad = !d->conn || PQstatus(d->conn) == CONNECTION_BAD;

    if (pg_class_is(state, "22") || pg_class_is(state, "23")) {
        const char *cons = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
        db_set_errmsg(&d->base, "pg %s: %s%s", state,
                      pg_class_is(state, "23") ? "constraint violation " : "data exception",
                      cons ? cons : "");
    } else {
        const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
        if (!msg)
            msg = d->conn ? PQerrorMessage(d->conn) : "no connection";
        db_set_errmsg(&d->base, "pg %s: %s", state ? state : "-----", msg);
    }

    if (bad || !state || pg_class_is(state, "08") || pg_state_is(state, "57P01") ||
        pg_state_is(state, "57P02") || pg_state_is(state, "57P03")) {
        if (!res && !bad)
            return SB_ENOMEM; /* libpq could not even build a result */
        pg_mark_lost(d);
        return SB_EUNAVAIL;
    }
    if (pg_state_is(state, "23505"))
        return SB_ECONFLICT;
    if (pg_state_is(state, "40001") || pg_state_is(state, "40P01") || pg_state_is(state, "55P03") ||
        pg_state_is(state, "57014"))
        return SB_EBUSY;
    if (pg_state_is(state, "53300"))
        return SB_EUNAVAIL; /* too many connections: the server is there but not for us */
    if (pg_class_is(state, "53") || pg_class_is(state, "58"))
        return SB_EIO;
    return SB_EINVAL;
}

static void pg_notice(void *arg, const char *message)
{
    /* "relation already exists, skipping" and friends: not worth stderr noise. */
    (void)arg;
    (void)message;
}

/* Per-session settings, redone after every (re)connect. */
static int pg_setup(struct pg_db *d)
{
    PQsetNoticeProcessor(d->conn, pg_notice, NULL);
    if (PQsetClientEncoding(d->conn, "UTF8") != 0) {
        db_set_errmsg(&d->base, "pg: cannot set client encoding: %s", PQerrorMessage(d->conn));
        pg_mark_lost(d);
        return SB_EUNAVAIL;
    }
    char sql[160];
    /* lock_timeout mirrors SQLite's busy timeout: a blocked writer gives up with SB_EBUSY. */
    snprintf(sql, sizeof(sql),
             "SET TIME ZONE 'UTC'; SET statement_timeout = %d; SET lock_timeout = %d",
             PG_STATEMENT_TIMEOUT, d->lock_timeout_ms);
    PGresult *res = PQexec(d->conn, sql);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_fail(d, res);
    PQclear(res);
    return rc;
}

static PGconn *pg_connect(const char *conninfo)
{
    /* The default connect timeout is "forever"; ours comes first so one given in the
     * conninfo (expanded from dbname) overrides it. */
    const char *const keys[] = {"connect_timeout", "dbname", NULL};
    const char *const vals[] = {PG_CONNECT_TIMEOUT_S, conninfo, NULL};
    return PQconnectdbParams(keys, vals, 1);
}

/* Makes sure there is a usable connection before a call goes to the server. */
static int pg_ready(struct pg_db *d)
{
    if (d->tx_lost) {
        db_set_errmsg(&d->base, "pg: connection lost inside a transaction; roll it back");
        return SB_EUNAVAIL;
    }
    if (!d->conn) {
        d->conn = pg_connect(d->conninfo);
        if (!d->conn) {
            db_set_errmsg(&d->base, "pg: out of memory while connecting");
            return SB_EUNAVAIL;
        }
    } else if (d->need_reset || PQstatus(d->conn) == CONNECTION_BAD) {
        PQreset(d->conn);
    } else {
        return 0;
    }
    if (PQstatus(d->conn) != CONNECTION_OK) {
        db_set_errmsg(&d->base, "pg: reconnect failed: %s", PQerrorMessage(d->conn));
        d->need_reset = true;
        return SB_EUNAVAIL;
    }
    d->need_reset = false;
    int rc = pg_setup(d);
    if (rc == 0)
        log_info("pg: reconnected");
    return rc;
}

/* Runs a parameterless command; PQexec allows several statements in one string. */
static int pg_run(struct pg_db *d, const char *sql, PGresult **res_out)
{
    int rc = pg_ready(d);
    if (rc)
        return rc;
    PGresult *res = PQexec(d->conn, sql);
    ExecStatusType s = PQresultStatus(res);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY) {
        rc = pg_fail(d, res);
        PQclear(res);
        return rc;
    }
    if (res_out)
        *res_out = res;
    else
        PQclear(res);
    return 0;
}

/* ---- vtable ------------------------------------------------------------------------------ */

static void pg_close(struct db *db)
{
    struct pg_db *d = pg_db(db);
    if (d->conn)
        PQfinish(d->conn);
    free(d);
}

static int pg_exec(struct db *db, const char *sql)
{
    return pg_run(pg_db(db), sql, NULL);
}

static void pg_stmt_free_blobs(struct pg_stmt *s)
{
    for (int i = 0; i < s->nblobs; i++)
        if (s->blobs[i].p)
            PQfreemem(s->blobs[i].p);
    free(s->blobs);
    s->blobs = NULL;
    s->nblobs = 0;
}

static void pg_stmt_clear(struct pg_stmt *s)
{
    pg_stmt_free_blobs(s);
    PQclear(s->res);
    s->res = NULL;
    s->row = -1;
    s->nrows = 0;
}

static void pg_finalize(struct db_stmt *st)
{
    struct pg_stmt *s = pg_stmt(st);
    pg_stmt_clear(s);
    for (int i = 0; i < s->nparams; i++)
        free(s->values[i]);
    free(s->values);
    free(s->lengths);
    free(s->formats);
    free(s->types);
    free(s->sql);
    free(s);
}

static int pg_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    struct pg_stmt *s = calloc(1, sizeof(*s));
    if (!s)
        return SB_ENOMEM;
    s->row = -1;
    int rc = pg_translate(sql, &s->sql, &s->nparams);
    if (rc) {
        db_set_errmsg(db, "pg: cannot translate placeholders");
        goto fail;
    }
    if (s->nparams > 0) {
        size_t n = (size_t)s->nparams;
        s->values = calloc(n, sizeof(*s->values));
        s->lengths = calloc(n, sizeof(*s->lengths));
        s->formats = calloc(n, sizeof(*s->formats));
        s->types = calloc(n, sizeof(*s->types));
        if (!s->values || !s->lengths || !s->formats || !s->types) {
            rc = SB_ENOMEM;
            goto fail;
        }
    }
    *out = &s->base;
    return 0;
fail:
    pg_finalize(&s->base);
    return rc;
}

/* Stores one parameter (value copied; NULL value = SQL NULL). */
static int pg_bind(struct db_stmt *st, int idx, const void *v, size_t len, int format, Oid type)
{
    struct pg_stmt *s = pg_stmt(st);
    if (idx < 1 || idx > s->nparams) {
        db_set_errmsg(st->db, "pg: bind index %d out of range (1..%d)", idx, s->nparams);
        return SB_EINVAL;
    }
    if (len > (size_t)INT32_MAX - 1)
        return SB_ETOOBIG;
    char *copy = NULL;
    if (v) {
        copy = malloc(len + 1);
        if (!copy)
            return SB_ENOMEM;
        memcpy(copy, v, len);
        copy[len] = 0;
    }
    free(s->values[idx - 1]);
    s->values[idx - 1] = copy;
    s->lengths[idx - 1] = (int)len;
    s->formats[idx - 1] = format;
    s->types[idx - 1] = type;
    return 0;
}

static int pg_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof(num), "%lld", (long long)v);
    /* Typed as int8 so `? + 1` or `? - 86400000` with millisecond timestamps does not get
     * resolved to int4 and overflow; int8 casts to the narrower column types on assignment. */
    return pg_bind(st, idx, num, (size_t)n, 0, PG_INT8OID);
}

static int pg_bind_text(struct db_stmt *st, int idx, const char *s, size_t len)
{
    if (memchr(s, 0, len)) {
        db_set_errmsg(st->db, "pg: text parameter %d contains a NUL byte", idx);
        return SB_EINVAL;
    }
    /* Untyped, so the server infers it from context (text, jsonb, timestamps...). */
    return pg_bind(st, idx, s, len, 0, 0);
}

static int pg_bind_blob(struct db_stmt *st, int idx, const void *p, size_t len)
{
    /* Binary format: bytea's binary form is the raw bytes, no escaping needed. */
    return pg_bind(st, idx, p, len, 1, PG_BYTEAOID);
}

static int pg_bind_null(struct db_stmt *st, int idx)
{
    return pg_bind(st, idx, NULL, 0, 0, 0);
}

static int pg_step(struct db_stmt *st)
{
    struct pg_stmt *s = pg_stmt(st);
    struct pg_db *d = pg_db(st->db);
    if (!s->res) {
        int rc = pg_ready(d);
        if (rc)
            return rc;
        PGresult *res = PQexecParams(d->conn, s->sql, s->nparams, s->types,
                                     (const char *const *)s->values, s->lengths, s->formats, 0);
        ExecStatusType status = PQresultStatus(res);
        if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
            rc = pg_fail(d, res);
            PQclear(res);
            return rc;
        }
        s->res = res;
        s->row = -1;
        s->nrows = status == PGRES_TUPLES_OK ? PQntuples(res) : 0;
        const char *tuples = PQcmdTuples(res);
        s->changes = tuples[0] && strncmp(PQcmdStatus(res), "SELECT", 6) != 0
                         ? strtoll(tuples, NULL, 10)
                         : 0;
    }
    pg_stmt_free_blobs(s);
    if (s->row + 1 < s->nrows) {
        s->row++;
        return DB_ROW;
    }
    s->row = s->nrows;
    return DB_DONE;
}

static bool pg_has_cell(struct pg_stmt *s, int col)
{
    return s->res && s->row >= 0 && s->row < s->nrows && col >= 0 && col < PQnfields(s->res);
}

static int pg_col_count(struct db_stmt *st)
{
    struct pg_stmt *s = pg_stmt(st);
    return s->res && s->row >= 0 && s->row < s->nrows ? PQnfields(s->res) : 0;
}

static bool pg_col_is_null(struct db_stmt *st, int col)
{
    struct pg_stmt *s = pg_stmt(st);
    return !pg_has_cell(s, col) || PQgetisnull(s->res, s->row, col);
}

static int64_t pg_col_int64(struct db_stmt *st, int col)
{
    struct pg_stmt *s = pg_stmt(st);
    if (pg_col_is_null(st, col))
        return 0;
    const char *v = PQgetvalue(s->res, s->row, col);
    /* Booleans come back as t/f in text format; the portable model is 0/1. */
    if (v[0] == 't' && !v[1])
        return 1;
    return strtoll(v, NULL, 10);
}

static const char *pg_col_text(struct db_stmt *st, int col)
{
    struct pg_stmt *s = pg_stmt(st);
    if (pg_col_is_null(st, col))
        return NULL;
    return PQgetvalue(s->res, s->row, col);
}

static const void *pg_col_blob(struct db_stmt *st, int col, size_t *len)
{
    struct pg_stmt *s = pg_stmt(st);
    *len = 0;
    if (pg_col_is_null(st, col))
        return NULL;
    const char *v = PQgetvalue(s->res, s->row, col);
    if (PQftype(s->res, col) != PG_BYTEAOID) {
        *len = (size_t)PQgetlength(s->res, s->row, col);
        return v;
    }
    if (!s->blobs) {
        int n = PQnfields(s->res);
        s->blobs = calloc((size_t)n, sizeof(*s->blobs));
        if (!s->blobs)
            return NULL;
        s->nblobs = n;
    }
    if (!s->blobs[col].p) {
        s->blobs[col].p = PQunescapeBytea((const unsigned char *)v, &s->blobs[col].len);
        if (!s->blobs[col].p)
            return NULL;
    }
    *len = s->blobs[col].len;
    return s->blobs[col].p;
}

static int64_t pg_changes(struct db_stmt *st)
{
    return pg_stmt(st)->changes;
}

static int pg_reset(struct db_stmt *st)
{
    pg_stmt_clear(pg_stmt(st));
    pg_stmt(st)->changes = 0;
    return 0;
}

static int pg_begin(struct db *db)
{
    struct pg_db *d = pg_db(db);
    int rc = pg_run(d, "BEGIN", NULL);
    if (rc == 0)
        d->in_tx = true;
    return rc;
}

static int pg_commit(struct db *db)
{
    struct pg_db *d = pg_db(db);
    PGresult *res = NULL;
    /* Whatever happens, the caller's transaction is over after COMMIT: PostgreSQL ends it
     * even when COMMIT fails. */
    int rc = pg_run(d, "COMMIT", &res);
    d->in_tx = false;
    d->tx_lost = false;
    if (rc)
        return rc;
    /* COMMIT of a transaction aborted by an earlier error "succeeds" with the tag ROLLBACK;
     * reporting that as success would acknowledge lost writes. */
    if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
        db_set_errmsg(db, "pg: transaction was aborted by an earlier error; rolled back");
        rc = SB_EINVAL;
    }
    PQclear(res);
    return rc;
}

static void pg_rollback(struct db *db)
{
    struct pg_db *d = pg_db(db);
    bool lost = d->tx_lost;
    d->in_tx = false;
    d->tx_lost = false;
    if (lost || !d->conn || d->need_reset || PQstatus(d->conn) != CONNECTION_OK)
        return; /* the server already rolled back with the connection */
    PGresult *res = PQexec(d->conn, "ROLLBACK");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        int rc = pg_fail(d, res);
        log_warn("pg rollback failed (%d): %s", rc, d->base.errmsg);
    }
    PQclear(res);
}

static int pg_ping(struct db *db)
{
    return pg_run(pg_db(db), "SELECT 1", NULL);
}

static void pg_lose(struct db *db)
{
    struct pg_db *d = pg_db(db);
    if (d->conn)
        PQfinish(d->conn);
    d->conn = NULL;
    pg_mark_lost(d);
}

static const struct db_ops pg_ops = {
    .close = pg_close,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .bind_int64 = pg_bind_int64,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_count = pg_col_count,
    .col_is_null = pg_col_is_null,
    .col_int64 = pg_col_int64,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .changes = pg_changes,
    .reset = pg_reset,
    .finalize = pg_finalize,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .ping = pg_ping,
    .lose = pg_lose,
};

int db_pg_open(const struct db_config *cfg, struct db **out)
{
    *out = NULL;
    if (!memchr(cfg->pg_conninfo, 0, sizeof(cfg->pg_conninfo)))
        return SB_EINVAL;
    struct pg_db *d = calloc(1, sizeof(*d));
    if (!d)
        return SB_ENOMEM;
    d->base.ops = &pg_ops;
    d->base.backend = DB_PG;
    memcpy(d->conninfo, cfg->pg_conninfo, sizeof(d->conninfo));
    d->lock_timeout_ms = cfg->busy_timeout_ms > 0 ? cfg->busy_timeout_ms : PG_DEFAULT_LOCK_MS;

    int rc = 0;
    d->conn = pg_connect(d->conninfo);
    if (!d->conn) {
        rc = SB_ENOMEM;
        goto fail;
    }
    if (PQstatus(d->conn) != CONNECTION_OK) {
        /* The message names host and port, never the password. */
        db_set_errmsg(&d->base, "%s", PQerrorMessage(d->conn));
        log_error("pg connect failed: %s", d->base.errmsg);
        rc = SB_EUNAVAIL;
        goto fail;
    }
    rc = pg_setup(d);
    if (rc) {
        log_error("pg session setup failed: %s", d->base.errmsg);
        goto fail;
    }
    *out = &d->base;
    return 0;
fail:
    if (d->conn)
        PQfinish(d->conn);
    free(d);
    return rc;
}
