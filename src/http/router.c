#include "http/router.h"

#include <string.h>

#include "api/handlers.h"
#include "core/arena.h"

static const struct route routes[] = {
    {"GET", "/api/v1/health", api_health_get, 0},
    {"GET", "/api/v1/openapi.json", api_openapi_get, 0},
    {"GET", "/metrics", api_metrics_get, ROUTE_LOOPBACK},
    {"GET", "/api/v1/ws", api_ws_get, 0},
    {"GET", "/api/v1/settings", api_settings_list, 0},
    {"PATCH", "/api/v1/settings", api_settings_patch, ROUTE_BODY | ROUTE_ROUTING},
    {"GET", "/api/v1/settings/security", api_settings_security_get, 0},
    {"PUT", "/api/v1/settings/security", api_settings_security_put, ROUTE_BODY | ROUTE_ROUTING},
    {"POST", "/api/v1/auth/login", api_auth_login, ROUTE_BODY},
    {"GET", "/api/v1/auth/options", api_auth_options, 0},
    {"POST", "/api/v1/auth/login/mfa", api_auth_login_mfa, ROUTE_BODY},
    {"POST", "/api/v1/auth/logout", api_auth_logout,
     ROUTE_PASSWORD_PENDING_OK | ROUTE_MFA_SETUP_OK},
    {"GET", "/api/v1/auth/me", api_auth_me, ROUTE_PASSWORD_PENDING_OK | ROUTE_MFA_SETUP_OK},
    {"POST", "/api/v1/auth/password", api_auth_password,
     ROUTE_BODY | ROUTE_PASSWORD_PENDING_OK | ROUTE_MFA_SETUP_OK},
    {"POST", "/api/v1/auth/mfa/totp", api_mfa_enroll, ROUTE_MFA_SETUP_OK},
    {"POST", "/api/v1/auth/mfa/totp/activate", api_mfa_activate, ROUTE_BODY | ROUTE_MFA_SETUP_OK},
    {"POST", "/api/v1/auth/mfa/email", api_mfa_email_enroll, ROUTE_MFA_SETUP_OK},
    {"POST", "/api/v1/auth/mfa/email/activate", api_mfa_email_activate,
     ROUTE_BODY | ROUTE_MFA_SETUP_OK},
    {"DELETE", "/api/v1/auth/mfa", api_mfa_disable_own, ROUTE_BODY},
    {"DELETE", "/api/v1/staff/{id}/mfa", api_staff_mfa_delete, 0},
    {"GET", "/api/v1/auth/sessions", api_auth_sessions_list, 0},
    {"DELETE", "/api/v1/auth/sessions/{id}", api_auth_sessions_delete, 0},
    {"POST", "/api/v1/auth/password-reset", api_password_reset_request, ROUTE_BODY},
    {"POST", "/api/v1/auth/password-reset/complete", api_password_reset_complete, ROUTE_BODY},
    {"POST", "/api/v1/auth/api-keys", api_apikeys_create, ROUTE_BODY},
    {"GET", "/api/v1/auth/api-keys", api_apikeys_list, 0},
    {"DELETE", "/api/v1/auth/api-keys/{id}", api_apikeys_delete, 0},
    {"GET", "/api/v1/agents", api_agents_list, 0},
    {"POST", "/api/v1/agents", api_agents_create, ROUTE_BODY | ROUTE_ROUTING},
    {"GET", "/api/v1/agents/export.csv", api_agents_export, 0},
    {"POST", "/api/v1/agents/delete", api_agents_delete_many, ROUTE_BODY | ROUTE_ROUTING},
    {"GET", "/api/v1/agents/schema", api_agents_schema, 0},
    {"GET", "/api/v1/agents/{id}", api_agents_get, 0},
    {"PATCH", "/api/v1/agents/{id}", api_agents_patch, ROUTE_BODY | ROUTE_ROUTING},
    {"DELETE", "/api/v1/agents/{id}", api_agents_delete, ROUTE_ROUTING},
    {"POST", "/api/v1/agents/{id}/password", api_agents_password, ROUTE_BODY},
    {"GET", "/api/v1/users", api_users_list, 0},
    {"POST", "/api/v1/users", api_users_create, ROUTE_BODY},
    {"GET", "/api/v1/users/{id}", api_users_get, 0},
    {"PATCH", "/api/v1/users/{id}", api_users_patch, ROUTE_BODY},
    {"DELETE", "/api/v1/users/{id}", api_users_delete, 0},
    {"POST", "/api/v1/users/{id}/password", api_users_password, ROUTE_BODY},
    {"GET", "/api/v1/profiles", api_profiles_list, 0},
    {"POST", "/api/v1/profiles", api_profiles_create, ROUTE_BODY | ROUTE_ROUTING},
    {"GET", "/api/v1/profiles/{id}", api_profiles_get, 0},
    {"PATCH", "/api/v1/profiles/{id}", api_profiles_patch, ROUTE_BODY | ROUTE_ROUTING},
    {"DELETE", "/api/v1/profiles/{id}", api_profiles_delete, ROUTE_ROUTING},
    {"PUT", "/api/v1/agents/{id}/avatar", api_avatar_put, ROUTE_BODY | ROUTE_UPLOAD},
    {"GET", "/api/v1/agents/{id}/avatar", api_avatar_get, 0},
    {"DELETE", "/api/v1/agents/{id}/avatar", api_avatar_delete, 0},
    {"POST", "/api/v1/agents/{id}/sip-secret", api_agents_sip_secret_rotate, 0},
    {"GET", "/api/v1/auth/me/sip", api_auth_me_sip, 0},
    {"GET", "/api/v1/provisioning/asterisk/pjsip.conf", api_provisioning_pjsip_get, 0},
    {"GET", "/api/v1/agents/{id}/queues", api_agent_queues_list, 0},
    {"POST", "/api/v1/agents/{id}/queues", api_agent_queues_add, ROUTE_BODY | ROUTE_ROUTING},
    {"DELETE", "/api/v1/agents/{id}/queues/{queue_id}", api_agent_queues_remove, ROUTE_ROUTING},
    {"GET", "/api/v1/agents/{id}/teams", api_agent_teams_list, 0},
    {"POST", "/api/v1/agents/{id}/teams", api_agent_teams_add, ROUTE_BODY | ROUTE_ROUTING},
    {"DELETE", "/api/v1/agents/{id}/teams/{team_id}", api_agent_teams_remove, ROUTE_ROUTING},
    {"GET", "/api/v1/openchannel/accounts", api_oc_accounts_list, 0},
    {"POST", "/api/v1/openchannel/accounts", api_oc_accounts_create, ROUTE_BODY},
    {"GET", "/api/v1/openchannel/accounts/{id}", api_oc_accounts_get, 0},
    {"PATCH", "/api/v1/openchannel/accounts/{id}", api_oc_accounts_patch, ROUTE_BODY},
    {"DELETE", "/api/v1/openchannel/accounts/{id}", api_oc_accounts_delete, ROUTE_ROUTING},
    {"POST", "/api/v1/openchannel/accounts/{id}/token", api_oc_accounts_token, 0},
    {"PUT", "/api/v1/openchannel/accounts/{id}/agents", api_oc_accounts_agents_put,
     ROUTE_BODY | ROUTE_ROUTING},
    {"POST", "/api/openchannel/accounts/{id}/notify", api_oc_notify, ROUTE_BODY},
    {"POST", "/api/sms/accounts/{id}/receive", api_sms_receive, ROUTE_BODY},
    {"GET", "/api/sms/accounts/{id}/receive", api_sms_receive, 0},
    {"POST", "/api/sms/accounts/{id}/status", api_sms_status, ROUTE_BODY},
    {"GET", "/api/sms/accounts/{id}/status", api_sms_status, 0},
    {"GET", "/api/v1/sms/accounts", api_sms_accounts_list, 0},
    {"POST", "/api/v1/sms/accounts", api_sms_accounts_create, ROUTE_BODY},
    {"GET", "/api/v1/sms/accounts/{id}", api_sms_accounts_get, 0},
    {"PATCH", "/api/v1/sms/accounts/{id}", api_sms_accounts_patch, ROUTE_BODY},
    {"DELETE", "/api/v1/sms/accounts/{id}", api_sms_accounts_delete, ROUTE_ROUTING},
    {"POST", "/api/v1/sms/accounts/{id}/token", api_sms_accounts_token, 0},
    {"PUT", "/api/v1/sms/accounts/{id}/agents", api_sms_accounts_agents_put,
     ROUTE_BODY | ROUTE_ROUTING},
    {"GET", "/api/v1/dispositions", api_dispositions_list, 0},
    {"POST", "/api/v1/dispositions", api_dispositions_create, ROUTE_BODY},
    {"GET", "/api/v1/dispositions/{id}", api_dispositions_get, 0},
    {"PATCH", "/api/v1/dispositions/{id}", api_dispositions_patch, ROUTE_BODY},
    {"DELETE", "/api/v1/dispositions/{id}", api_dispositions_delete, 0},
    {"GET", "/api/v1/canned-answers", api_canned_list, 0},
    {"POST", "/api/v1/canned-answers", api_canned_create, ROUTE_BODY},
    {"GET", "/api/v1/canned-answers/{id}", api_canned_get, 0},
    {"PATCH", "/api/v1/canned-answers/{id}", api_canned_patch, ROUTE_BODY},
    {"DELETE", "/api/v1/canned-answers/{id}", api_canned_delete, 0},
    {"POST", "/api/v1/canned-answers/{id}/render", api_canned_render, ROUTE_BODY},
    {"GET", "/api/v1/agent/state", api_agent_state_get, 0},
    {"POST", "/api/v1/agent/login", api_agent_login, ROUTE_BODY},
    {"POST", "/api/v1/agent/logout", api_agent_logout, ROUTE_BODY},
    {"POST", "/api/v1/agent/pause", api_agent_pause, ROUTE_BODY},
    {"POST", "/api/v1/agent/unpause", api_agent_unpause, 0},
    {"GET", "/api/v1/agent/interactions", api_agent_interactions, 0},
    {"GET", "/api/v1/agent/offers", api_agent_offers, 0},
    {"GET", "/api/v1/agent/accounts", api_agent_accounts, 0},
    {"GET", "/api/v1/interactions", api_interactions_list, 0},
    {"GET", "/api/v1/interactions/search-fields", api_interactions_search_fields, 0},
    {"GET", "/api/v1/interactions/export.csv", api_interactions_export, 0},
    {"POST", "/api/v1/interactions/delete", api_interactions_delete_many, ROUTE_BODY},
    {"GET", "/api/v1/interactions/{id}", api_interactions_get, 0},
    {"DELETE", "/api/v1/interactions/{id}", api_interactions_delete, 0},
    {"GET", "/api/v1/interactions/{id}/messages", api_interactions_messages, 0},
    {"POST", "/api/v1/interactions/{id}/messages", api_interactions_reply, ROUTE_BODY},
    {"POST", "/api/v1/interactions/{id}/notes", api_interactions_note, ROUTE_BODY},
    {"PUT", "/api/v1/interactions/{id}/tags", api_interactions_tags, ROUTE_BODY},
    {"POST", "/api/v1/interactions/{id}/accept", api_interactions_accept, 0},
    {"POST", "/api/v1/interactions/{id}/reject", api_interactions_reject, 0},
    {"POST", "/api/v1/interactions/{id}/release", api_interactions_release, 0},
    {"POST", "/api/v1/interactions/{id}/close", api_interactions_close, ROUTE_BODY},
    {"POST", "/api/v1/interactions/{id}/transfer", api_interactions_transfer, ROUTE_BODY},
    {"POST", "/api/v1/interactions/{id}/reopen", api_interactions_reopen, 0},
    {"POST", "/api/v1/interactions/{id}/read", api_interactions_read, 0},
    {"POST", "/api/v1/interactions/{id}/dispose", api_interactions_dispose, 0},
    {"GET", "/api/v1/interactions/{id}/canned-answers", api_interactions_canned, 0},
    {"GET", "/api/v1/interactions/{id}/transcript.zip", api_interactions_transcript, 0},
    {"POST", "/api/v1/sms/accounts/{id}/interactions", api_sms_interactions_create, ROUTE_BODY},
    {"GET", "/api/v1/realtime/queues", api_realtime_queues, 0},
    {"GET", "/api/v1/queues", api_queues_list, 0},
    {"POST", "/api/v1/queues", api_queues_create, ROUTE_BODY | ROUTE_ROUTING},
    {"GET", "/api/v1/queues/{id}", api_queues_get, 0},
    {"PATCH", "/api/v1/queues/{id}", api_queues_patch, ROUTE_BODY | ROUTE_ROUTING},
    {"DELETE", "/api/v1/queues/{id}", api_queues_delete, ROUTE_ROUTING},
    {"GET", "/api/v1/queues/{id}/agents", api_queue_agents_list, 0},
    {"POST", "/api/v1/queues/{id}/agents", api_queue_agents_add, ROUTE_BODY | ROUTE_ROUTING},
    {"DELETE", "/api/v1/queues/{id}/agents/{agent_id}", api_queue_agents_remove, ROUTE_ROUTING},
    {"POST", "/api/v1/client-logs", api_client_logs_post, ROUTE_BODY},
    {"GET", "/api/v1/queues/{id}/teams", api_queue_teams_list, 0},
    {"POST", "/api/v1/queues/{id}/teams", api_queue_teams_add, ROUTE_BODY | ROUTE_ROUTING},
    {"DELETE", "/api/v1/queues/{id}/teams/{team_id}", api_queue_teams_remove, ROUTE_ROUTING},
    {"GET", "/api/v1/teams", api_teams_list, 0},
    {"POST", "/api/v1/teams", api_teams_create, ROUTE_BODY | ROUTE_ROUTING},
    {"GET", "/api/v1/teams/{id}", api_teams_get, 0},
    {"PATCH", "/api/v1/teams/{id}", api_teams_patch, ROUTE_BODY | ROUTE_ROUTING},
    {"DELETE", "/api/v1/teams/{id}", api_teams_delete, ROUTE_ROUTING},
    {"GET", "/api/v1/teams/{id}/agents", api_team_agents_list, 0},
    {"POST", "/api/v1/teams/{id}/agents", api_team_agents_add, ROUTE_BODY | ROUTE_ROUTING},
    {"DELETE", "/api/v1/teams/{id}/agents/{agent_id}", api_team_agents_remove, ROUTE_ROUTING},
    {"GET", "/api/v1/intervals", api_intervals_list, 0},
    {"POST", "/api/v1/intervals", api_intervals_create, ROUTE_BODY},
    {"GET", "/api/v1/intervals/{id}", api_intervals_get, 0},
    {"PATCH", "/api/v1/intervals/{id}", api_intervals_patch, ROUTE_BODY},
    {"DELETE", "/api/v1/intervals/{id}", api_intervals_delete, 0},
    {"GET", "/api/v1/intervals/{id}/match", api_intervals_match, 0},
    {"GET", "/api/v1/flows/{channel}/{account_id}/actions", api_flows_get, 0},
    {"PUT", "/api/v1/flows/{channel}/{account_id}/actions", api_flows_put, ROUTE_BODY},
    {"POST", "/api/v1/staff/{id}/unlock", api_staff_unlock, 0},
    {"DELETE", "/api/v1/staff/{id}/sessions", api_staff_sessions_delete, 0},
    {"GET", "/api/v1/audit", api_audit_list, 0},
    {"GET", "/api/v1/audit/export.csv", api_audit_export, 0},
    {"GET", "/api/v1/messenger/me", api_messenger_me, 0},
    {"GET", "/api/v1/messenger/recipients", api_messenger_recipients, 0},
    {"GET", "/api/v1/messenger/unread", api_messenger_unread, 0},
    {"GET", "/api/v1/messenger/member-search", api_messenger_member_search, 0},
    {"GET", "/api/v1/messenger/direct/{peer_id}/messages", api_messenger_direct_list, 0},
    {"POST", "/api/v1/messenger/direct/{peer_id}/messages", api_messenger_direct_send, ROUTE_BODY},
    {"POST", "/api/v1/messenger/direct/{peer_id}/read", api_messenger_direct_read, ROUTE_BODY},
    {"GET", "/api/v1/messenger/groups", api_messenger_groups_list, 0},
    {"POST", "/api/v1/messenger/groups", api_messenger_groups_create, ROUTE_BODY},
    {"GET", "/api/v1/messenger/groups/{id}", api_messenger_groups_get, 0},
    {"PATCH", "/api/v1/messenger/groups/{id}", api_messenger_groups_patch, ROUTE_BODY},
    {"DELETE", "/api/v1/messenger/groups/{id}", api_messenger_groups_delete, 0},
    {"GET", "/api/v1/messenger/groups/{id}/messages", api_messenger_group_messages_list, 0},
    {"POST", "/api/v1/messenger/groups/{id}/messages", api_messenger_group_messages_send,
     ROUTE_BODY},
    {"POST", "/api/v1/messenger/groups/{id}/read", api_messenger_group_read, ROUTE_BODY},
    {"GET", "/api/v1/reports/agent-sessions", api_reports_sessions_list, 0},
    {"GET", "/api/v1/reports/agent-sessions/export.csv", api_reports_sessions_export, 0},
    {"GET", "/api/v1/reports/agent-pauses", api_reports_pauses_list, 0},
    {"GET", "/api/v1/reports/agent-pauses/export.csv", api_reports_pauses_export, 0},
    {"GET", "/api/v1/reports/{channel}/queue", api_reports_queue_list, 0},
    {"GET", "/api/v1/reports/{channel}/queue/export.csv", api_reports_queue_export, 0},
    {"GET", "/api/v1/reports/{channel}/queue/summary", api_reports_queue_summary, 0},
    {"GET", "/api/v1/reports/{channel}/queue/summary/export.csv", api_reports_queue_summary_export,
     0},
    {"POST", "/api/v1/_test/clock", api_test_clock_advance, ROUTE_BODY | ROUTE_TEST_HOOK},
    {"PUT", "/api/v1/_test/fault", api_test_fault_put, ROUTE_BODY | ROUTE_TEST_HOOK},
    {"DELETE", "/api/v1/_test/fault", api_test_fault_delete, ROUTE_TEST_HOOK},
    {"POST", "/api/v1/_test/broadcast", api_test_broadcast, ROUTE_BODY | ROUTE_TEST_HOOK},
    {"GET", "/api/v1/_test/slow", api_test_slow, ROUTE_TEST_HOOK},
    {"POST", "/api/v1/_test/probes", api_test_probe_post, ROUTE_BODY | ROUTE_TEST_HOOK},
    {"GET", "/api/v1/_test/probes/count", api_test_probe_count, ROUTE_TEST_HOOK},
    {"POST", "/api/v1/_test/echo", api_test_echo, ROUTE_BODY | ROUTE_TEST_HOOK},
    {"POST", "/api/v1/_test/reports/event", api_test_report_event, ROUTE_BODY | ROUTE_TEST_HOOK},
};

#define NROUTES ((int)(sizeof(routes) / sizeof(routes[0])))

const struct route *router_routes(int *count)
{
    *count = NROUTES;
    return routes;
}

/* Matches `path` against `pattern`, collecting {params}. Both start with '/'. */
static bool pattern_match(struct http_req *req, const char *pattern, const char *path)
{
    int np = 0;
    const char *pa = pattern, *pt = path;
    while (*pa && *pt) {
        if (*pa != '/' || *pt != '/')
            return false;
        pa++;
        pt++;
        const char *pa_end = strchrnul(pa, '/');
        const char *pt_end = strchrnul(pt, '/');
        if (*pa == '{') {
            if (pt_end == pt || np == HTTP_MAX_PARAMS)
                return false;
            req->param_names[np] = arena_strndup(&req->arena, pa + 1, (size_t)(pa_end - pa - 2));
            req->param_values[np] = arena_strndup(&req->arena, pt, (size_t)(pt_end - pt));
            if (!req->param_names[np] || !req->param_values[np])
                return false;
            np++;
        } else if (pa_end - pa != pt_end - pt || memcmp(pa, pt, (size_t)(pa_end - pa))) {
            return false;
        }
        pa = pa_end;
        pt = pt_end;
    }
    if (*pa || *pt)
        return false;
    req->nparams = np;
    return true;
}

enum route_match router_match(struct http_req *req, const char *method, const char *path,
                              char *allow, size_t allow_len)
{
    bool path_seen = false;
    size_t used = 0;
    if (allow_len)
        allow[0] = 0;
    for (int i = 0; i < NROUTES; i++) {
        if (!pattern_match(req, routes[i].pattern, path))
            continue;
        if (!strcmp(routes[i].method, method)) {
            req->route = &routes[i];
            req->route_index = i;
            return ROUTE_FOUND;
        }
        path_seen = true;
        size_t n = strlen(routes[i].method);
        if (used + n + 3 < allow_len) {
            if (used) {
                memcpy(allow + used, ", ", 2);
                used += 2;
            }
            memcpy(allow + used, routes[i].method, n + 1);
            used += n;
        }
    }
    req->nparams = 0;
    return path_seen ? ROUTE_WRONG_METHOD : ROUTE_NONE;
}
