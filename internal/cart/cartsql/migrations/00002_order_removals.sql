-- +goose Up
-- The orders whose quantities were taken out of their customer's cart: the
-- order module asks right after placing and again from its event consumer,
-- and only the first ask changes the cart.
CREATE TABLE cart_order_removals (
    order_id   TEXT   PRIMARY KEY,
    user_id    TEXT   NOT NULL,
    removed_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE cart_order_removals;
