-- A session file as kit schema version 1 wrote it (PRAGMA user_version = 1): the department lived only in
-- the join payload. tests/data/session_v1.sqlite was built from this script with the sqlite3 module;
-- tests/test_session.py migrates a copy of it to the current version.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    participant_id TEXT,
    created TEXT NOT NULL,
    payload TEXT NOT NULL
);
INSERT INTO events (idempotency_key, kind, participant_id, created, payload) VALUES
 ('k1', 'session_code_set', NULL, '2026-03-02T09:00:00.000+00:00', '{"code": "HB7KQ"}'),
 ('k2', 'participant_joined', 'ana_token_0123456789ab', '2026-03-02T09:01:00.000+00:00', '{"department": "Sales", "display_name": "Ana"}'),
 ('k3', 'participant_joined', 'ben_token_0123456789ab', '2026-03-02T09:01:30.000+00:00', '{"department": "Service", "display_name": ""}'),
 ('k4', 'stage_opened', NULL, '2026-03-02T09:05:00.000+00:00', '{"stage": "rating"}'),
 ('k5', 'rating_given', 'ana_token_0123456789ab', '2026-03-02T09:06:00.000+00:00', '{"pillar": "same_day", "deliver_today": 7.0, "customers_would_rate": 5.5}'),
 ('k6', 'rating_given', 'ben_token_0123456789ab', '2026-03-02T09:06:10.000+00:00', '{"pillar": "same_day", "deliver_today": 4.0, "customers_would_rate": 3.0}'),
 ('k7', 'rating_given', 'ana_token_0123456789ab', '2026-03-02T09:07:00.000+00:00', '{"pillar": "same_day", "deliver_today": 6.5, "customers_would_rate": 5.0}'),
 ('k8', 'stage_opened', NULL, '2026-03-02T09:20:00.000+00:00', '{"stage": "ideas"}'),
 ('k9', 'idea_proposed', 'ben_token_0123456789ab', '2026-03-02T09:21:00.000+00:00', '{"text": "Text riders when the bike is ready", "pillar": "same_day", "move": "lift_experience", "lever": "process"}'),
 ('k10', 'stage_opened', NULL, '2026-03-02T09:30:00.000+00:00', '{"stage": "voting"}'),
 ('k11', 'vote_cast', 'ana_token_0123456789ab', '2026-03-02T09:31:00.000+00:00', '{"dots": {"idea-9": 2}}');
PRAGMA user_version = 1;
