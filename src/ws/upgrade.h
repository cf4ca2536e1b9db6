/* upgrade.h — the WebSocket handshake on top of libmicrohttpd (RFC 6455 §4.2).
 *
 * Validates the request (GET, Upgrade: websocket, Connection: upgrade, Sec-WebSocket-Version
 * 13, a 16-byte base64 Sec-WebSocket-Key, Origin in the allow-list) and answers 101 with the
 * accept key; libmicrohttpd then hands the socket to the hub. */
#ifndef SB_WS_UPGRADE_H
#define SB_WS_UPGRADE_H

#include <stdbool.h>
#include <stddef.h>

#include "ws/hub.h"

struct MHD_Connection;

/* Computes Sec-WebSocket-Accept for `key` into out (29 bytes incl. NUL). Returns 0, or
 * SB_EINVAL when the key is not the base64 of exactly 16 bytes. */
int ws_accept_key(const char *key, char out[29]);

/* True when `origin` is allowed: equal to one entry of the comma-separated `allowed` list
 * (exact scheme://host[:port]), or — when `allowed` is empty — when its host[:port] equals the
 * request's Host header. A missing Origin (non-browser client) is allowed. */
bool ws_origin_allowed(const char *origin, const char *host, const char *allowed);

/* Answers the handshake on `conn`: queues a 101 response whose upgrade hands the socket and
 * `who` to `hub`, or a problem+json 400/403/426/503. Returns the MHD_Result of
 * MHD_queue_response; *status_out (may be NULL) gets the status queued. Called on the HTTP
 * thread from the router for GET /api/v1/ws only (the method is not checked here). */
int ws_upgrade_respond(struct MHD_Connection *conn, struct hub *hub, const struct hub_identity *who,
                       const char *allowed_origins, int *status_out);

#endif
