-- +goose Up
-- Whether an order is paid in cash on delivery: its payment is authorised
-- at confirmation and captured on delivery, where a card payment
-- authorised at checkout (manual capture) is captured at handover. Until
-- cards could be authorised only cash was, so the orders whose payment is
-- authorised now are cash orders.
ALTER TABLE order_orders ADD COLUMN cash_on_delivery BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE order_orders SET cash_on_delivery = TRUE WHERE payment_status = 'authorized';

-- +goose Down
ALTER TABLE order_orders DROP COLUMN cash_on_delivery;
