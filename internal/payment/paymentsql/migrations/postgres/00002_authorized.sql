-- +goose Up
-- Cash on delivery: payments authorised now and captured on delivery
-- (authorized), authorisations given up (voided), and the sellers that take
-- no cash on delivery. An order has at most one authorised or captured
-- payment.
ALTER TABLE payment_payments DROP CONSTRAINT payment_payments_status_check;
ALTER TABLE payment_payments ADD CONSTRAINT payment_payments_status_check CHECK (status IN
    ('pending', 'processing', 'authorized', 'succeeded', 'failed', 'partially_refunded', 'refunded', 'voided'));
DROP INDEX payment_payments_one_captured;
CREATE UNIQUE INDEX payment_payments_one_captured ON payment_payments (order_id)
    WHERE status IN ('authorized', 'succeeded', 'partially_refunded', 'refunded');
CREATE TABLE payment_cod_off (
    seller_id  TEXT   PRIMARY KEY,
    updated_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE payment_cod_off;
DROP INDEX payment_payments_one_captured;
CREATE UNIQUE INDEX payment_payments_one_captured ON payment_payments (order_id)
    WHERE status IN ('succeeded', 'partially_refunded', 'refunded');
ALTER TABLE payment_payments DROP CONSTRAINT payment_payments_status_check;
ALTER TABLE payment_payments ADD CONSTRAINT payment_payments_status_check CHECK (status IN
    ('pending', 'processing', 'succeeded', 'failed', 'partially_refunded', 'refunded'));
