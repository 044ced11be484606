-- +goose Up
-- The Idempotency-Key an order was placed with: a retry whose first attempt
-- committed but never answered (the process died) finds the order instead of
-- placing another.
ALTER TABLE order_orders ADD COLUMN request_key TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX order_orders_request_key ON order_orders (customer_id, request_key) WHERE request_key <> '';

-- +goose Down
DROP INDEX order_orders_request_key;
ALTER TABLE order_orders DROP COLUMN request_key;
