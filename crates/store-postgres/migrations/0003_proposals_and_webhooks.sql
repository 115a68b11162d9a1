-- Proposals from importers, waiting for the scribe; and the links between incidents and the
-- pager and alert tools that report them, with the deliveries already applied.

CREATE TABLE proposals (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id bigint      NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    source_id   text        NOT NULL,      -- where it came from: a chat message id
    status      text        NOT NULL,      -- pending, accepted or rejected
    proposal    jsonb       NOT NULL,      -- the NewProposal
    created_at  timestamptz NOT NULL,
    decided_at  timestamptz,
    UNIQUE (incident_id, source_id)
);

CREATE TABLE external_incidents (
    source      text   NOT NULL,           -- pagerduty, alertmanager, opsgenie, statuspage
    external_id text   NOT NULL,
    incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    PRIMARY KEY (source, external_id)
);

CREATE TABLE webhook_deliveries (
    source      text        NOT NULL,
    delivery_id text        NOT NULL,
    incident_id bigint      NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (source, delivery_id)
);
