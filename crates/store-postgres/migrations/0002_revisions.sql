-- Revision history: after every change, a snapshot of the whole post-mortem as the JSON
-- document format (hindsight.postmortem), with who made the change, when, and what it was.

CREATE TABLE revisions (
    incident_id bigint      NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    number      bigint      NOT NULL,
    author      text        NOT NULL,
    at          timestamptz NOT NULL,
    summary     text        NOT NULL,
    document    text        NOT NULL,   -- kept byte for byte as written
    PRIMARY KEY (incident_id, number)
);
