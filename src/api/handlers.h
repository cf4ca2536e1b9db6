/* handlers.h — every API handler, one file per resource under src/api/. Each parses the
 * request, checks who is asking, calls the domain, and serializes (DESIGN "HTTP API"). All run
 * on HTTP threads and return the MHD_Result of their reply. */
#ifndef SB_API_HANDLERS_H
#define SB_API_HANDLERS_H

#include "http/request.h"

/* GET /api/v1/health — public: database reachable, version, uptime. 503 when the database
 * is not. */
int api_health_get(struct http_req *req);

/* GET /api/v1/openapi.json — the embedded OpenAPI 3.1 document. */
int api_openapi_get(struct http_req *req);

/* GET /metrics — Prometheus text; loopback peers only. */
int api_metrics_get(struct http_req *req);

/* GET /api/v1/ws — WebSocket handshake. */
int api_ws_get(struct http_req *req);

/* GET/PATCH /api/v1/settings — the typed settings store (admin only). */
int api_settings_list(struct http_req *req);
int api_settings_patch(struct http_req *req);

/* GET/PUT /api/v1/settings/security — the security block as one object (admin only). */
int api_settings_security_get(struct http_req *req);
int api_settings_security_put(struct http_req *req);

/* The auth resource (api/auth.c): login and password change run on job workers. */
int api_auth_login(struct http_req *req);
int api_auth_options(struct http_req *req);
int api_auth_login_mfa(struct http_req *req);

/* MFA enrolment and removal (api/mfa.c). */
int api_mfa_enroll(struct http_req *req);
int api_mfa_activate(struct http_req *req);
int api_mfa_email_enroll(struct http_req *req);
int api_mfa_email_activate(struct http_req *req);
int api_mfa_disable_own(struct http_req *req);
int api_staff_mfa_delete(struct http_req *req);
int api_auth_logout(struct http_req *req);
int api_auth_me(struct http_req *req);
int api_auth_password(struct http_req *req);
int api_auth_sessions_list(struct http_req *req);
int api_auth_sessions_delete(struct http_req *req);

/* Forgot password (api/password_reset.c): public, answer-before-lookup. */
int api_password_reset_request(struct http_req *req);
int api_password_reset_complete(struct http_req *req);

/* The caller's API keys (api/apikeys.c). */
int api_apikeys_create(struct http_req *req);
int api_apikeys_list(struct http_req *req);
int api_apikeys_delete(struct http_req *req);

/* Admin actions on an account's security state (api/staff_security.c). */
int api_staff_unlock(struct http_req *req);
int api_staff_sessions_delete(struct http_req *req);

/* GET /api/v1/audit (api/audit.c). */
int api_audit_list(struct http_req *req);
int api_audit_export(struct http_req *req);

/* Agents (api/agents.c): admins, and supervisors within their profile (auth/permissions.h). */
int api_agents_create(struct http_req *req);
int api_agents_get(struct http_req *req);
int api_agents_patch(struct http_req *req);
int api_agents_delete(struct http_req *req);
int api_agents_list(struct http_req *req);
int api_agents_export(struct http_req *req);
/* POST /api/v1/agents/{id}/password — an administrator sets an agent's password. */
int api_agents_password(struct http_req *req);
/* GET /api/v1/agents/schema — every agent setting described (api/agent_schema.c): whoever may
 * read agents. */
int api_agents_schema(struct http_req *req);

/* Asterisk provisioning (api/provisioning.c, docs/asterisk.md).
 * GET /api/v1/provisioning/asterisk/pjsip.conf — admin: every active agent as PJSIP endpoint,
 * auth (md5_cred, never the secret) and aor sections, text/plain attachment; audited.
 * POST /api/v1/agents/{id}/sip-secret — admin: a new SIP secret for the agent, returned once
 * ({username, secret, realm}); audited. 404 for no such agent.
 * GET /api/v1/auth/me/sip — the agent itself: {username, secret, realm, typology, transports}
 * for its softphone; audited. 404 for callers that are not agents. */
int api_provisioning_pjsip_get(struct http_req *req);
int api_agents_sip_secret_rotate(struct http_req *req);
int api_auth_me_sip(struct http_req *req);

/* An agent's picture (api/avatars.c): PUT (raw image/png or image/jpeg body, ROUTE_UPLOAD,
 * decoded on a job worker) and DELETE need agents-edit permission and the agent in scope; GET
 * is for any signed-in staff member. */
int api_avatar_put(struct http_req *req);
int api_avatar_get(struct http_req *req);
int api_avatar_delete(struct http_req *req);

/* Users: administrators and supervisors (api/users.c), admin only. */
int api_users_list(struct http_req *req);
int api_users_create(struct http_req *req);
int api_users_get(struct http_req *req);
int api_users_patch(struct http_req *req);
int api_users_delete(struct http_req *req);
int api_users_password(struct http_req *req);

/* User profiles (api/profiles.c), admin only. */
int api_profiles_list(struct http_req *req);
int api_profiles_create(struct http_req *req);
int api_profiles_get(struct http_req *req);
int api_profiles_patch(struct http_req *req);
int api_profiles_delete(struct http_req *req);

/* Queues and their agents (api/queues.c): admins, and supervisors within their profile. */
int api_queues_list(struct http_req *req);
int api_queues_create(struct http_req *req);
int api_queues_get(struct http_req *req);
int api_queues_patch(struct http_req *req);
int api_queues_delete(struct http_req *req);
int api_queue_agents_list(struct http_req *req);
int api_queue_agents_add(struct http_req *req);
int api_queue_agents_remove(struct http_req *req);

/* POST /api/v1/client-logs — an agent's web client sends log entries (api/client_logs.c):
 * agents whose client logs are on only; 202 {written, ignored}; 422 naming entries[i].field;
 * 503 when they could not be written. */
int api_client_logs_post(struct http_req *req);

/* POST /api/v1/agents/delete — bulk delete, all or nothing (api/agents_bulk.c). */
int api_agents_delete_many(struct http_req *req);

/* An agent's queues (any channel, direct or through a team) and teams
 * (api/agent_memberships.c); section "agents". */
int api_agent_queues_list(struct http_req *req);
int api_agent_queues_add(struct http_req *req);
int api_agent_queues_remove(struct http_req *req);
int api_agent_teams_list(struct http_req *req);
int api_agent_teams_add(struct http_req *req);
int api_agent_teams_remove(struct http_req *req);

/* Teams and their agents (api/teams.c); section "teams". */
int api_teams_list(struct http_req *req);
int api_teams_create(struct http_req *req);
int api_teams_get(struct http_req *req);
int api_teams_patch(struct http_req *req);
int api_teams_delete(struct http_req *req);
int api_team_agents_list(struct http_req *req);
int api_team_agents_add(struct http_req *req);
int api_team_agents_remove(struct http_req *req);

/* The teams associated with a queue (api/queue_teams.c); section "teams". */
int api_queue_teams_list(struct http_req *req);
int api_queue_teams_add(struct http_req *req);
int api_queue_teams_remove(struct http_req *req);

/* The internal messenger (api/messenger_*.c, docs/messenger.md): any staff member who may use
 * it; groups are created by administrators and supervisors. */
int api_messenger_me(struct http_req *req);
int api_messenger_recipients(struct http_req *req);
int api_messenger_unread(struct http_req *req);
int api_messenger_member_search(struct http_req *req);
int api_messenger_direct_list(struct http_req *req);
int api_messenger_direct_send(struct http_req *req);
int api_messenger_direct_read(struct http_req *req);
int api_messenger_groups_list(struct http_req *req);
int api_messenger_groups_create(struct http_req *req);
int api_messenger_groups_get(struct http_req *req);
int api_messenger_groups_patch(struct http_req *req);
int api_messenger_groups_delete(struct http_req *req);
int api_messenger_group_messages_list(struct http_req *req);
int api_messenger_group_messages_send(struct http_req *req);
int api_messenger_group_read(struct http_req *req);

/* Reports of the digital channels (api/reports.c, docs/reports.md); section "reports", read.
 * Lists answer {items,total} (422 naming each bad filter); exports answer text/csv with
 * X-Total-Count, or 422 on field "limit" when the filters match more rows than
 * reports.export_max_rows. Queue routes answer 404 for a channel that is not chat, email, sms,
 * openchannel, fax or whatsapp. */
int api_reports_queue_list(struct http_req *req);
int api_reports_queue_export(struct http_req *req);
int api_reports_queue_summary(struct http_req *req);
int api_reports_queue_summary_export(struct http_req *req);
int api_reports_sessions_list(struct http_req *req);
int api_reports_sessions_export(struct http_req *req);
int api_reports_pauses_list(struct http_req *req);
int api_reports_pauses_export(struct http_req *req);
/* Time intervals (api/intervals.c): administrators edit, supervisors read; 409 when deleting
 * an interval a flow uses. GET /api/v1/intervals/{id}/match?at= says whether the interval
 * contains an instant (default now) in the server's time zone. */
int api_intervals_list(struct http_req *req);
int api_intervals_create(struct http_req *req);
int api_intervals_get(struct http_req *req);
int api_intervals_patch(struct http_req *req);
int api_intervals_delete(struct http_req *req);
int api_intervals_match(struct http_req *req);

/* The action flow of an account (api/flows.c): administrators only; PUT replaces the list
 * atomically. */
int api_flows_get(struct http_req *req);
int api_flows_put(struct http_req *req);

/* Test hooks (server.test_hooks only): fault injection, broadcast, slow request, probe
 * writes. */
int api_test_fault_put(struct http_req *req);
int api_test_fault_delete(struct http_req *req);
int api_test_broadcast(struct http_req *req);
int api_test_slow(struct http_req *req);
int api_test_probe_post(struct http_req *req);
int api_test_probe_count(struct http_req *req);
int api_test_clock_advance(struct http_req *req);
int api_test_echo(struct http_req *req);
/* POST /api/v1/_test/reports/event (api/test_reports.c) — writes one report event through
 * the code the router uses: an inbound interaction, a queue join/leave, an agent's
 * login/logout, pause/unpause. */
int api_test_report_event(struct http_req *req);

/* Open Channel accounts (api/openchannel_accounts.c) and inbound (api/openchannel_notify.c). */
int api_oc_accounts_list(struct http_req *req);
int api_oc_accounts_create(struct http_req *req);
int api_oc_accounts_get(struct http_req *req);
int api_oc_accounts_patch(struct http_req *req);
int api_oc_accounts_delete(struct http_req *req);
int api_oc_accounts_token(struct http_req *req);
int api_oc_accounts_agents_put(struct http_req *req);
int api_oc_notify(struct http_req *req);

/* SMS providers' webhooks (api/sms_webhooks.c). */
int api_sms_receive(struct http_req *req);
int api_sms_status(struct http_req *req);

/* SMS accounts (api/sms_accounts.c): admins only; credentials masked, proxy token and receive
 * URLs shown. */
int api_sms_accounts_list(struct http_req *req);
int api_sms_accounts_create(struct http_req *req);
int api_sms_accounts_get(struct http_req *req);
int api_sms_accounts_patch(struct http_req *req);
int api_sms_accounts_delete(struct http_req *req);
int api_sms_accounts_token(struct http_req *req);
int api_sms_accounts_agents_put(struct http_req *req);

/* Dispositions (api/dispositions.c): admins edit; supervisors (section "dispositions") and
 * agents read what applies to them. */
int api_dispositions_list(struct http_req *req);
int api_dispositions_create(struct http_req *req);
int api_dispositions_get(struct http_req *req);
int api_dispositions_patch(struct http_req *req);
int api_dispositions_delete(struct http_req *req);

/* Canned answers (api/canned_answers.c): admins edit; supervisors (section "canned_answers")
 * and agents read; agents render one for an interaction they hold. */
int api_canned_list(struct http_req *req);
int api_canned_create(struct http_req *req);
int api_canned_get(struct http_req *req);
int api_canned_patch(struct http_req *req);
int api_canned_delete(struct http_req *req);
int api_canned_render(struct http_req *req);

/* The agent desk (api/agent_desk.c, api/interactions.c). */
int api_agent_state_get(struct http_req *req);
int api_agent_login(struct http_req *req);
int api_agent_logout(struct http_req *req);
int api_agent_pause(struct http_req *req);
int api_agent_unpause(struct http_req *req);
int api_agent_interactions(struct http_req *req);
int api_agent_offers(struct http_req *req);
int api_agent_accounts(struct http_req *req);
int api_interactions_get(struct http_req *req);
/* interactions_search.c: the list with filters and the advanced search, the streamed CSV
 * export, bulk and single delete, the search's fields (docs/interactions-search.md). */
int api_interactions_list(struct http_req *req);
int api_interactions_search_fields(struct http_req *req);
int api_interactions_export(struct http_req *req);
int api_interactions_delete_many(struct http_req *req);
int api_interactions_delete(struct http_req *req);
int api_interactions_messages(struct http_req *req);
int api_interactions_reply(struct http_req *req);
int api_interactions_note(struct http_req *req);
int api_interactions_tags(struct http_req *req);
int api_interactions_accept(struct http_req *req);
int api_interactions_reject(struct http_req *req);
int api_interactions_release(struct http_req *req);
int api_interactions_close(struct http_req *req);
int api_interactions_transfer(struct http_req *req);
int api_interactions_reopen(struct http_req *req);
int api_interactions_read(struct http_req *req);
int api_interactions_dispose(struct http_req *req);
int api_interactions_canned(struct http_req *req);
int api_interactions_transcript(struct http_req *req);
int api_sms_interactions_create(struct http_req *req);
int api_realtime_queues(struct http_req *req);

#endif
