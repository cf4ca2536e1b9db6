/* net.h — making a provider request with libcurl safely (reference §2.9): https only, no
 * redirects, short timeouts, a capped answer, and for user-set hosts (sms_http_out.pin) the
 * address resolved once, checked public (IPv4 and IPv6 private, loopback, link-local, CGNAT,
 * reserved and IPv4-mapped ranges refused) and pinned with CURLOPT_RESOLVE, re-checked on the
 * socket itself (CURLOPT_OPENSOCKETFUNCTION) so DNS rebinding cannot slip in between.
 *
 * Used by the outbox thread; nothing here touches the database. */
#ifndef SB_CHANNELS_SMS_NET_H
#define SB_CHANNELS_SMS_NET_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "channels/sms/provider.h"
#include "core/arena.h"
#include "core/buf.h"

#define SMS_ANSWER_MAX         (64 * 1024) /* bytes of a provider's answer kept; the rest is dropped */
#define SMS_TIMEOUT_MS         10000
#define SMS_CONNECT_TIMEOUT_MS 5000

/* Whether the socket address is a public unicast address (false for loopback, private,
 * link-local, CGNAT 100.64/10, 0/8, multicast, reserved, documentation, ::1, fc00::/7,
 * fe80::/10, IPv4-mapped/compatible and NAT64 forms of any of those). Pure. */
bool sms_addr_public(const struct sockaddr *sa);

/* Resolves host, refuses it unless EVERY address is public, and writes the CURLOPT_RESOLVE
 * entry "host:port:address" of the first into resolve[cap]. 0; SB_EFORBIDDEN when an address
 * is not public (*why); SB_EUNAVAIL when the name does not resolve (try later); SB_EINVAL.
 * Blocks on DNS: the outbox thread only. */
int sms_net_pin(const char *host, int port, char *resolve, size_t cap, const char **why);

/* What one prepared transfer owns; zero it before sms_curl_prepare(). */
struct sms_curl {
    struct curl_slist *headers, *resolve;
    struct buf answer; /* the answer body, at most SMS_ANSWER_MAX bytes */
    bool check_socket; /* pinned: the socket callback refuses non-public peers */
};

/* Sets up easy handle `c` for request `rq` (built by sms_build_send / sms_build_login in an
 * arena that must outlive the transfer). env->test_base_url allows plain http and loopback.
 * 0; the errors of sms_net_pin(); SB_ENOMEM. On error nothing needs releasing but
 * sms_curl_release() is harmless. The answer is in s->answer after the transfer. */
int sms_curl_prepare(CURL *c, const struct sms_http_out *rq, const struct sms_env *env,
                     struct sms_curl *s, const char **why);

/* Frees what sms_curl_prepare() allocated (the handle stays the caller's). */
void sms_curl_release(struct sms_curl *s);

/* Performs one prepared request with a fresh easy handle: *status gets the HTTP status (0 for
 * a transport error or timeout) and *answer, *len the capped answer, copied into `a`. 0, the
 * errors of sms_curl_prepare(), SB_ENOMEM. Blocking (≤ SMS_TIMEOUT_MS). */
int sms_http_perform(const struct sms_http_out *rq, const struct sms_env *env, struct arena *a,
                     long *status, const char **answer, size_t *len, const char **why);

/* Sends `m` through account `c` end to end: logs in first when the provider needs a session
 * and `session` (a caller-owned cache of session_cap bytes, "" when empty) holds none, builds
 * the request, performs it, reads the answer into *out; on SMS_SEND_REAUTH it logs in once more
 * and sends again. Returns 0 with *out filled — the outcome says what to do next — or an error
 * when nothing was sent: SB_EINVALID / SB_EAUTH from the builders (account misconfigured,
 * login refused: *why), SB_EFORBIDDEN / SB_EUNAVAIL from pinning, SB_ETOOBIG when the session
 * does not fit the cache, SB_ENOMEM. A login that got
 * no answer is reported as out->outcome = SMS_SEND_RETRY. Blocking (≤ 3 × SMS_TIMEOUT_MS):
 * the outbox thread. */
int sms_send_blocking(const struct sms_provider *p, const struct sms_account_creds *c,
                      const struct sms_env *env, const struct sms_outbound *m, char *session,
                      size_t session_cap, struct arena *a, struct sms_send_result *out,
                      const char **why);

#endif
