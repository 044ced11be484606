-- +goose Up
-- Units of a committed reservation put back on hand when a paid order (or
-- one seller's part of it) was cancelled before shipping: one row per order,
-- SKU and warehouse, so a restock happens at most once.
CREATE TABLE inventory_restock (
    order_id     TEXT   NOT NULL REFERENCES inventory_reservation (order_id),
    sku          TEXT   NOT NULL,
    warehouse_id TEXT   NOT NULL,
    quantity     BIGINT NOT NULL CHECK (quantity > 0),
    restocked_at BIGINT NOT NULL,
    PRIMARY KEY (order_id, sku, warehouse_id)
);

-- +goose Down
DROP TABLE inventory_restock;
