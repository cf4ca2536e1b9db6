/* messenger_groups.h — shared by the group handlers (api/messenger_groups.c and
 * api/messenger_group_messages.c). HTTP threads. */
#ifndef SB_API_MESSENGER_GROUPS_H
#define SB_API_MESSENGER_GROUPS_H

#include <stdbool.h>

#include "api/messenger_common.h"
#include "messenger/groups.h"

/* The start of every /messenger/groups/{id} handler: the caller may use the messenger and
 * may see group {id} (a member, its creator or an administrator). Fills *g and *member, or
 * queues 401/403/404/503 and returns false. */
bool messenger_group_route(struct http_req *req, struct msg_caller *c, struct mgroup *g,
                           bool *member);

#endif
