-- +goose Up
-- Card payments authorised at checkout and captured later (manual capture),
-- like cash on delivery.
ALTER TABLE payment_payments ADD COLUMN manual_capture BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE payment_payments DROP COLUMN manual_capture;
