-- Revision history: after every change, a snapshot of the whole post-mortem as the JSON
-- document format (hindsight.postmortem), with who made the change, when, and what it was.

CREATE TABLE revisions (
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    author      TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    summary     TEXT    NOT NULL,
    document    TEXT    NOT NULL,
    PRIMARY KEY (incident_id, number)
);
