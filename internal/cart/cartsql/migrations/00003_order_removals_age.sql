-- +goose Up
-- The purge drops records of orders taken out of carts long ago.
CREATE INDEX cart_order_removals_age ON cart_order_removals (removed_at);

-- +goose Down
DROP INDEX cart_order_removals_age;
