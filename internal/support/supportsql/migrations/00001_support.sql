-- +goose Up
CREATE TABLE support_ticket (
    id                 TEXT    PRIMARY KEY,
    subject            TEXT    NOT NULL,
    category           TEXT    NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('open', 'awaiting_customer', 'awaiting_seller', 'awaiting_support', 'resolved', 'closed')),
    priority           TEXT    NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    customer_id        TEXT    NOT NULL,
    seller_id          TEXT    NOT NULL DEFAULT '',
    assignee_id        TEXT    NOT NULL DEFAULT '',
    order_id           TEXT    NOT NULL DEFAULT '',
    seller_order_id    TEXT    NOT NULL DEFAULT '',
    product_id         TEXT    NOT NULL DEFAULT '',
    return_id          TEXT    NOT NULL DEFAULT '',
    first_response_due BIGINT  NOT NULL,
    first_response_at  BIGINT,
    last_reply_by      TEXT    NOT NULL DEFAULT '',
    message_count      INTEGER NOT NULL DEFAULT 0,
    internal_count     INTEGER NOT NULL DEFAULT 0,
    last_message_at    BIGINT  NOT NULL,
    resolved_at        BIGINT,
    closed_at          BIGINT,
    created_at         BIGINT  NOT NULL,
    updated_at         BIGINT  NOT NULL
);
CREATE INDEX support_ticket_customer ON support_ticket (customer_id, id);
CREATE INDEX support_ticket_seller ON support_ticket (seller_id, id);
CREATE INDEX support_ticket_queue ON support_ticket (status, first_response_due);
CREATE INDEX support_ticket_return ON support_ticket (return_id) WHERE return_id <> '';
CREATE INDEX support_ticket_resolved ON support_ticket (resolved_at) WHERE status = 'resolved';

CREATE TABLE support_message (
    id          TEXT    PRIMARY KEY,
    ticket_id   TEXT    NOT NULL REFERENCES support_ticket (id),
    author_id   TEXT    NOT NULL,
    author_role TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    internal    INTEGER NOT NULL CHECK (internal IN (0, 1)),
    created_at  BIGINT  NOT NULL
);
CREATE INDEX support_message_ticket ON support_message (ticket_id, id);

CREATE TABLE support_attachment (
    id           TEXT   PRIMARY KEY,
    owner_id     TEXT   NOT NULL,
    name         TEXT   NOT NULL,
    content_type TEXT   NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT   NOT NULL,
    ticket_id    TEXT   NOT NULL DEFAULT '',
    message_id   TEXT   NOT NULL DEFAULT '',
    return_id    TEXT   NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);
CREATE INDEX support_attachment_message ON support_attachment (message_id) WHERE message_id <> '';
CREATE INDEX support_attachment_return ON support_attachment (return_id) WHERE return_id <> '';
CREATE INDEX support_attachment_orphan ON support_attachment (created_at) WHERE message_id = '' AND return_id = '';

CREATE TABLE support_return (
    id              TEXT    PRIMARY KEY,
    order_id        TEXT    NOT NULL,
    seller_order_id TEXT    NOT NULL,
    seller_id       TEXT    NOT NULL,
    customer_id     TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'in_transit', 'received', 'refunded', 'cancelled')),
    lines           TEXT    NOT NULL,
    comment         TEXT    NOT NULL DEFAULT '',
    auto_approved   INTEGER NOT NULL DEFAULT 0,
    reject_reason   TEXT    NOT NULL DEFAULT '',
    currency        TEXT    NOT NULL,
    restocking_fee  BIGINT  NOT NULL DEFAULT 0,
    refund          BIGINT  NOT NULL DEFAULT 0 CHECK (refund >= 0),
    restocked       BIGINT  NOT NULL DEFAULT 0,
    pickup          TEXT    NOT NULL DEFAULT '',
    partner_id      TEXT    NOT NULL DEFAULT '',
    pickup_status   TEXT    NOT NULL DEFAULT '',
    exchange_order_id TEXT  NOT NULL DEFAULT '',
    delivered_at    BIGINT  NOT NULL,
    timeline        TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX support_return_customer ON support_return (customer_id, id);
CREATE INDEX support_return_seller ON support_return (seller_id, id);
CREATE INDEX support_return_partner ON support_return (partner_id, id) WHERE partner_id <> '';
CREATE INDEX support_return_part ON support_return (seller_order_id);

-- One row per seller order with returns: taking it serialises the
-- creation of that seller order's returns, so two cannot together return
-- more than was delivered.
CREATE TABLE support_return_lock (
    seller_order_id TEXT   PRIMARY KEY,
    n               BIGINT NOT NULL
);

CREATE TABLE support_policy (
    seller_id    TEXT    PRIMARY KEY,
    window_days  INTEGER NOT NULL CHECK (window_days >= 0),
    auto_approve TEXT    NOT NULL,
    updated_at   BIGINT  NOT NULL
);

CREATE TABLE support_category_rule (
    category_id TEXT    PRIMARY KEY,
    returnable  INTEGER NOT NULL CHECK (returnable IN (0, 1)),
    updated_at  BIGINT  NOT NULL
);

-- +goose Down
DROP TABLE support_category_rule;
DROP TABLE support_policy;
DROP TABLE support_return_lock;
DROP TABLE support_return;
DROP TABLE support_attachment;
DROP TABLE support_message;
DROP TABLE support_ticket;
