-- +goose Up
-- Orders being placed: started before inventory reserves the stock under the
-- order's ID, ended in the transaction that writes the order. A retry with
-- the same Idempotency-Key takes over an unfinished attempt's order ID (and
-- so its reservation); the expirer gives back the stock of placements that
-- never became orders.
CREATE TABLE order_placements (
    order_id    TEXT   PRIMARY KEY,
    customer_id TEXT   NOT NULL,
    request_key TEXT   NOT NULL DEFAULT '',
    started_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX order_placements_request_key ON order_placements (customer_id, request_key) WHERE request_key <> '';
CREATE INDEX order_placements_started ON order_placements (started_at);

-- +goose Down
DROP TABLE order_placements;
