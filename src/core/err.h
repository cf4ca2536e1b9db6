/* err.h — the one error-code table of Switchboard.
 *
 * Every fallible function returns 0 (SB_OK) on success or one of these negative codes. The
 * table maps each code to an HTTP status and an RFC 9457 title, so a handler can turn any error
 * into a problem+json answer without a switch of its own. Thread-safe (pure functions). */
#ifndef SB_CORE_ERR_H
#define SB_CORE_ERR_H

enum sb_err {
    SB_OK = 0,
    SB_ENOMEM = -1,      /* allocation failed -> 500 */
    SB_EINVAL = -2,      /* malformed input -> 400 */
    SB_ENOTFOUND = -3,   /* -> 404 */
    SB_ECONFLICT = -4,   /* duplicate key, stale state -> 409 */
    SB_ETOOBIG = -5,     /* a size cap was reached -> 413 */
    SB_EBUSY = -6,       /* database busy/locked -> 503 */
    SB_EIO = -7,         /* disk full, I/O error -> 503 */
    SB_EUNAVAIL = -8,    /* dependency down (lost DB connection, shutting down) -> 503 */
    SB_EFULL = -9,       /* a bounded queue is full -> 503 */
    SB_EAUTH = -10,      /* no or bad credentials -> 401 */
    SB_EFORBIDDEN = -11, /* authenticated but not allowed -> 403 */
    SB_ETHROTTLED = -12, /* rate limited -> 429 */
    SB_EINVALID = -13,   /* well-formed but fails validation -> 422 */
    SB_EINTERNAL = -14,  /* bug or unexpected state -> 500 */
    SB_EMETHOD = -15,    /* method not allowed on this route -> 405 */
    SB_ERR_MIN_ = -16
};

/* Returns the HTTP status for an error code (500 for unknown codes, 200 for SB_OK). */
int sb_err_status(int err);

/* Returns a short stable title ("Not Found") for the code; never NULL. */
const char *sb_err_title(int err);

/* Returns the symbolic name ("SB_ENOTFOUND") for logs; never NULL. */
const char *sb_err_name(int err);

#endif
