-- The first schema of hindsight on PostgreSQL: the same tables and columns as on SQLite, in
-- PostgreSQL's own types. Instants are timestamptz (microseconds, the precision the domain keeps);
-- due dates are date; the post-mortem document and an event's evidence are jsonb.
-- Tables are created in the first schema of the connection's search_path.

CREATE TABLE incidents (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- the number of the key INC-<id>
    title       text        NOT NULL,
    severity    smallint    NOT NULL CHECK (severity BETWEEN 1 AND 5),
    timezone    text        NOT NULL,
    private     boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL
);

CREATE TABLE incident_services (
    incident_id bigint  NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    service     text    NOT NULL,
    PRIMARY KEY (incident_id, position)
);
CREATE INDEX incident_services_by_service ON incident_services (service);

CREATE TABLE responders (
    incident_id bigint  NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    role        text    NOT NULL,
    position    integer NOT NULL,
    name        text    NOT NULL,
    job_title   text,
    PRIMARY KEY (incident_id, role, position)
);

CREATE TABLE timeline_events (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id bigint      NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    kind        text        NOT NULL,
    text        text        NOT NULL,
    author      text,
    source      text        NOT NULL,
    severity    smallint    CHECK (severity BETWEEN 1 AND 5),
    evidence    jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(evidence) = 'array'),  -- URLs
    key_point   boolean     NOT NULL DEFAULT false,
    recorded_at timestamptz NOT NULL
);
CREATE INDEX timeline_events_by_incident ON timeline_events (incident_id, at, id);

-- The document is the source of truth; owner, status and template are copies for filtering,
-- written from the same value in the same statement. `version` is the optimistic-concurrency
-- counter: a save names the version it edited and only succeeds if it is still current.
CREATE TABLE postmortems (
    incident_id bigint      PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    version     bigint      NOT NULL CHECK (version >= 1),
    owner       text,
    status      text        NOT NULL,
    template    text        NOT NULL,
    document    jsonb       NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE action_items (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id bigint      NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    title       text        NOT NULL,
    description text        NOT NULL,
    owner       text,
    due         date,
    priority    text        NOT NULL,
    kind        text        NOT NULL,
    impact      text        NOT NULL,
    effort      text        NOT NULL,
    status      text        NOT NULL,
    ticket      text,
    created_at  timestamptz NOT NULL
);
CREATE INDEX action_items_by_incident ON action_items (incident_id, id);
