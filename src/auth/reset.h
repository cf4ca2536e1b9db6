/* reset.h — "forgot password" by e-mail (seed 001; OWASP Forgot Password cheat sheet).
 *
 * A request for an address sends each account with that address a link holding a 256-bit
 * token, valid one hour and once; only its SHA-256 is stored and a newer request voids older
 * tokens. The HTTP answer is the same, and sent before any lookup, whether or not the address
 * exists. Completing applies the password rules, ends every session of the account and logs
 * nobody in (so MFA is never bypassed). Both run on job workers. */
#ifndef SB_AUTH_RESET_H
#define SB_AUTH_RESET_H

#include <jansson.h>
#include <stdbool.h>

struct sb_app;
struct db;

#define RESET_TTL_MS (60 * 60 * 1000)

/* True when SMTP is configured (else the endpoint answers 503: function unavailable). */
bool reset_available(const struct sb_app *app);

/* Looks up `email` and mails a link to each live, enabled account with it (at most one mail
 * per account per minute). Unknown addresses are only audited. Returns 0 or an error (logged
 * by the caller; the client has had its answer already). */
int reset_request(struct sb_app *app, struct db *db, const char *email, const char *ip);

/* Sets a new password with `token`. SB_EINVALID with *errors naming "token" (unknown, used
 * or expired) or "new_password" (policy, reuse); 0 on success. */
int reset_complete(struct sb_app *app, struct db *db, const char *token, const char *new_pw,
                   const char *ip, json_t **errors);

#endif
