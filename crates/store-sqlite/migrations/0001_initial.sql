-- The first schema of hindsight on SQLite.
-- Instants are INTEGER microseconds since the Unix epoch (UTC); dates are TEXT 'YYYY-MM-DD'.

CREATE TABLE incidents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,   -- the number of the key INC-<id>
    title       TEXT    NOT NULL,
    severity    INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 5),
    timezone    TEXT    NOT NULL,
    private     INTEGER NOT NULL DEFAULT 0 CHECK (private IN (0, 1)),
    created_at  INTEGER NOT NULL
);

CREATE TABLE incident_services (
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    service     TEXT    NOT NULL,
    PRIMARY KEY (incident_id, position)
);
CREATE INDEX incident_services_by_service ON incident_services (service);

CREATE TABLE responders (
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    role        TEXT    NOT NULL,
    position    INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    job_title   TEXT,
    PRIMARY KEY (incident_id, role, position)
);

CREATE TABLE timeline_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    author      TEXT,
    source      TEXT    NOT NULL,
    severity    INTEGER CHECK (severity BETWEEN 1 AND 5),
    evidence    TEXT    NOT NULL DEFAULT '[]',       -- JSON array of URLs
    key_point   INTEGER NOT NULL DEFAULT 0 CHECK (key_point IN (0, 1)),
    recorded_at INTEGER NOT NULL
);
CREATE INDEX timeline_events_by_incident ON timeline_events (incident_id, at, id);

-- The document is the source of truth; owner, status and template are copies for filtering,
-- written from the same value in the same statement.
CREATE TABLE postmortems (
    incident_id INTEGER PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    owner       TEXT,
    status      TEXT    NOT NULL,
    template    TEXT    NOT NULL,
    document    TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE action_items (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    title       TEXT    NOT NULL,
    description TEXT    NOT NULL,
    owner       TEXT,
    due         TEXT,
    priority    TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    impact      TEXT    NOT NULL,
    effort      TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    ticket      TEXT,
    created_at  INTEGER NOT NULL
);
CREATE INDEX action_items_by_incident ON action_items (incident_id, id);
