/* text.h — what a messenger message text may be (issue #7 "Limits and safety").
 *
 * Text is stored and returned exactly as sent — never interpreted as HTML; escaping is the
 * client's job when it renders. The server only refuses what no client should send: blank
 * text, text over the cap, and control characters other than tab and line breaks. Pure
 * functions, any thread. */
#ifndef SB_MESSENGER_TEXT_H
#define SB_MESSENGER_TEXT_H

#include <stddef.h>

/* Checks `s` (`len` bytes of valid UTF-8, as jansson hands it over; NUL-free). Returns 0, or
 * SB_EINVALID with *why set to a static message for the "body" field: empty or only
 * whitespace, more than `max_chars` Unicode code points, or a C0/DEL control character other
 * than tab, line feed and carriage return. */
int msg_text_check(const char *s, size_t len, int max_chars, const char **why);

/* Number of Unicode code points in `len` bytes of valid UTF-8. */
size_t msg_text_chars(const char *s, size_t len);

#endif
