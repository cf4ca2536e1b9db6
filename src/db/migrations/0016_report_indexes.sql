-- 0016_report_indexes.sql — indexes for the report filters (docs/reports.md), and one open
-- session per agent and channel, one open pause per agent.
--
-- report_queue already has (channel, joined_at) for the time range and (interaction_id). The
-- queue and agent filters, and a supervisor's scope (a set of queues), read one channel's rows
-- of some queues or of one agent within a time range:
CREATE INDEX report_queue_queue ON report_queue(channel, queue_id, joined_at);
CREATE INDEX report_queue_agent ON report_queue(channel, agent_id, joined_at);

-- Sessions and pauses have (staff_id, start) for the agent filter and the agent scope; a time
-- range over every agent, and the channel filter of sessions, need their own:
CREATE INDEX report_agent_sessions_login ON report_agent_sessions(login_at);
CREATE INDEX report_agent_sessions_channel ON report_agent_sessions(channel, login_at);
CREATE INDEX report_agent_pauses_paused ON report_agent_pauses(paused_at);

-- An agent is logged in on a channel once and paused once at a time: a second begin is a
-- conflict, even from another node (routing/agent_reports.h).
CREATE UNIQUE INDEX report_agent_sessions_open ON report_agent_sessions(staff_id, channel)
    WHERE logout_at IS NULL;
CREATE UNIQUE INDEX report_agent_pauses_open ON report_agent_pauses(staff_id)
    WHERE unpaused_at IS NULL;
