-- +goose Up
-- Returns: how many units of each line were refunded through returns, what
-- returns refunded per seller order, and the customer order's statuses
-- partially_returned and returned.
ALTER TABLE order_lines ADD COLUMN returned BIGINT NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD CONSTRAINT order_lines_returned_check CHECK (returned >= 0 AND returned <= quantity);
ALTER TABLE order_seller_orders ADD COLUMN refunded BIGINT NOT NULL DEFAULT 0;
ALTER TABLE order_seller_orders ADD CONSTRAINT order_seller_orders_refunded_check CHECK (refunded >= 0);
ALTER TABLE order_orders DROP CONSTRAINT order_orders_status_check;
ALTER TABLE order_orders ADD CONSTRAINT order_orders_status_check CHECK (status IN ('pending_payment', 'paid',
    'partially_shipped', 'shipped', 'partially_delivered', 'delivered', 'cancelled', 'refunded', 'partially_returned', 'returned'));
-- A replacement sent in exchange for returned units costs nothing.
ALTER TABLE order_orders DROP CONSTRAINT order_orders_total_check;
ALTER TABLE order_orders ADD CONSTRAINT order_orders_total_check CHECK (total >= 0);

-- +goose Down
ALTER TABLE order_orders DROP CONSTRAINT order_orders_total_check;
ALTER TABLE order_orders ADD CONSTRAINT order_orders_total_check CHECK (total > 0);
ALTER TABLE order_orders DROP CONSTRAINT order_orders_status_check;
ALTER TABLE order_orders ADD CONSTRAINT order_orders_status_check CHECK (status IN ('pending_payment', 'paid',
    'partially_shipped', 'shipped', 'partially_delivered', 'delivered', 'cancelled', 'refunded'));
ALTER TABLE order_seller_orders DROP COLUMN refunded;
ALTER TABLE order_lines DROP COLUMN returned;
