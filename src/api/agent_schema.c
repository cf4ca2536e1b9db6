/* GET /api/v1/agents/schema — the description of every agent setting (staff/agent_fields.h),
 * so the console renders the agent form from the one table instead of a copy of it. Readable
 * by whoever may read agents: admins, and supervisors whose profile enables the section. */
#include "api/handlers.h"
#include "auth/permissions.h"
#include "core/err.h"
#include "http/respond.h"
#include "staff/agent_fields.h"

int api_agents_schema(struct http_req *req)
{
    struct perm_ctx ctx;
    if (perm_require(req, PERM_SECTION_AGENTS, PERM_READ, &ctx))
        return http_replied(req);
    json_t *out = agent_fields_describe();
    if (!out)
        return http_reply_error(req, SB_ENOMEM);
    return http_reply_json(req, 200, out);
}
