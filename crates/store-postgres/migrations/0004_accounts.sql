-- Accounts, their sign-in sessions and API tokens; and the indexes the incident search needs.
-- Secrets are never stored: a session and a token are found by the hex SHA-256 of what the
-- browser or the script presents, and a password by its PHC hash.

CREATE TABLE users (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text        NOT NULL UNIQUE CHECK (name = lower(name)),  -- lower-cased when parsed
    display_name  text        NOT NULL,     -- as responders and owners are named on post-mortems
    role          text        NOT NULL,     -- viewer, editor or admin
    password_hash text        NOT NULL,
    created_at    timestamptz NOT NULL
);

CREATE TABLE sessions (
    token_hash  text        PRIMARY KEY,
    user_id     bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token  text        NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label       text        NOT NULL,
    token_hash  text        NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id, id);

-- The search derives each listed incident's status from whether its timeline has a `resolved`
-- or a `mitigated` event: one index probe each.
CREATE INDEX timeline_events_by_kind ON timeline_events (incident_id, kind);
-- Filters on the post-mortem's owner and status, and on when incidents were opened. The
-- incident comes second so that the matching post-mortems are read newest first, as the list
-- shows them, without sorting every match to show the first few.
CREATE INDEX postmortems_by_owner ON postmortems (owner, incident_id);
CREATE INDEX postmortems_by_status ON postmortems (status, incident_id);
CREATE INDEX incidents_by_created_at ON incidents (created_at);
