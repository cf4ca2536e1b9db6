#include "auth/scope.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "http/request.h"

struct scope_entry {
    char type[32];
    auth_scope_fn fn;
    void *user;
};

static struct scope_entry entries[AUTH_SCOPE_TYPES_MAX];
static int nentries;

int auth_scope_register(const char *type, auth_scope_fn fn, void *user)
{
    if (!type || !*type || strlen(type) >= sizeof(entries[0].type) || !fn)
        return SB_EINVAL;
    for (int i = 0; i < nentries; i++)
        if (!strcmp(entries[i].type, type)) {
            entries[i].fn = fn;
            entries[i].user = user;
            return 0;
        }
    if (nentries == AUTH_SCOPE_TYPES_MAX)
        return SB_EFULL;
    snprintf(entries[nentries].type, sizeof(entries[nentries].type), "%s", type);
    entries[nentries].fn = fn;
    entries[nentries].user = user;
    nentries++;
    return 0;
}

void auth_scope_reset(void)
{
    memset(entries, 0, sizeof(entries));
    nentries = 0;
}

bool auth_scope_allows(const struct auth_principal *who, const char *type, int64_t id)
{
    if (who->role == AUTH_ROLE_ADMIN)
        return true;
    for (int i = 0; i < nentries; i++)
        if (!strcmp(entries[i].type, type))
            return entries[i].fn(who, id, entries[i].user);
    return false;
}

int auth_require_scope(struct http_req *req, const struct auth_principal *who, const char *type,
                       int64_t id)
{
    if (auth_scope_allows(who, type, id))
        return 0;
    http_reply_problem(req, 404, "no such resource");
    return SB_ENOTFOUND;
}
