-- +goose Up
-- One row per (consumer, event) that the consumer has not applied yet
-- because the event failed for it, or waits behind an earlier failed event
-- of its aggregate; dead rows failed MaxAttempts times and wait for an
-- admin's replay.
CREATE TABLE event_retry (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT    NOT NULL UNIQUE,
    consumer        TEXT    NOT NULL,
    event_id        TEXT    NOT NULL,
    topic           TEXT    NOT NULL,
    aggregate       TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL DEFAULT 0,
    claimed_until   BIGINT  NOT NULL DEFAULT 0,
    last_error      TEXT,
    dead_at         BIGINT,
    UNIQUE (consumer, event_id)
);
CREATE INDEX event_retry_pending ON event_retry (consumer, aggregate, seq) WHERE status = 'pending';
CREATE INDEX event_retry_dead ON event_retry (id) WHERE status = 'dead';

-- +goose Down
DROP TABLE event_retry;
