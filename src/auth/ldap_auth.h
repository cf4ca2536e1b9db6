/* ldap_auth.h — password check against LDAP / Active Directory (libldap), for accounts with
 * the "Active Directory SSO" flag.
 *
 * Two ways to find the user's DN: a bind template ("uid=%s,ou=people,dc=example,dc=com" or
 * "%s@example.com" for AD UPN) or a search (filter "(&(objectClass=person)(uid=%s))" under
 * base_dn, bound as an optional service account). The username is escaped for both (RFC 4514
 * for DNs, RFC 4515 for filters). An empty password never reaches the server (it would be an
 * anonymous bind that "succeeds"). STARTTLS or ldaps:// as configured; timeouts bound every
 * call. Blocking: call from a job worker. Each call uses its own connection (thread-safe). */
#ifndef SB_AUTH_LDAP_AUTH_H
#define SB_AUTH_LDAP_AUTH_H

#include <stdbool.h>

struct ldap_auth_config {
    char url[256];           /* ldap://host:port or ldaps://host:port; empty = not configured */
    bool starttls;           /* require STARTTLS on ldap:// */
    bool verify_cert;        /* verify the server certificate (default true) */
    char bind_template[256]; /* with one %s; used when non-empty */
    char base_dn[256];       /* for the search */
    char user_filter[256];   /* with one %s, e.g. (uid=%s) */
    char service_dn[256];    /* optional search account */
    char service_password[256];
    int timeout_ms;
};

/* Checks `username`/`password`. Returns 0 when the bind as the user succeeds, SB_EAUTH for
 * wrong credentials, unknown user, empty password or an ambiguous search, SB_EINVAL for a
 * configuration without a template or a filter, SB_EUNAVAIL when the server cannot be reached
 * or TLS fails. When `email_out` is non-NULL (size n) it gets the entry's mail attribute if
 * the search way was used. */
int ldap_auth_check(const struct ldap_auth_config *cfg, const char *username, const char *password,
                    char *email_out, unsigned n);

#endif
