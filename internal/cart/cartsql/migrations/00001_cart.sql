-- +goose Up
CREATE TABLE cart_carts (
    id          TEXT   PRIMARY KEY,
    user_id     TEXT   UNIQUE,          -- a signed-in user's cart
    token_hash  TEXT   UNIQUE,          -- a guest cart: SHA-256 of its token
    status      TEXT   NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'merged')),
    merged_into TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    CHECK ((user_id IS NULL) <> (token_hash IS NULL))
);
CREATE INDEX cart_carts_guest_age ON cart_carts (updated_at) WHERE user_id IS NULL;

CREATE TABLE cart_lines (
    id         TEXT   PRIMARY KEY,
    cart_id    TEXT   NOT NULL REFERENCES cart_carts (id) ON DELETE CASCADE,
    sku        TEXT   NOT NULL,
    quantity   BIGINT NOT NULL CHECK (quantity BETWEEN 1 AND 999),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (cart_id, sku)
);

CREATE TABLE cart_wishlist (
    user_id    TEXT   NOT NULL,
    product_id TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, product_id)
);
CREATE INDEX cart_wishlist_recent ON cart_wishlist (user_id, created_at, product_id);

-- +goose Down
DROP TABLE cart_wishlist;
DROP TABLE cart_lines;
DROP TABLE cart_carts;
