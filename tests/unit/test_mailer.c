/* test_mailer.c — mailer_send against a real SMTP sink (tests/smtp_server.py, aiosmtpd under
 * Debian's /usr/bin/python3) started as a child process on 127.0.0.1 with a free port.
 *
 * The script is found through SB_SOURCE_DIR (set by ctest) or ./tests/. Each test starts the
 * sink it needs and stops it before returning; the child also gets SIGTERM if we die. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "core/err.h"
#include "core/mailer.h"

#define PYTHON "/usr/bin/python3"

/* The self-signed certificate shared by the TLS tests (made once by the group setup). */
static char cert_dir[64];
static char cert_path[PATH_MAX];
static char key_path[PATH_MAX];

struct sink {
    pid_t pid;
    int port;
    char dir[PATH_MAX];
};

/* The sink of the running test, so the teardown can stop it when an assertion jumped out. */
static struct sink *live_sink;

/* ---- helpers: processes and files ------------------------------------------------------- */

/* Runs argv (no shell), stdout/stderr to /dev/null. Returns the exit status or -1. */
static int run(char *const argv[])
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void script_path(char *out, size_t cap)
{
    const char *src = getenv("SB_SOURCE_DIR");
    snprintf(out, cap, "%s/tests/smtp_server.py", src && *src ? src : ".");
}

/* Starts the sink with the extra arguments (NULL-terminated) and waits for "READY <port>". */
static void sink_start(struct sink *s, const char *const extra[])
{
    char script[PATH_MAX];
    script_path(script, sizeof(script));
    if (access(script, R_OK) != 0)
        fail_msg("SMTP sink not found at %s (set SB_SOURCE_DIR)", script);
    strcpy(s->dir, "/tmp/sb_mailer_XXXXXX");
    assert_non_null(mkdtemp(s->dir));

    const char *argv[16] = {PYTHON, script, "--port", "0", "--dir", s->dir};
    size_t argc = 6;
    for (size_t i = 0; extra && extra[i]; i++) {
        assert_true(argc < 15);
        argv[argc++] = extra[i];
    }
    argv[argc] = NULL;

    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    pid_t parent = getpid();
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        /* No stray sink if the test binary dies before it stops the server. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1);
        dup2(pfd[1], STDOUT_FILENO);
        close(pfd[0]);
        close(pfd[1]);
        execv(PYTHON, (char *const *)argv);
        _exit(127);
    }
    close(pfd[1]);
    live_sink = s;

    /* One line, read byte by byte so nothing past it is consumed; a generous bound so a sink
     * that never comes up fails the test instead of hanging it. */
    char line[64];
    size_t n = 0;
    while (n + 1 < sizeof(line)) {
        struct pollfd p = {.fd = pfd[0], .events = POLLIN};
        int pr = poll(&p, 1, 15000);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            break;
        char c;
        ssize_t r = read(pfd[0], &c, 1);
        if (r <= 0 || c == '\n')
            break;
        line[n++] = c;
    }
    line[n] = '\0';
    close(pfd[0]);
    s->port = 0;
    if (sscanf(line, "READY %d", &s->port) != 1 || s->port <= 0)
        fail_msg("SMTP sink did not start (got \"%s\"); is python3-aiosmtpd installed?", line);
}

static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char p[PATH_MAX * 2];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* Stops the sink (SIGTERM, which it handles with exit 0) and removes its directory. */
static void sink_stop(struct sink *s)
{
    int st = 0;
    live_sink = NULL;
    assert_int_equal(kill(s->pid, SIGTERM), 0);
    assert_int_equal(waitpid(s->pid, &st, 0), s->pid);
    rm_tree(s->dir);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

/* Number of <n>.eml files received so far. */
static int sink_count(const struct sink *s)
{
    DIR *d = opendir(s->dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, ".eml") == 0)
            n++;
    }
    closedir(d);
    return n;
}

/* Returns message number `n` (malloc'd, NUL-terminated) or fails the test. */
static char *sink_read(const struct sink *s, int n)
{
    char p[PATH_MAX + 32];
    snprintf(p, sizeof(p), "%s/%d.eml", s->dir, n);
    FILE *f = fopen(p, "rb");
    if (!f)
        fail_msg("message %s was not received", p);
    char *data = malloc(8 << 20);
    assert_non_null(data);
    size_t len = fread(data, 1, (8 << 20) - 1, f);
    fclose(f);
    data[len] = '\0';
    return data;
}

/* A port that nothing listens on: bound, read, closed. */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t al = sizeof(a);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void config_for(struct mailer_config *c, const struct sink *s, enum mailer_tls tls)
{
    memset(c, 0, sizeof(*c));
    strcpy(c->host, "127.0.0.1");
    c->port = s ? s->port : closed_port();
    c->tls = tls;
    c->verify_peer = true;
    strcpy(c->from, "noreply@switchboard.example");
    c->timeout_ms = 10000;
}

/* ---- helpers: parsing what arrived ---------------------------------------------------------- */

/* Returns the unfolded value of header `name` (malloc'd) from the header block, or NULL. */
static char *header(const char *eml, const char *name)
{
    const char *end = strstr(eml, "\r\n\r\n");
    assert_non_null(end);
    size_t nl = strlen(name);
    const char *p = eml;
    while (p < end && (strncasecmp(p, name, nl) != 0 || p[nl] != ':'))
        p = strstr(p, "\r\n") + 2;
    if (p >= end)
        return NULL;
    const char *v = p + nl + 1;
    while (*v == ' ')
        v++;
    char *out = malloc(4096);
    assert_non_null(out);
    size_t o = 0;
    for (;;) {
        const char *e = strstr(v, "\r\n");
        assert_true(o + (size_t)(e - v) < 4096);
        memcpy(out + o, v, (size_t)(e - v));
        o += (size_t)(e - v);
        if (e[2] != ' ' && e[2] != '\t')
            break;
        v = e + 2; /* unfolding removes only the CRLF */
    }
    out[o] = '\0';
    return out;
}

static void assert_header(const char *eml, const char *name, const char *want)
{
    char *v = header(eml, name);
    if (!v)
        fail_msg("header %s missing", name);
    assert_string_equal(v, want);
    free(v);
}

static const char *body_of(const char *eml)
{
    const char *b = strstr(eml, "\r\n\r\n");
    assert_non_null(b);
    return b + 4;
}

/* Every line ends in CRLF, no bare CR or LF, no line longer than `max` (without CRLF). */
static void assert_lines(const char *s, size_t max)
{
    size_t col = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '\r') {
            assert_int_equal(p[1], '\n');
            p++;
            col = 0;
            continue;
        }
        assert_int_not_equal(*p, '\n');
        col++;
        if (col > max)
            fail_msg("line longer than %zu bytes", max);
    }
    assert_int_equal(col, 0); /* ends with CRLF */
}

static int b64val(char c)
{
    const char *t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = c ? strchr(t, c) : NULL;
    return p ? (int)(p - t) : -1;
}

/* Decodes a header value made of RFC 2047 "=?UTF-8?B?…?=" words separated by white space;
 * plain values come back unchanged. Malloc'd. */
static char *decode_2047(const char *v)
{
    char *out = malloc(strlen(v) + 1);
    assert_non_null(out);
    if (strncmp(v, "=?", 2) != 0) {
        strcpy(out, v);
        return out;
    }
    size_t o = 0;
    const char *p = v;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        assert_true(strncasecmp(p, "=?UTF-8?B?", 10) == 0);
        const char *e = strstr(p + 10, "?=");
        assert_non_null(e);
        assert_true(e + 2 - p <= 75); /* RFC 2047 encoded-word limit */
        unsigned acc = 0;
        int bits = 0;
        for (const char *q = p + 10; q < e && *q != '='; q++) {
            int d = b64val(*q);
            assert_true(d >= 0);
            acc = (acc << 6) | (unsigned)d;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[o++] = (char)((acc >> bits) & 0xFF);
            }
        }
        p = e + 2;
    }
    out[o] = '\0';
    return out;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes quoted-printable (RFC 2045 6.7); hard line breaks stay CRLF. Malloc'd. */
static char *decode_qp(const char *s)
{
    char *out = malloc(strlen(s) + 1);
    assert_non_null(out);
    size_t o = 0;
    for (const char *p = s; *p; p++) {
        if (*p != '=') {
            out[o++] = *p;
            continue;
        }
        if (p[1] == '\r' && p[2] == '\n') {
            p += 2;
            continue;
        }
        int hi = hexval(p[1]), lo = hi >= 0 ? hexval(p[2]) : -1;
        assert_true(hi >= 0 && lo >= 0);
        out[o++] = (char)(hi * 16 + lo);
        p += 2;
    }
    out[o] = '\0';
    return out;
}

/* The message body decoded according to its Content-Transfer-Encoding. Malloc'd. */
static char *decoded_body(const char *eml)
{
    char *cte = header(eml, "Content-Transfer-Encoding");
    assert_non_null(cte);
    char *out;
    if (strcmp(cte, "quoted-printable") == 0) {
        out = decode_qp(body_of(eml));
    } else {
        assert_string_equal(cte, "7bit");
        out = strdup(body_of(eml));
    }
    free(cte);
    assert_non_null(out);
    return out;
}

/* ---- group setup: one self-signed certificate for the TLS cases ----------------------------- */

static int group_setup(void **state)
{
    strcpy(cert_dir, "/tmp/sb_mailer_cert_XXXXXX");
    if (!mkdtemp(cert_dir))
        return -1;
    snprintf(cert_path, sizeof(cert_path), "%s/cert.pem", cert_dir);
    snprintf(key_path, sizeof(key_path), "%s/key.pem", cert_dir);
    char *argv[] = {"openssl",
                    "req",
                    "-x509",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:prime256v1",
                    "-nodes",
                    "-keyout",
                    key_path,
                    "-out",
                    cert_path,
                    "-days",
                    "2",
                    "-subj",
                    "/CN=localhost",
                    NULL};
    return run(argv) == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    rm_tree(cert_dir);
    return 0;
}

/* After each test: a sink still running means the test failed midway; kill it. */
static int test_teardown(void **state)
{
    if (live_sink) {
        kill(live_sink->pid, SIGKILL);
        waitpid(live_sink->pid, NULL, 0);
        rm_tree(live_sink->dir);
        live_sink = NULL;
    }
    return 0;
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void test_configured(void **state)
{
    struct mailer_config c;
    config_for(&c, NULL, MAILER_TLS_NONE);
    assert_true(mailer_configured(&c));
    c.host[0] = '\0';
    assert_false(mailer_configured(&c));
    assert_false(mailer_configured(NULL));
    struct mailer_message m = {.to = "a@b.example", .subject = "s", .text = "t\n"};
    assert_int_equal(mailer_send(&c, &m), SB_EUNAVAIL);
}

/* ASCII message, AUTO against a server without STARTTLS: plain delivery, every header. */
static void test_send_ascii(void **state)
{
    struct sink s;
    sink_start(&s, NULL);
    struct mailer_config c;
    config_for(&c, &s, MAILER_TLS_AUTO);
    struct mailer_message m = {
        .to = "agent.one+tag@customer.example",
        .subject = "Your password",
        /* "." alone would end DATA if curl did not dot-stuff; CRLF input is accepted too. */
        .text = "Hello,\n.leading dot\n..two dots\n.\r\nlast line without newline",
    };
    assert_int_equal(mailer_send(&c, &m), 0);
    assert_int_equal(sink_count(&s), 1);

    char *eml = sink_read(&s, 1);
    assert_lines(eml, 998);
    assert_header(eml, "X-Envelope-From", "noreply@switchboard.example");
    assert_header(eml, "X-Envelope-To", "agent.one+tag@customer.example");
    assert_header(eml, "X-Smtp-Tls", "no");
    assert_header(eml, "X-Smtp-Auth", "none");
    assert_header(eml, "From", "noreply@switchboard.example");
    assert_header(eml, "To", "agent.one+tag@customer.example");
    assert_header(eml, "Subject", "Your password");
    assert_header(eml, "MIME-Version", "1.0");
    assert_header(eml, "Content-Type", "text/plain; charset=utf-8");
    assert_header(eml, "Content-Transfer-Encoding", "7bit");
    assert_null(header(eml, "Bcc"));

    char *date = header(eml, "Date");
    assert_non_null(date);
    struct tm tm = {0};
    const char *end = strptime(date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    assert_non_null(end);
    assert_int_equal(*end, '\0');
    time_t sent = timegm(&tm);
    time_t now = time(NULL);
    assert_true(sent <= now && sent >= now - 3600); /* sanity, not a timing threshold */
    free(date);

    char *mid = header(eml, "Message-ID");
    assert_non_null(mid);
    assert_int_equal(mid[0], '<');
    const char *at = strchr(mid, '@');
    assert_non_null(at);
    assert_int_equal(at - mid - 1, 32);
    assert_string_equal(at, "@switchboard.example>");
    free(mid);

    assert_string_equal(body_of(eml), "Hello,\r\n.leading dot\r\n..two dots\r\n.\r\n"
                                      "last line without newline\r\n");
    free(eml);
    sink_stop(&s);
}

/* UTF-8 subject and body: RFC 2047 subject, quoted-printable body, both decode exactly. */
static void test_send_utf8(void **state)
{
    struct sink s;
    sink_start(&s, NULL);
    struct mailer_config c;
    config_for(&c, &s, MAILER_TLS_NONE);
    struct mailer_message m = {
        .to = "zoe@client.example",
        .subject = "Réinitialisation de votre mot de passe",
        .text = ".début\nBonjour Zoë,\nLien : https://x.example/r?t=a=b \n\n— l'équipe 🚀\n",
    };
    assert_int_equal(mailer_send(&c, &m), 0);
    assert_int_equal(mailer_send(&c, &m), 0);
    assert_int_equal(sink_count(&s), 2);

    char *eml = sink_read(&s, 1);
    assert_lines(eml, 998);
    char *subj = header(eml, "Subject");
    assert_non_null(subj);
    assert_non_null(strstr(subj, "=?UTF-8?B?"));
    char *dec = decode_2047(subj);
    assert_string_equal(dec, "Réinitialisation de votre mot de passe");
    free(dec);
    free(subj);
    assert_header(eml, "Content-Transfer-Encoding", "quoted-printable");
    assert_lines(body_of(eml), 76);
    char *body = decoded_body(eml);
    assert_string_equal(body, ".début\r\nBonjour Zoë,\r\nLien : https://x.example/r?t=a=b \r\n\r\n"
                              "— l'équipe 🚀\r\n");
    free(body);

    /* Each message gets its own id. */
    char *eml2 = sink_read(&s, 2);
    char *id1 = header(eml, "Message-ID"), *id2 = header(eml2, "Message-ID");
    assert_string_not_equal(id1, id2);
    free(id1);
    free(id2);
    free(eml2);
    free(eml);
    sink_stop(&s);
}

/* Long lines and subjects at the limit still give lines <= 998 (the sink refuses longer ones)
 * and come back intact. */
static void test_long_lines(void **state)
{
    struct sink s;
    sink_start(&s, NULL);
    struct mailer_config c;
    config_for(&c, &s, MAILER_TLS_NONE);

    char *text = malloc(5000);
    assert_non_null(text);
    memset(text, 'x', 3000);
    strcpy(text + 3000, "\nshort\n");
    char subject[999];
    for (size_t i = 0; i + 2 <= 998; i += 2)
        memcpy(subject + i, "é", 2); /* 499 characters, 998 bytes */
    subject[998] = '\0';
    struct mailer_message m = {.to = "a@b.example", .subject = subject, .text = text};
    assert_int_equal(mailer_send(&c, &m), 0);

    /* 998 ASCII bytes: too long for one "Subject: " line, so it is encoded too. */
    char ascii[999];
    memset(ascii, 'A', 998);
    ascii[998] = '\0';
    m.subject = ascii;
    assert_int_equal(mailer_send(&c, &m), 0);

    /* A long ASCII sentence is folded at spaces and unfolds to the original. */
    const char *words = "Your weekly report for the support queue Billing and the queue "
                        "Technical is ready to download from the reports page";
    m.subject = words;
    assert_int_equal(mailer_send(&c, &m), 0);
    assert_int_equal(sink_count(&s), 3);

    char *expect = malloc(5000);
    assert_non_null(expect);
    memset(expect, 'x', 3000);
    strcpy(expect + 3000, "\r\nshort\r\n");
    const char *want_subject[3] = {subject, ascii, words};
    for (int i = 1; i <= 3; i++) {
        char *eml = sink_read(&s, i);
        assert_lines(eml, 998);
        assert_lines(body_of(eml), 76);
        char *subj = header(eml, "Subject");
        char *dec = decode_2047(subj);
        assert_string_equal(dec, want_subject[i - 1]);
        char *body = decoded_body(eml);
        assert_string_equal(body, expect);
        free(body);
        free(dec);
        free(subj);
        free(eml);
    }
    char *eml = sink_read(&s, 3);
    assert_lines(eml, 78); /* the folded subject keeps the recommended width */
    free(eml);
    free(expect);
    free(text);
    sink_stop(&s);
}

/* STARTTLS offered: AUTO upgrades; STARTTLS required works; certificate checked when asked. */
static void test_starttls(void **state)
{
    struct sink s;
    const char *args[] = {"--starttls", cert_path, key_path, NULL};
    sink_start(&s, args);
    struct mailer_config c;
    struct mailer_message m = {.to = "a@b.example", .subject = "tls", .text = "secret link\n"};

    config_for(&c, &s, MAILER_TLS_AUTO);
    c.verify_peer = false; /* self-signed test certificate */
    assert_int_equal(mailer_send(&c, &m), 0);
    c.tls = MAILER_TLS_STARTTLS;
    assert_int_equal(mailer_send(&c, &m), 0);
    assert_int_equal(sink_count(&s), 2);
    for (int i = 1; i <= 2; i++) {
        char *eml = sink_read(&s, i);
        assert_header(eml, "X-Smtp-Tls", "yes");
        assert_string_equal(body_of(eml), "secret link\r\n");
        free(eml);
    }

    /* Verification on: the self-signed certificate is refused, nothing delivered. */
    c.verify_peer = true;
    assert_int_equal(mailer_send(&c, &m), SB_EUNAVAIL);
    c.tls = MAILER_TLS_AUTO;
    assert_int_equal(mailer_send(&c, &m), SB_EUNAVAIL);
    assert_int_equal(sink_count(&s), 2);
    sink_stop(&s);
}

/* STARTTLS required but the server does not offer it: refused before any data. */
static void test_starttls_required_not_offered(void **state)
{
    struct sink s;
    sink_start(&s, NULL);
    struct mailer_config c;
    config_for(&c, &s, MAILER_TLS_STARTTLS);
    c.verify_peer = false;
    struct mailer_message m = {.to = "a@b.example", .subject = "x", .text = "y\n"};
    assert_int_equal(mailer_send(&c, &m), SB_EUNAVAIL);
    assert_int_equal(sink_count(&s), 0);
    sink_stop(&s);
}

/* Implicit TLS (smtps://). */
static void test_smtps(void **state)
{
    struct sink s;
    const char *args[] = {"--smtps", cert_path, key_path, NULL};
    sink_start(&s, args);
    struct mailer_config c;
    config_for(&c, &s, MAILER_TLS_SMTPS);
    c.verify_peer = false;
    struct mailer_message m = {.to = "a@b.example", .subject = "x", .text = "y\n"};
    assert_int_equal(mailer_send(&c, &m), 0);
    assert_int_equal(sink_count(&s), 1);
    char *eml = sink_read(&s, 1);
    assert_header(eml, "X-Smtp-Tls", "yes");
    free(eml);
    /* The same port spoken to in plain text cannot work. */
    c.tls = MAILER_TLS_NONE;
    c.timeout_ms = 500; /* it can only fail; no need to wait long */
    assert_int_equal(mailer_send(&c, &m), SB_EUNAVAIL);
    assert_int_equal(sink_count(&s), 1);
    sink_stop(&s);
}

/* AUTH: right credentials accepted (plain text and over STARTTLS), wrong ones and none
 * refused by a server that requires AUTH. */
static void test_auth(void **state)
{
    struct sink s;
    const char *args[] = {"--auth", "mailer:s3cr3t", "--starttls", cert_path, key_path, NULL};
    sink_start(&s, args);
    struct mailer_config c;
    struct mailer_message m = {.to = "a@b.example", .subject = "x", .text = "y\n"};

    config_for(&c, &s, MAILER_TLS_NONE);
    strcpy(c.username, "mailer");
    strcpy(c.password, "s3cr3t");
    assert_int_equal(mailer_send(&c, &m), 0);
    c.tls = MAILER_TLS_STARTTLS;
    c.verify_peer = false;
    assert_int_equal(mailer_send(&c, &m), 0);
    assert_int_equal(sink_count(&s), 2);
    char *eml = sink_read(&s, 1);
    assert_header(eml, "X-Smtp-Auth", "mailer");
    assert_header(eml, "X-Smtp-Tls", "no");
    assert_null(strstr(eml, "s3cr3t"));
    free(eml);
    eml = sink_read(&s, 2);
    assert_header(eml, "X-Smtp-Auth", "mailer");
    assert_header(eml, "X-Smtp-Tls", "yes");
    free(eml);

    strcpy(c.password, "wrong");
    assert_int_equal(mailer_send(&c, &m), SB_EUNAVAIL);
    c.username[0] = '\0';
    c.password[0] = '\0';
    assert_int_equal(mailer_send(&c, &m), SB_EUNAVAIL);
    assert_int_equal(sink_count(&s), 2);
    sink_stop(&s);
}

/* Header injection and malformed input: SB_EINVAL and nothing reaches the server. */
static void test_invalid_input(void **state)
{
    struct sink s;
    sink_start(&s, NULL);
    struct mailer_config c;
    config_for(&c, &s, MAILER_TLS_NONE);
    struct mailer_message m = {.to = "a@b.example", .subject = "ok", .text = "body\n"};

    char long_addr[300];
    memset(long_addr, 'a', 250);
    strcpy(long_addr + 250, "@b.ex"); /* 255 bytes */
    const char *bad_to[] = {
        "a@b.c\r\nBcc: x@y.z",
        "a@b.c\nBcc: x@y.z",
        "a@b.c\r",
        "no-at-sign",
        "two@at@signs.example",
        "@b.example",
        "a@",
        "a@.example",
        "a@b..example",
        "a@b.example.",
        "<a@b.example>",
        "a@b.example> SIZE=1",
        "a b@c.example",
        "Zoë <z@b.example>",
        "zoë@b.example",
        "",
        long_addr,
        NULL, /* also a NULL address */
    };
    for (size_t i = 0; i < sizeof(bad_to) / sizeof(bad_to[0]); i++) {
        m.to = bad_to[i];
        if (mailer_send(&c, &m) != SB_EINVAL)
            fail_msg("address #%zu accepted", i);
    }
    m.to = "a@b.example";

    char long_subject[1000];
    memset(long_subject, 'S', 999);
    long_subject[999] = '\0';
    const char *bad_subject[] = {
        "Hi\nBcc: x@y.z", "Hi\r\nBcc: x@y.z", "Hi\r",       "\xC3",
        "\xC0\xAF",       "\xED\xA0\x80",     long_subject,
    };
    for (size_t i = 0; i < sizeof(bad_subject) / sizeof(bad_subject[0]); i++) {
        m.subject = bad_subject[i];
        if (mailer_send(&c, &m) != SB_EINVAL)
            fail_msg("subject #%zu accepted", i);
    }
    m.subject = "ok";

    strcpy(c.from, "noreply@b.example\r\nBcc: x@y.z");
    assert_int_equal(mailer_send(&c, &m), SB_EINVAL);
    c.from[0] = '\0';
    assert_int_equal(mailer_send(&c, &m), SB_EINVAL);
    strcpy(c.from, "noreply@b.example");
    strcpy(c.host, "127.0.0.1/evil");
    assert_int_equal(mailer_send(&c, &m), SB_EINVAL);
    strcpy(c.host, "127.0.0.1");
    c.port = 70000;
    assert_int_equal(mailer_send(&c, &m), SB_EINVAL);
    c.port = s.port;
    assert_int_equal(mailer_send(&c, NULL), SB_EINVAL);

    assert_int_equal(sink_count(&s), 0);
    /* The same config with good input does go through: the refusals above were the input. */
    assert_int_equal(mailer_send(&c, &m), 0);
    assert_int_equal(sink_count(&s), 1);
    sink_stop(&s);
}

/* Nobody listening: connection refused -> SB_EUNAVAIL. */
static void test_server_down(void **state)
{
    struct mailer_config c;
    config_for(&c, NULL, MAILER_TLS_AUTO);
    struct mailer_message m = {.to = "a@b.example", .subject = "x", .text = "y\n"};
    assert_int_equal(mailer_send(&c, &m), SB_EUNAVAIL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_configured, test_teardown),
        cmocka_unit_test_teardown(test_send_ascii, test_teardown),
        cmocka_unit_test_teardown(test_send_utf8, test_teardown),
        cmocka_unit_test_teardown(test_long_lines, test_teardown),
        cmocka_unit_test_teardown(test_starttls, test_teardown),
        cmocka_unit_test_teardown(test_starttls_required_not_offered, test_teardown),
        cmocka_unit_test_teardown(test_smtps, test_teardown),
        cmocka_unit_test_teardown(test_auth, test_teardown),
        cmocka_unit_test_teardown(test_invalid_input, test_teardown),
        cmocka_unit_test_teardown(test_server_down, test_teardown),
    };
    int rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
    curl_global_cleanup();
    return rc;
}
