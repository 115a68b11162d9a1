-- Proposals from importers, waiting for the scribe; and the links between incidents and the
-- pager and alert tools that report them, with the deliveries already applied.

CREATE TABLE proposals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    source_id   TEXT    NOT NULL,      -- where it came from: a chat message id
    status      TEXT    NOT NULL,      -- pending, accepted or rejected
    proposal    TEXT    NOT NULL,      -- the NewProposal as JSON
    created_at  INTEGER NOT NULL,
    decided_at  INTEGER,
    UNIQUE (incident_id, source_id)
);

CREATE TABLE external_incidents (
    source      TEXT    NOT NULL,      -- pagerduty, alertmanager, opsgenie, statuspage
    external_id TEXT    NOT NULL,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    PRIMARY KEY (source, external_id)
);

CREATE TABLE webhook_deliveries (
    source      TEXT    NOT NULL,
    delivery_id TEXT    NOT NULL,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (source, delivery_id)
);
