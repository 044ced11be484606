-- +goose Up
-- Intents authorised only, captured later (manual capture), and the amount
-- a capture took (at most the amount authorised).
ALTER TABLE payment_testgw_intents ADD COLUMN manual BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE payment_testgw_intents ADD COLUMN received BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE payment_testgw_intents DROP COLUMN received;
ALTER TABLE payment_testgw_intents DROP COLUMN manual;
