-- +goose Up
-- Returns: how many units of each line were refunded through returns
-- (order_lines.returned), what returns refunded per seller order
-- (order_seller_orders.refunded), and the customer order's statuses
-- partially_returned and returned. SQLite cannot change a CHECK constraint,
-- and order_orders is the parent of the other two tables (a table cannot be
-- dropped while rows reference it): the three tables are copied aside,
-- dropped children first, made again and filled back, in this migration's
-- transaction.
CREATE TABLE order_orders_copy AS SELECT * FROM order_orders;
CREATE TABLE order_seller_orders_copy AS SELECT * FROM order_seller_orders;
CREATE TABLE order_lines_copy AS SELECT * FROM order_lines;
DROP TABLE order_lines;
DROP TABLE order_seller_orders;
DROP TABLE order_orders;

CREATE TABLE order_orders (
    id                     TEXT    PRIMARY KEY,
    customer_id            TEXT    NOT NULL,
    status                 TEXT    NOT NULL CHECK (status IN ('pending_payment', 'paid', 'partially_shipped', 'shipped',
                                                          'partially_delivered', 'delivered', 'cancelled', 'refunded',
                                                          'partially_returned', 'returned')),
    currency               TEXT    NOT NULL,
    subtotal               BIGINT  NOT NULL CHECK (subtotal >= 0),
    shipping               BIGINT  NOT NULL CHECK (shipping >= 0),
    tax                    BIGINT  NOT NULL CHECK (tax >= 0),
    total                  BIGINT  NOT NULL CHECK (total >= 0), -- 0: a replacement sent in exchange
    refunded               BIGINT  NOT NULL DEFAULT 0 CHECK (refunded >= 0),
    shipping_address       TEXT    NOT NULL,
    reservation_expires_at BIGINT  NOT NULL,
    placed_at              BIGINT  NOT NULL,
    paid_at                BIGINT  NOT NULL DEFAULT 0,
    cancelled_at           BIGINT  NOT NULL DEFAULT 0,
    cancel_reason          TEXT    NOT NULL DEFAULT '',
    payment_id             TEXT    NOT NULL DEFAULT '',
    payment_status         TEXT    NOT NULL DEFAULT '',
    payment_at             BIGINT  NOT NULL DEFAULT 0,
    payment_error_code     TEXT    NOT NULL DEFAULT '',
    payment_error_message  TEXT    NOT NULL DEFAULT '',
    version                BIGINT  NOT NULL DEFAULT 1,
    updated_at             BIGINT  NOT NULL,
    request_key            TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX order_orders_customer ON order_orders (customer_id, placed_at, id);
CREATE INDEX order_orders_placed ON order_orders (placed_at, id);
CREATE INDEX order_orders_awaiting ON order_orders (reservation_expires_at) WHERE status = 'pending_payment';

CREATE TABLE order_seller_orders (
    id              TEXT    PRIMARY KEY,
    order_id        TEXT    NOT NULL REFERENCES order_orders (id),
    seller_id       TEXT    NOT NULL,
    position        INTEGER NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending_payment', 'awaiting_fulfillment', 'shipped', 'delivered',
                                                   'returned', 'cancelled')),
    subtotal        BIGINT  NOT NULL CHECK (subtotal >= 0),
    shipping        BIGINT  NOT NULL CHECK (shipping >= 0),
    tax             BIGINT  NOT NULL CHECK (tax >= 0),
    total           BIGINT  NOT NULL CHECK (total >= 0),
    placed_at       BIGINT  NOT NULL,
    cancel_reason   TEXT    NOT NULL DEFAULT '',
    cancelled_at    BIGINT  NOT NULL DEFAULT 0,
    shipped_at      BIGINT  NOT NULL DEFAULT 0,
    delivered_at    BIGINT  NOT NULL DEFAULT 0,
    shipment_id     TEXT    NOT NULL DEFAULT '',
    shipment_status TEXT    NOT NULL DEFAULT '',
    tracking_id     TEXT    NOT NULL DEFAULT '',
    updated_at      BIGINT  NOT NULL,
    refunded        BIGINT  NOT NULL DEFAULT 0 CHECK (refunded >= 0),
    -- One part per seller in an order.
    UNIQUE (order_id, seller_id)
);
CREATE INDEX order_seller_orders_seller ON order_seller_orders (seller_id, placed_at, order_id);

CREATE TABLE order_lines (
    id              TEXT    PRIMARY KEY,
    order_id        TEXT    NOT NULL REFERENCES order_orders (id),
    seller_order_id TEXT    NOT NULL REFERENCES order_seller_orders (id),
    position        INTEGER NOT NULL,
    sku             TEXT    NOT NULL,
    product_id      TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    options         TEXT    NOT NULL,
    quantity        BIGINT  NOT NULL CHECK (quantity > 0),
    unit_price      BIGINT  NOT NULL CHECK (unit_price >= 0),
    line_total      BIGINT  NOT NULL CHECK (line_total >= 0),
    returned        BIGINT  NOT NULL DEFAULT 0 CHECK (returned >= 0 AND returned <= quantity),
    -- One line per SKU in an order.
    UNIQUE (order_id, sku)
);
CREATE INDEX order_lines_seller_order ON order_lines (seller_order_id, position);
CREATE UNIQUE INDEX order_orders_request_key ON order_orders (customer_id, request_key) WHERE request_key <> '';

INSERT INTO order_orders (id, customer_id, status, currency, subtotal, shipping, tax, total, refunded, shipping_address, reservation_expires_at,
    placed_at, paid_at, cancelled_at, cancel_reason, payment_id, payment_status, payment_at, payment_error_code,
    payment_error_message, version, updated_at, request_key)
    SELECT id, customer_id, status, currency, subtotal, shipping, tax, total, refunded, shipping_address, reservation_expires_at,
    placed_at, paid_at, cancelled_at, cancel_reason, payment_id, payment_status, payment_at, payment_error_code,
    payment_error_message, version, updated_at, request_key FROM order_orders_copy;
INSERT INTO order_seller_orders (id, order_id, seller_id, position, status, subtotal, shipping, tax, total, placed_at, cancel_reason, cancelled_at,
    shipped_at, delivered_at, shipment_id, shipment_status, tracking_id, updated_at)
    SELECT id, order_id, seller_id, position, status, subtotal, shipping, tax, total, placed_at, cancel_reason, cancelled_at,
    shipped_at, delivered_at, shipment_id, shipment_status, tracking_id, updated_at FROM order_seller_orders_copy;
INSERT INTO order_lines (id, order_id, seller_order_id, position, sku, product_id, title, options, quantity, unit_price, line_total)
    SELECT id, order_id, seller_order_id, position, sku, product_id, title, options, quantity, unit_price, line_total FROM order_lines_copy;
DROP TABLE order_lines_copy;
DROP TABLE order_seller_orders_copy;
DROP TABLE order_orders_copy;

-- +goose Down
CREATE TABLE order_orders_copy AS SELECT * FROM order_orders;
CREATE TABLE order_seller_orders_copy AS SELECT * FROM order_seller_orders;
CREATE TABLE order_lines_copy AS SELECT * FROM order_lines;
DROP TABLE order_lines;
DROP TABLE order_seller_orders;
DROP TABLE order_orders;

CREATE TABLE order_orders (
    id                     TEXT    PRIMARY KEY,
    customer_id            TEXT    NOT NULL,
    status                 TEXT    NOT NULL CHECK (status IN ('pending_payment', 'paid', 'partially_shipped', 'shipped',
                                                          'partially_delivered', 'delivered', 'cancelled', 'refunded')),
    currency               TEXT    NOT NULL,
    subtotal               BIGINT  NOT NULL CHECK (subtotal >= 0),
    shipping               BIGINT  NOT NULL CHECK (shipping >= 0),
    tax                    BIGINT  NOT NULL CHECK (tax >= 0),
    total                  BIGINT  NOT NULL CHECK (total > 0),
    refunded               BIGINT  NOT NULL DEFAULT 0 CHECK (refunded >= 0),
    shipping_address       TEXT    NOT NULL,
    reservation_expires_at BIGINT  NOT NULL,
    placed_at              BIGINT  NOT NULL,
    paid_at                BIGINT  NOT NULL DEFAULT 0,
    cancelled_at           BIGINT  NOT NULL DEFAULT 0,
    cancel_reason          TEXT    NOT NULL DEFAULT '',
    payment_id             TEXT    NOT NULL DEFAULT '',
    payment_status         TEXT    NOT NULL DEFAULT '',
    payment_at             BIGINT  NOT NULL DEFAULT 0,
    payment_error_code     TEXT    NOT NULL DEFAULT '',
    payment_error_message  TEXT    NOT NULL DEFAULT '',
    version                BIGINT  NOT NULL DEFAULT 1,
    updated_at             BIGINT  NOT NULL,
    request_key            TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX order_orders_customer ON order_orders (customer_id, placed_at, id);
CREATE INDEX order_orders_placed ON order_orders (placed_at, id);
CREATE INDEX order_orders_awaiting ON order_orders (reservation_expires_at) WHERE status = 'pending_payment';

CREATE TABLE order_seller_orders (
    id              TEXT    PRIMARY KEY,
    order_id        TEXT    NOT NULL REFERENCES order_orders (id),
    seller_id       TEXT    NOT NULL,
    position        INTEGER NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending_payment', 'awaiting_fulfillment', 'shipped', 'delivered',
                                                   'returned', 'cancelled')),
    subtotal        BIGINT  NOT NULL CHECK (subtotal >= 0),
    shipping        BIGINT  NOT NULL CHECK (shipping >= 0),
    tax             BIGINT  NOT NULL CHECK (tax >= 0),
    total           BIGINT  NOT NULL CHECK (total >= 0),
    placed_at       BIGINT  NOT NULL,
    cancel_reason   TEXT    NOT NULL DEFAULT '',
    cancelled_at    BIGINT  NOT NULL DEFAULT 0,
    shipped_at      BIGINT  NOT NULL DEFAULT 0,
    delivered_at    BIGINT  NOT NULL DEFAULT 0,
    shipment_id     TEXT    NOT NULL DEFAULT '',
    shipment_status TEXT    NOT NULL DEFAULT '',
    tracking_id     TEXT    NOT NULL DEFAULT '',
    updated_at      BIGINT  NOT NULL,
    -- One part per seller in an order.
    UNIQUE (order_id, seller_id)
);
CREATE INDEX order_seller_orders_seller ON order_seller_orders (seller_id, placed_at, order_id);

CREATE TABLE order_lines (
    id              TEXT    PRIMARY KEY,
    order_id        TEXT    NOT NULL REFERENCES order_orders (id),
    seller_order_id TEXT    NOT NULL REFERENCES order_seller_orders (id),
    position        INTEGER NOT NULL,
    sku             TEXT    NOT NULL,
    product_id      TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    options         TEXT    NOT NULL,
    quantity        BIGINT  NOT NULL CHECK (quantity > 0),
    unit_price      BIGINT  NOT NULL CHECK (unit_price >= 0),
    line_total      BIGINT  NOT NULL CHECK (line_total >= 0),
    -- One line per SKU in an order.
    UNIQUE (order_id, sku)
);
CREATE INDEX order_lines_seller_order ON order_lines (seller_order_id, position);
CREATE UNIQUE INDEX order_orders_request_key ON order_orders (customer_id, request_key) WHERE request_key <> '';

INSERT INTO order_orders (id, customer_id, status, currency, subtotal, shipping, tax, total, refunded, shipping_address, reservation_expires_at,
    placed_at, paid_at, cancelled_at, cancel_reason, payment_id, payment_status, payment_at, payment_error_code,
    payment_error_message, version, updated_at, request_key)
    SELECT id, customer_id, status, currency, subtotal, shipping, tax, total, refunded, shipping_address, reservation_expires_at,
    placed_at, paid_at, cancelled_at, cancel_reason, payment_id, payment_status, payment_at, payment_error_code,
    payment_error_message, version, updated_at, request_key FROM order_orders_copy;
INSERT INTO order_seller_orders (id, order_id, seller_id, position, status, subtotal, shipping, tax, total, placed_at, cancel_reason, cancelled_at,
    shipped_at, delivered_at, shipment_id, shipment_status, tracking_id, updated_at)
    SELECT id, order_id, seller_id, position, status, subtotal, shipping, tax, total, placed_at, cancel_reason, cancelled_at,
    shipped_at, delivered_at, shipment_id, shipment_status, tracking_id, updated_at FROM order_seller_orders_copy;
INSERT INTO order_lines (id, order_id, seller_order_id, position, sku, product_id, title, options, quantity, unit_price, line_total)
    SELECT id, order_id, seller_order_id, position, sku, product_id, title, options, quantity, unit_price, line_total FROM order_lines_copy;
DROP TABLE order_lines_copy;
DROP TABLE order_seller_orders_copy;
DROP TABLE order_orders_copy;
