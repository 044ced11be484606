-- +goose Up
-- The built-in test gateway's own state: it plays an external system, so it
-- keeps its intents, refunds and outgoing webhooks apart from the payments.
CREATE TABLE payment_testgw_intents (
    id              TEXT    PRIMARY KEY,
    idempotency_key TEXT    NOT NULL UNIQUE,
    amount          BIGINT  NOT NULL,
    currency        TEXT    NOT NULL,
    method          TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    failure_code    TEXT    NOT NULL DEFAULT '',
    failure_message TEXT    NOT NULL DEFAULT '',
    payment_id      TEXT    NOT NULL,
    order_id        TEXT    NOT NULL,
    refunded        BIGINT  NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),
    settle_at       BIGINT  NOT NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX payment_testgw_intents_due ON payment_testgw_intents (settle_at) WHERE status = 'processing';

CREATE TABLE payment_testgw_refunds (
    id              TEXT   PRIMARY KEY,
    intent_id       TEXT   NOT NULL REFERENCES payment_testgw_intents (id),
    idempotency_key TEXT   NOT NULL UNIQUE,
    amount          BIGINT NOT NULL,
    currency        TEXT   NOT NULL,
    status          TEXT   NOT NULL,
    payment_id      TEXT   NOT NULL,
    refund_id       TEXT   NOT NULL,
    created_at      BIGINT NOT NULL
);

CREATE TABLE payment_testgw_webhooks (
    id              TEXT    PRIMARY KEY,
    body            TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    delivered_at    BIGINT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL
);
CREATE INDEX payment_testgw_webhooks_pending ON payment_testgw_webhooks (next_attempt_at) WHERE delivered_at IS NULL;

-- +goose Down
DROP TABLE payment_testgw_webhooks;
DROP TABLE payment_testgw_refunds;
DROP TABLE payment_testgw_intents;
