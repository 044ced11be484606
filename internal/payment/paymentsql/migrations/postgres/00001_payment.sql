-- +goose Up
CREATE TABLE payment_payments (
    id                TEXT    PRIMARY KEY,
    order_id          TEXT    NOT NULL,
    customer_id       TEXT    NOT NULL,
    attempt           INTEGER NOT NULL,
    idempotency_key   TEXT    NOT NULL UNIQUE,
    amount            BIGINT  NOT NULL CHECK (amount > 0),
    currency          TEXT    NOT NULL,
    method            TEXT    NOT NULL,
    gateway           TEXT    NOT NULL,
    gateway_intent_id TEXT    NOT NULL DEFAULT '',
    status            TEXT    NOT NULL CHECK (status IN ('pending', 'processing', 'succeeded', 'failed', 'partially_refunded', 'refunded')),
    failure_code      TEXT    NOT NULL DEFAULT '',
    failure_message   TEXT    NOT NULL DEFAULT '',
    next_action       TEXT    NOT NULL DEFAULT '',
    captured          BIGINT  NOT NULL DEFAULT 0 CHECK (captured >= 0),
    refunded          BIGINT  NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= captured),
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    UNIQUE (order_id, attempt)
);
-- At most one captured payment per order, at most one open attempt per order.
CREATE UNIQUE INDEX payment_payments_one_captured ON payment_payments (order_id)
    WHERE status IN ('succeeded', 'partially_refunded', 'refunded');
CREATE UNIQUE INDEX payment_payments_one_open ON payment_payments (order_id)
    WHERE status IN ('pending', 'processing');
CREATE UNIQUE INDEX payment_payments_intent ON payment_payments (gateway, gateway_intent_id)
    WHERE gateway_intent_id <> '';
CREATE INDEX payment_payments_open ON payment_payments (updated_at)
    WHERE status IN ('pending', 'processing');

CREATE TABLE payment_refunds (
    id                TEXT   PRIMARY KEY,
    payment_id        TEXT   NOT NULL REFERENCES payment_payments (id),
    amount            BIGINT NOT NULL CHECK (amount > 0),
    currency          TEXT   NOT NULL,
    reason            TEXT   NOT NULL,
    status            TEXT   NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    by_user           TEXT   NOT NULL,
    gateway_refund_id TEXT   NOT NULL DEFAULT '',
    failure_code      TEXT   NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX payment_refunds_payment ON payment_refunds (payment_id, created_at);
CREATE INDEX payment_refunds_pending ON payment_refunds (updated_at) WHERE status = 'pending';

-- Gateway webhook events already applied (deduplication).
CREATE TABLE payment_webhook_events (
    gateway     TEXT   NOT NULL,
    event_id    TEXT   NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (gateway, event_id)
);

-- +goose Down
DROP TABLE payment_webhook_events;
DROP TABLE payment_refunds;
DROP TABLE payment_payments;
