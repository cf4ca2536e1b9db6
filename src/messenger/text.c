/* text.c — message text rules (contract in text.h). */
#include "messenger/text.h"

#include <stdbool.h>

#include "core/err.h"

size_t msg_text_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) /* every byte but continuation bytes */
            n++;
    return n;
}

int msg_text_check(const char *s, size_t len, int max_chars, const char **why)
{
    bool blank = true;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
            *why = "must not contain control characters";
            return SB_EINVALID;
        }
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            blank = false;
    }
    if (blank) {
        *why = "must not be empty";
        return SB_EINVALID;
    }
    if (max_chars < 0 || msg_text_chars(s, len) > (size_t)max_chars) {
        *why = "is too long";
        return SB_EINVALID;
    }
    return 0;
}
