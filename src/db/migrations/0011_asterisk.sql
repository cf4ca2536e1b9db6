-- 0011_asterisk.sql — each agent's SIP credentials, and views shaped like Asterisk's realtime
-- tables ps_endpoints, ps_auths and ps_aors (docs/asterisk.md).

-- The SIP secret is never stored in clear: sealed (core/seal.h) for the agent's own softphone,
-- and as Asterisk's md5_cred, the hex MD5 of "username:realm:secret", with the realm it was
-- computed for (a change of asterisk.realm recomputes it at the next start).
ALTER TABLE agents ADD COLUMN sip_secret TEXT;
ALTER TABLE agents ADD COLUMN md5_cred TEXT;
ALTER TABLE agents ADD COLUMN sip_realm TEXT;
ALTER TABLE agents ADD COLUMN sip_secret_changed_at BIGINT;

-- One row per agent Asterisk may see: live (not deleted), not disabled, with credentials. The
-- settings are read once here; the ps_* views only shape them. The mapping is the one of
-- staff/pjsip.c (the pjsip.conf renderer) and the table of docs/asterisk.md: keep them equal.
-- Lists are stored as compact JSON arrays of validated names (["opus","ulaw"]), so removing
-- the brackets and quotes gives Asterisk's comma list in the stored order of preference.
CREATE VIEW asterisk_agents AS
SELECT s.username AS username,
       s.full_name AS full_name,
       s.internal AS internal,
       g.typology AS typology,
       g.md5_cred AS md5_cred,
       g.sip_realm AS sip_realm,
       g.settings{{JSON}} -> 'transport' ->> 0 AS transport,
       replace(replace(replace(replace(CAST(g.settings{{JSON}} -> 'codecs' AS TEXT), '[', ''),
                               ']', ''), '"', ''), ' ', '') AS codecs,
       g.settings{{JSON}} ->> 'context' AS context,
       g.settings{{JSON}} ->> 'caller_id' AS caller_id,
       g.settings{{JSON}} ->> 'call_group' AS call_group,
       g.settings{{JSON}} ->> 'pickup_group' AS pickup_group,
       g.settings{{JSON}} ->> 'nat' AS nat,
       g.settings{{JSON}} ->> 'host' AS host,
       g.settings{{JSON}} ->> 'record_calls' AS record_calls,
       CAST(g.settings{{JSON}} -> 'encryption' AS TEXT) = 'true' AS encryption,
       CAST(g.settings{{JSON}} -> 'video_support' AS TEXT) = 'true' AS video_support,
       CAST(g.settings{{JSON}} -> 'voicemail' AS TEXT) = 'true' AS voicemail,
       CASE g.typology
           WHEN 'phonebar' THEN CAST(g.settings{{JSON}} ->> 'phonebar_sip_expires' AS INTEGER)
           WHEN 'webrtc' THEN CAST(g.settings{{JSON}} ->> 'webrtc_sip_expires' AS INTEGER)
       END AS expires,
       g.typology = 'webrtc' OR g.settings{{JSON}} -> 'transport' ->> 0 IN ('ws', 'wss') AS webrtc
FROM staff s
JOIN agents g ON g.staff_id = s.id
WHERE s.role = 'agent' AND s.deleted_at IS NULL AND s.disabled = 0 AND g.md5_cred IS NOT NULL
  AND g.sip_realm IS NOT NULL;

CREATE VIEW ps_endpoints AS
SELECT username AS id,
       'transport-' || transport AS transport,
       username AS aors,
       username || '-auth' AS auth,
       context AS context,
       'all' AS disallow,
       codecs || CASE WHEN video_support THEN ',vp8,h264' ELSE '' END AS allow,
       CASE WHEN nat IN ('yes', 'force_rport') THEN 'yes' ELSE 'no' END AS force_rport,
       CASE WHEN nat IN ('yes', 'force_rport', 'route') THEN 'yes' ELSE 'no' END AS rewrite_contact,
       CASE WHEN nat IN ('yes', 'comedia', 'route') THEN 'yes' ELSE 'no' END AS rtp_symmetric,
       CASE WHEN nat IN ('no', 'never') THEN 'yes' ELSE 'no' END AS direct_media,
       CASE WHEN webrtc THEN 'dtls' WHEN encryption THEN 'sdes' ELSE 'no' END AS media_encryption,
       CASE WHEN webrtc THEN 'yes' ELSE 'no' END AS webrtc,
       -- Free text may not break a pjsip.conf line: the renderer's substitutions, here too.
       CASE WHEN caller_id IS NOT NULL
            THEN replace(replace(replace(caller_id, '[', '('), ']', ')'), ';', ',')
            ELSE '"' || replace(replace(replace(replace(full_name, '"', ''''), '[', '('), ']', ')'),
                                ';', ',') || '"'
                 || CASE WHEN internal IS NOT NULL THEN ' <' || CAST(internal AS TEXT) || '>'
                         ELSE '' END
       END AS callerid,
       call_group AS call_group,
       pickup_group AS pickup_group,
       CASE WHEN voicemail AND internal IS NOT NULL THEN CAST(internal AS TEXT) || '@default' END
           AS mailboxes,
       CASE WHEN record_calls IS NOT NULL AND record_calls <> 'inactive'
            THEN 'SB_RECORD_FORMAT=' || record_calls END AS set_var
FROM asterisk_agents;

CREATE VIEW ps_auths AS
SELECT username || '-auth' AS id,
       'md5' AS auth_type,
       username AS username,
       sip_realm AS realm,
       md5_cred AS md5_cred
FROM asterisk_agents;

CREATE VIEW ps_aors AS
SELECT username AS id,
       1 AS max_contacts,
       'yes' AS remove_existing,
       expires AS default_expiration,
       expires AS maximum_expiration,
       CASE WHEN host IS NOT NULL AND host <> 'dynamic'
            THEN 'sip:' || username || '@'
                 || CASE WHEN host LIKE '%:%' THEN '[' || host || ']' ELSE host END
       END AS contact
FROM asterisk_agents;
