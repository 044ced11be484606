-- +goose Up
CREATE TABLE inventory_warehouse (
    id         TEXT    PRIMARY KEY,
    seller_id  TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    created_at BIGINT  NOT NULL
);
CREATE INDEX inventory_warehouse_seller ON inventory_warehouse (seller_id, created_at);
-- One default warehouse per seller.
CREATE UNIQUE INDEX inventory_warehouse_default ON inventory_warehouse (seller_id) WHERE is_default = 1;

CREATE TABLE inventory_stock (
    sku          TEXT   NOT NULL,
    warehouse_id TEXT   NOT NULL REFERENCES inventory_warehouse (id),
    product_id   TEXT   NOT NULL,
    seller_id    TEXT   NOT NULL,
    on_hand      BIGINT NOT NULL,
    reserved     BIGINT NOT NULL DEFAULT 0,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (sku, warehouse_id),
    -- The database itself refuses overselling.
    CONSTRAINT inventory_stock_reserved_nonneg CHECK (reserved >= 0),
    CONSTRAINT inventory_stock_not_oversold CHECK (on_hand >= reserved)
);

CREATE TABLE inventory_reservation (
    order_id   TEXT   PRIMARY KEY,
    status     TEXT   NOT NULL CHECK (status IN ('held', 'committed', 'released')),
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX inventory_reservation_expiry ON inventory_reservation (expires_at) WHERE status = 'held';

CREATE TABLE inventory_reservation_line (
    order_id     TEXT   NOT NULL REFERENCES inventory_reservation (order_id),
    sku          TEXT   NOT NULL,
    warehouse_id TEXT   NOT NULL,
    quantity     BIGINT NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, sku, warehouse_id)
);

-- +goose Down
DROP TABLE inventory_reservation_line;
DROP TABLE inventory_reservation;
DROP TABLE inventory_stock;
DROP TABLE inventory_warehouse;
