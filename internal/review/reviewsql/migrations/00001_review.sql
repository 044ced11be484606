-- +goose Up
CREATE TABLE review_reviews (
    id                TEXT    PRIMARY KEY,
    product_id        TEXT    NOT NULL,
    customer_id       TEXT    NOT NULL,
    author            TEXT    NOT NULL,
    rating            INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title             TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    verified_purchase INTEGER NOT NULL CHECK (verified_purchase IN (0, 1)),
    status            TEXT    NOT NULL CHECK (status IN ('published', 'hidden')),
    moderation_note   TEXT    NOT NULL DEFAULT '',
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    -- One review per customer and product.
    UNIQUE (product_id, customer_id)
);
-- A product's published reviews, newest first.
CREATE INDEX review_reviews_product ON review_reviews (product_id, status, created_at DESC, id DESC);

-- Each product's aggregate of published reviews; seq grows with every change.
CREATE TABLE review_products (
    product_id TEXT   PRIMARY KEY,
    stars1     BIGINT NOT NULL,
    stars2     BIGINT NOT NULL,
    stars3     BIGINT NOT NULL,
    stars4     BIGINT NOT NULL,
    stars5     BIGINT NOT NULL,
    seq        BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE review_products;
DROP TABLE review_reviews;
