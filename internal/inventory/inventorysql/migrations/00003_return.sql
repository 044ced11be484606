-- +goose Up
-- Units of a committed reservation put back on hand when the customer
-- returned them (an RMA of the support module): one row per return, SKU and
-- warehouse, so a return puts each SKU back at most once. What an order's
-- returns put back, with what Restock put back, never exceeds what its
-- reservation committed (inventorysql checks it under the reservation's row
-- lock).
CREATE TABLE inventory_return (
    return_id    TEXT   NOT NULL,
    order_id     TEXT   NOT NULL REFERENCES inventory_reservation (order_id),
    sku          TEXT   NOT NULL,
    warehouse_id TEXT   NOT NULL,
    quantity     BIGINT NOT NULL CHECK (quantity > 0),
    returned_at  BIGINT NOT NULL,
    PRIMARY KEY (return_id, sku, warehouse_id)
);
CREATE INDEX inventory_return_order ON inventory_return (order_id, sku);

-- +goose Down
DROP TABLE inventory_return;
