-- +goose Up
-- Where a refund comes from (cancellation, return, goodwill: an admin's or
-- support's refund through the payment API) and the seller order it is
-- charged to, so the ledger books each refund once and against the right
-- seller. Refunds made before this migration have neither.
ALTER TABLE payment_refunds ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE payment_refunds ADD COLUMN seller_order_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE payment_refunds DROP COLUMN seller_order_id;
ALTER TABLE payment_refunds DROP COLUMN origin;
