/* iso8601.h — parsing the ISO-8601 / RFC 3339 instants the API takes in query strings
 * (report filters). Formatting is clock_iso8601() in core/clock.h. */
#ifndef SB_CORE_ISO8601_H
#define SB_CORE_ISO8601_H

#include <stdbool.h>
#include <stdint.h>

/* Parses `s` into UTC milliseconds since 1970. Accepted forms:
 *   YYYY-MM-DD                                  midnight UTC of that day
 *   YYYY-MM-DDTHH:MM[:SS[.f…]](Z|±HH:MM)        an instant with its zone (T or t, Z or z)
 * Fractions of up to 9 digits are truncated to milliseconds. A time without a zone is refused
 * (it would mean the server's zone, which callers cannot see), as are impossible dates
 * (2026-02-30), leap seconds, years outside 1970–9999 and results before 1970. Returns true
 * and sets *out, or false and leaves *out unchanged. Any thread. */
bool iso8601_parse(const char *s, int64_t *out);

#endif
