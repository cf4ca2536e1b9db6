/* test_ldap.c — ldap_auth_check against a real, throw-away slapd (tests/ldap/slapd-test-server.sh).
 *
 * Two servers are started once for the whole group: a plain one and one with a self-signed
 * certificate (STARTTLS on its ldap:// port, plus an ldaps:// port). Both are stopped at the
 * end, by the group teardown, by atexit, or by the script's watchdog if this process dies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth/ldap_auth.h"
#include "core/err.h"

#define SCRIPT_REL "tests/ldap/slapd-test-server.sh"
#define SUFFIX     "dc=example,dc=com"
#define PEOPLE     "ou=people," SUFFIX

struct server {
    char dir[512];
    int port;       /* ldap:// */
    int ldaps_port; /* ldaps://, TLS server only */
    bool running;
};

static char script[1024];
static struct server plain_srv, tls_srv;
static int refused_fd = -1, refused_port; /* bound, never listening: connections are refused */
static int silent_fd = -1, silent_port;   /* listening, never answering: operations time out */

/* The script: $SB_SOURCE_DIR/tests/ldap/…, else next to this source file (ctest runs in the
 * build directory and CMake compiles us by absolute path), else ./tests/ldap/…. */
static int find_script(void)
{
    const char *src = getenv("SB_SOURCE_DIR");
    if (src && *src) {
        snprintf(script, sizeof script, "%s/%s", src, SCRIPT_REL);
        return access(script, R_OK) == 0 ? 0 : -1;
    }
    const char *me = __FILE__;
    const char *cut = strstr(me, "tests/unit/test_ldap.c");
    if (me[0] == '/' && cut) {
        snprintf(script, sizeof script, "%.*s%s", (int)(cut - me), me, SCRIPT_REL);
        if (access(script, R_OK) == 0)
            return 0;
    }
    snprintf(script, sizeof script, "./%s", SCRIPT_REL);
    return access(script, R_OK) == 0 ? 0 : -1;
}

/* Runs the script with up to four arguments, capturing at most cap-1 bytes of its stdout.
 * Returns its exit status, or -1 when it could not be run. */
static int run_script(char *out, size_t cap, const char *a1, const char *a2, const char *a3,
                      const char *a4, const char *a5)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execl("/bin/bash", "bash", script, a1, a2, a3, a4, a5, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0;
    char sink[256];
    for (;;) {
        char *dst = len + 1 < cap ? out + len : sink;
        size_t room = len + 1 < cap ? cap - 1 - len : sizeof sink;
        ssize_t r = read(fds[0], dst, room);
        if (r <= 0)
            break;
        if (dst != sink)
            len += (size_t)r;
    }
    if (cap)
        out[len] = 0;
    close(fds[0]);
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int server_start(struct server *s, bool tls)
{
    const char *base = getenv("SB_TEST_TMP");
    if (!base || !*base)
        base = "/tmp";
    mkdir(base, 0700);
    snprintf(s->dir, sizeof s->dir, "%s/ldap-XXXXXX", base);
    if (!mkdtemp(s->dir))
        return -1;
    char owner[32], out[128];
    snprintf(owner, sizeof owner, "%ld", (long)getpid());
    int rc = tls ? run_script(out, sizeof out, "start", s->dir, "--tls", "--owner", owner)
                 : run_script(out, sizeof out, "start", s->dir, "--owner", owner, NULL);
    s->running = true; /* even half-started: stop removes the directory */
    if (rc != 0)
        return -1;
    int n = sscanf(out, "%d %d", &s->port, &s->ldaps_port);
    return n >= (tls ? 2 : 1) && s->port > 0 ? 0 : -1;
}

static void server_stop(struct server *s)
{
    char out[64];
    if (!s->running)
        return;
    s->running = false;
    run_script(out, sizeof out, "stop", s->dir, NULL, NULL, NULL);
}

static void stop_all(void)
{
    server_stop(&plain_srv);
    server_stop(&tls_srv);
}

/* A loopback TCP socket on an ephemeral port; listening when `listening`. */
static int loopback_socket(bool listening, int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &alen) != 0 || (listening && listen(fd, 8) != 0)) {
        close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static int group_setup(void **state)
{
    /* A hang guard only (a blocked libldap call must not stall ctest for minutes). */
    alarm(120);
    atexit(stop_all);
    if (find_script() != 0) {
        fprintf(stderr, "test_ldap: %s not found (set SB_SOURCE_DIR)\n", SCRIPT_REL);
        return -1;
    }
    refused_fd = loopback_socket(false, &refused_port);
    silent_fd = loopback_socket(true, &silent_port);
    if (refused_fd < 0 || silent_fd < 0)
        return -1;
    if (server_start(&plain_srv, false) != 0 || server_start(&tls_srv, true) != 0) {
        fprintf(stderr, "test_ldap: could not start slapd\n");
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    stop_all();
    if (refused_fd >= 0)
        close(refused_fd);
    if (silent_fd >= 0)
        close(silent_fd);
    return 0;
}

static void set_url(struct ldap_auth_config *c, const char *scheme, int port)
{
    snprintf(c->url, sizeof c->url, "%s://127.0.0.1:%d/", scheme, port);
}

static struct ldap_auth_config template_cfg(int port)
{
    struct ldap_auth_config c = {.verify_cert = true, .timeout_ms = 5000};
    set_url(&c, "ldap", port);
    snprintf(c.bind_template, sizeof c.bind_template, "uid=%%s,%s", PEOPLE);
    return c;
}

static struct ldap_auth_config search_cfg(int port, bool service)
{
    struct ldap_auth_config c = {.verify_cert = true, .timeout_ms = 5000};
    set_url(&c, "ldap", port);
    snprintf(c.base_dn, sizeof c.base_dn, "%s", SUFFIX);
    snprintf(c.user_filter, sizeof c.user_filter, "%s", "(&(objectClass=inetOrgPerson)(uid=%s))");
    if (service) {
        snprintf(c.service_dn, sizeof c.service_dn, "cn=reader,%s", SUFFIX);
        snprintf(c.service_password, sizeof c.service_password, "%s", "Reader!Pass1");
    }
    return c;
}

static void test_template_bind_ok(void **state)
{
    struct ldap_auth_config c = template_cfg(plain_srv.port);
    char mail[64] = "untouched";
    assert_int_equal(ldap_auth_check(&c, "ana.rossi", "Ldap!Pass1", mail, sizeof mail), 0);
    assert_string_equal(mail, ""); /* no search, so no mail */
    assert_int_equal(ldap_auth_check(&c, "bob", "Bob!Pass1", NULL, 0), 0);
}

static void test_template_wrong_password_and_unknown_user(void **state)
{
    struct ldap_auth_config c = template_cfg(plain_srv.port);
    assert_int_equal(ldap_auth_check(&c, "ana.rossi", "Ldap!Pass2", NULL, 0), SB_EAUTH);
    assert_int_equal(ldap_auth_check(&c, "ana.rossi", "ldap!pass1", NULL, 0), SB_EAUTH);
    assert_int_equal(ldap_auth_check(&c, "bob", "Ldap!Pass1", NULL, 0), SB_EAUTH);
    assert_int_equal(ldap_auth_check(&c, "nobody", "Ldap!Pass1", NULL, 0), SB_EAUTH);
}

/* RFC 4514: a ',' in the username is part of the value, never a new RDN. */
static void test_template_escapes_dn_specials(void **state)
{
    struct ldap_auth_config c = template_cfg(plain_srv.port);
    assert_int_equal(ldap_auth_check(&c, "comma,user", "Comma!Pass1", NULL, 0), 0);
    /* Without escaping this would be uid=comma,user,ou=people: another (missing) entry. The
     * rootdn cannot be reached by stuffing RDNs either. */
    assert_int_equal(ldap_auth_check(&c, "ana.rossi,ou=people", "Ldap!Pass1", NULL, 0), SB_EAUTH);
    snprintf(c.bind_template, sizeof c.bind_template, "cn=%%s,%s", SUFFIX);
    assert_int_equal(ldap_auth_check(&c, "admin", "Admin!Pass1", NULL, 0), 0); /* sanity */
    assert_int_equal(ldap_auth_check(&c, "x,cn=admin", "Admin!Pass1", NULL, 0), SB_EAUTH);
    assert_int_equal(ldap_auth_check(&c, "admin+cn=x", "Admin!Pass1", NULL, 0), SB_EAUTH);
    assert_int_equal(ldap_auth_check(&c, "#admin", "Admin!Pass1", NULL, 0), SB_EAUTH);
    assert_int_equal(ldap_auth_check(&c, "adm\\in", "Admin!Pass1", NULL, 0), SB_EAUTH);
}

/* The refused port proves the short-cut: with a real password the same config is unavailable,
 * with an empty one the answer is SB_EAUTH, so no connection was attempted. */
static void test_empty_password_never_reaches_server(void **state)
{
    struct ldap_auth_config t = template_cfg(refused_port);
    assert_int_equal(ldap_auth_check(&t, "ana.rossi", "x", NULL, 0), SB_EUNAVAIL);
    assert_int_equal(ldap_auth_check(&t, "ana.rossi", "", NULL, 0), SB_EAUTH);
    struct ldap_auth_config s = search_cfg(refused_port, true);
    assert_int_equal(ldap_auth_check(&s, "ana.rossi", "x", NULL, 0), SB_EUNAVAIL);
    assert_int_equal(ldap_auth_check(&s, "ana.rossi", "", NULL, 0), SB_EAUTH);
    /* Against the live server too (there an anonymous bind would have "succeeded"). */
    struct ldap_auth_config live = template_cfg(plain_srv.port);
    assert_int_equal(ldap_auth_check(&live, "ana.rossi", "", NULL, 0), SB_EAUTH);
    /* Empty and oversized usernames are refused the same way. */
    assert_int_equal(ldap_auth_check(&t, "", "x", NULL, 0), SB_EAUTH);
    char big[300];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal(ldap_auth_check(&t, big, "x", NULL, 0), SB_EAUTH);
}

static void test_search_with_service_account(void **state)
{
    struct ldap_auth_config c = search_cfg(plain_srv.port, true);
    char mail[64] = "untouched";
    assert_int_equal(ldap_auth_check(&c, "ana.rossi", "Ldap!Pass1", mail, sizeof mail), 0);
    assert_string_equal(mail, "ana.rossi@example.com");
    assert_int_equal(ldap_auth_check(&c, "bob", "Bob!Pass1", mail, sizeof mail), 0);
    assert_string_equal(mail, "bob@example.com");
    /* A mail that does not fit is left out, never truncated. */
    char small[8] = "x";
    assert_int_equal(ldap_auth_check(&c, "bob", "Bob!Pass1", small, sizeof small), 0);
    assert_string_equal(small, "");
    /* Failure clears it. */
    strcpy(mail, "stale");
    assert_int_equal(ldap_auth_check(&c, "ana.rossi", "wrong", mail, sizeof mail), SB_EAUTH);
    assert_string_equal(mail, "");
    assert_int_equal(ldap_auth_check(&c, "nobody", "Ldap!Pass1", mail, sizeof mail), SB_EAUTH);
    assert_string_equal(mail, "");
}

static void test_search_anonymous(void **state)
{
    struct ldap_auth_config c = search_cfg(plain_srv.port, false);
    char mail[64];
    assert_int_equal(ldap_auth_check(&c, "ana.rossi", "Ldap!Pass1", mail, sizeof mail), 0);
    assert_string_equal(mail, "ana.rossi@example.com");
    assert_int_equal(ldap_auth_check(&c, "ana.rossi", "Bob!Pass1", mail, sizeof mail), SB_EAUTH);
}

/* RFC 4515: "ana*" with ana's password would log in as ana.rossi if the '*' were a wildcard. */
static void test_search_filter_injection(void **state)
{
    struct ldap_auth_config c = search_cfg(plain_srv.port, true);
    char mail[64];
    assert_int_equal(ldap_auth_check(&c, "ana*", "Ldap!Pass1", mail, sizeof mail), SB_EAUTH);
    assert_int_equal(ldap_auth_check(&c, "*", "Ldap!Pass1", mail, sizeof mail), SB_EAUTH);
    assert_int_equal(ldap_auth_check(&c, "a*a.rossi", "Ldap!Pass1", mail, sizeof mail), SB_EAUTH);
    assert_int_equal(ldap_auth_check(&c, "*)(uid=ana.rossi", "Ldap!Pass1", NULL, 0), SB_EAUTH);
    assert_int_equal(ldap_auth_check(&c, "x)(|(uid=ana.rossi)", "Ldap!Pass1", NULL, 0), SB_EAUTH);
    assert_int_equal(ldap_auth_check(&c, "ana.rossi\\2a", "Ldap!Pass1", NULL, 0), SB_EAUTH);
    /* The '*' is matched literally: the entry whose uid really is "star*user". */
    assert_int_equal(ldap_auth_check(&c, "star*user", "Star!Pass1", mail, sizeof mail), 0);
    assert_string_equal(mail, "star@example.com");
    assert_int_equal(ldap_auth_check(&c, "comma,user", "Comma!Pass1", mail, sizeof mail), 0);
    assert_string_equal(mail, "comma@example.com");
}

static void test_search_ambiguous(void **state)
{
    struct ldap_auth_config c = search_cfg(plain_srv.port, true);
    char mail[64];
    assert_int_equal(ldap_auth_check(&c, "twin", "Twin!Pass1", mail, sizeof mail), SB_EAUTH);
    assert_string_equal(mail, "");
    /* Narrowed to one OU it is unique again, which shows the password was right. */
    snprintf(c.base_dn, sizeof c.base_dn, "%s", PEOPLE);
    assert_int_equal(ldap_auth_check(&c, "twin", "Twin!Pass1", mail, sizeof mail), 0);
    assert_string_equal(mail, "twin1@example.com");
    /* A base that does not exist finds nobody. */
    snprintf(c.base_dn, sizeof c.base_dn, "ou=nowhere,%s", SUFFIX);
    assert_int_equal(ldap_auth_check(&c, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EAUTH);
}

static void test_search_bad_service_password(void **state)
{
    struct ldap_auth_config c = search_cfg(plain_srv.port, true);
    snprintf(c.service_password, sizeof c.service_password, "%s", "wrong");
    assert_int_equal(ldap_auth_check(&c, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EUNAVAIL);
}

static void test_server_down(void **state)
{
    struct ldap_auth_config t = template_cfg(refused_port);
    assert_int_equal(ldap_auth_check(&t, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EUNAVAIL);
    struct ldap_auth_config s = search_cfg(refused_port, false);
    assert_int_equal(ldap_auth_check(&s, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EUNAVAIL);
    t.starttls = true;
    assert_int_equal(ldap_auth_check(&t, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EUNAVAIL);
}

/* A server that accepts the connection and never answers: the timeout ends the call. */
static void test_silent_server_times_out(void **state)
{
    struct ldap_auth_config t = template_cfg(silent_port);
    t.timeout_ms = 300;
    assert_int_equal(ldap_auth_check(&t, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EUNAVAIL);
    struct ldap_auth_config s = search_cfg(silent_port, false);
    s.timeout_ms = 300;
    assert_int_equal(ldap_auth_check(&s, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EUNAVAIL);
    t.starttls = true;
    assert_int_equal(ldap_auth_check(&t, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EUNAVAIL);
}

static void test_starttls_required_without_tls(void **state)
{
    struct ldap_auth_config c = template_cfg(plain_srv.port);
    c.starttls = true;
    c.verify_cert = false;
    assert_int_equal(ldap_auth_check(&c, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EUNAVAIL);
    struct ldap_auth_config s = search_cfg(plain_srv.port, true);
    s.starttls = true;
    assert_int_equal(ldap_auth_check(&s, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EUNAVAIL);
}

static void test_starttls_and_ldaps(void **state)
{
    /* STARTTLS, certificate not checked: works. */
    struct ldap_auth_config c = search_cfg(tls_srv.port, true);
    c.starttls = true;
    c.verify_cert = false;
    char mail[64];
    assert_int_equal(ldap_auth_check(&c, "ana.rossi", "Ldap!Pass1", mail, sizeof mail), 0);
    assert_string_equal(mail, "ana.rossi@example.com");
    assert_int_equal(ldap_auth_check(&c, "ana.rossi", "nope", NULL, 0), SB_EAUTH);
    /* Checked: the self-signed certificate is not trusted. */
    c.verify_cert = true;
    assert_int_equal(ldap_auth_check(&c, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EUNAVAIL);
    /* The same server without STARTTLS still answers in clear (not required by default). */
    c.starttls = false;
    assert_int_equal(ldap_auth_check(&c, "ana.rossi", "Ldap!Pass1", NULL, 0), 0);

    /* ldaps:// */
    struct ldap_auth_config l = template_cfg(tls_srv.ldaps_port);
    set_url(&l, "ldaps", tls_srv.ldaps_port);
    l.verify_cert = false;
    assert_int_equal(ldap_auth_check(&l, "ana.rossi", "Ldap!Pass1", NULL, 0), 0);
    l.starttls = true; /* ignored on ldaps:// (already TLS) */
    assert_int_equal(ldap_auth_check(&l, "ana.rossi", "Ldap!Pass1", NULL, 0), 0);
    l.verify_cert = true;
    assert_int_equal(ldap_auth_check(&l, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EUNAVAIL);
    /* ldaps:// to a plain port: the handshake fails. */
    struct ldap_auth_config p = template_cfg(plain_srv.port);
    set_url(&p, "ldaps", plain_srv.port);
    p.verify_cert = false;
    assert_int_equal(ldap_auth_check(&p, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EUNAVAIL);
}

static void test_invalid_config(void **state)
{
    struct ldap_auth_config c = {.verify_cert = true, .timeout_ms = 1000};
    set_url(&c, "ldap", plain_srv.port);
    assert_int_equal(ldap_auth_check(&c, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EINVAL);
    /* Only the filter's base, no filter. */
    snprintf(c.base_dn, sizeof c.base_dn, "%s", SUFFIX);
    assert_int_equal(ldap_auth_check(&c, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EINVAL);
    /* Templates must have exactly one %s and no other directive. */
    struct ldap_auth_config t = template_cfg(plain_srv.port);
    snprintf(t.bind_template, sizeof t.bind_template, "%s", "uid=ana.rossi," PEOPLE);
    assert_int_equal(ldap_auth_check(&t, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EINVAL);
    snprintf(t.bind_template, sizeof t.bind_template, "%s", "uid=%s,cn=%s," PEOPLE);
    assert_int_equal(ldap_auth_check(&t, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EINVAL);
    snprintf(t.bind_template, sizeof t.bind_template, "%s", "uid=%s,ou=%n");
    assert_int_equal(ldap_auth_check(&t, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EINVAL);
    struct ldap_auth_config s = search_cfg(plain_srv.port, true);
    snprintf(s.user_filter, sizeof s.user_filter, "%s", "(uid=%d)");
    assert_int_equal(ldap_auth_check(&s, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EINVAL);
    /* A filter that is not one: libldap refuses it, reported as configuration error. */
    s = search_cfg(plain_srv.port, true);
    snprintf(s.user_filter, sizeof s.user_filter, "%s", "(uid=%s");
    assert_int_equal(ldap_auth_check(&s, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EINVAL);
    /* A service account without password would be an unauthenticated bind. */
    s = search_cfg(plain_srv.port, true);
    s.service_password[0] = 0;
    assert_int_equal(ldap_auth_check(&s, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EINVAL);
    /* URL: empty (not configured), another scheme, unterminated field. */
    t = template_cfg(plain_srv.port);
    t.url[0] = 0;
    assert_int_equal(ldap_auth_check(&t, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EINVAL);
    snprintf(t.url, sizeof t.url, "http://127.0.0.1:%d/", plain_srv.port);
    assert_int_equal(ldap_auth_check(&t, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EINVAL);
    memset(t.url, 'a', sizeof t.url);
    assert_int_equal(ldap_auth_check(&t, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EINVAL);
    /* NULL arguments. */
    t = template_cfg(plain_srv.port);
    assert_int_equal(ldap_auth_check(NULL, "ana.rossi", "Ldap!Pass1", NULL, 0), SB_EINVAL);
    assert_int_equal(ldap_auth_check(&t, NULL, "Ldap!Pass1", NULL, 0), SB_EINVAL);
    assert_int_equal(ldap_auth_check(&t, "ana.rossi", NULL, NULL, 0), SB_EINVAL);
    /* Configuration errors win over an empty password. */
    assert_int_equal(ldap_auth_check(&c, "ana.rossi", "", NULL, 0), SB_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template_bind_ok),
        cmocka_unit_test(test_template_wrong_password_and_unknown_user),
        cmocka_unit_test(test_template_escapes_dn_specials),
        cmocka_unit_test(test_empty_password_never_reaches_server),
        cmocka_unit_test(test_search_with_service_account),
        cmocka_unit_test(test_search_anonymous),
        cmocka_unit_test(test_search_filter_injection),
        cmocka_unit_test(test_search_ambiguous),
        cmocka_unit_test(test_search_bad_service_password),
        cmocka_unit_test(test_server_down),
        cmocka_unit_test(test_silent_server_times_out),
        cmocka_unit_test(test_starttls_required_without_tls),
        cmocka_unit_test(test_starttls_and_ldaps),
        cmocka_unit_test(test_invalid_config),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
