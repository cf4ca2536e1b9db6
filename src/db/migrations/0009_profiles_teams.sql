-- 0009_profiles_teams.sql — supervisors' user profiles, teams, and the effective queue
-- membership that routing and supervisors' scope read.

-- A user profile (product "User Profiles"): the default permission type, per-section overrides
-- (JSON object section -> permission; a section absent from it is not enabled), and whether the
-- supervisor sees contacts' personal data masked.
CREATE TABLE profiles (
    id {{ID_PK}},
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    default_permission TEXT NOT NULL CHECK (default_permission IN ('read', 'read_edit',
                                                                   'read_delete',
                                                                   'read_edit_delete')),
    sections TEXT NOT NULL,
    mask_sensitive INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The resources a profile may touch: queues (any channel), channel accounts, contact lists.
-- Polymorphic, so no foreign key: deleting a resource deletes its rows here.
CREATE TABLE profile_resources (
    profile_id BIGINT NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('queue', 'account', 'list')),
    resource_id BIGINT NOT NULL,
    PRIMARY KEY (profile_id, kind, resource_id)
);
CREATE INDEX profile_resources_resource ON profile_resources(kind, resource_id);

-- A supervisor's (role 'user') profile; NULL for admins and agents.
ALTER TABLE staff ADD COLUMN profile_id BIGINT REFERENCES profiles(id);

-- The product's first install has one profile that allows nothing until sections are enabled.
INSERT INTO profiles (name, description, default_permission, sections, mask_sensitive,
                      created_at, updated_at)
VALUES ('default', 'Allows nothing until sections and queues are enabled', 'read', '{}', 0, 0, 0);

CREATE TABLE teams (
    id {{ID_PK}},
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE team_members (
    team_id BIGINT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    staff_id BIGINT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, staff_id)
);
CREATE INDEX team_members_staff ON team_members(staff_id);

-- A team associated with a queue makes every one of its agents a member of the queue, for as
-- long as both associations last (removing the agent from the team removes it from the queue).
CREATE TABLE queue_teams (
    queue_id BIGINT NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
    team_id BIGINT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (queue_id, team_id)
);
CREATE INDEX queue_teams_team ON queue_teams(team_id);

-- Who is in a queue, directly or through a team: what routing and supervisors' scope read.
CREATE VIEW queue_members_effective AS
SELECT queue_id, staff_id FROM queue_members
UNION
SELECT qt.queue_id, tm.staff_id FROM queue_teams qt JOIN team_members tm ON tm.team_id = qt.team_id;
