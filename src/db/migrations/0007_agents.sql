-- 0007_agents.sql — agents: the internal extension (unique across all staff, who all may have
-- one), alias and description on staff; the agent's typology and its settings (the table of
-- docs/staff-fields.md, validated by staff/agent_fields.c) in `agents`.
ALTER TABLE staff ADD COLUMN internal BIGINT;
ALTER TABLE staff ADD COLUMN alias TEXT;
ALTER TABLE staff ADD COLUMN description TEXT;
CREATE UNIQUE INDEX staff_internal ON staff(internal);

CREATE TABLE agents (
    staff_id BIGINT PRIMARY KEY REFERENCES staff(id) ON DELETE CASCADE,
    typology TEXT NOT NULL CHECK (typology IN ('phonebar', 'external', 'webrtc', 'mobile')),
    settings TEXT NOT NULL
);
