-- +goose Up
-- search_signals holds what reviews and sales say about a product (filled by
-- the catalog generator today, by the review and order events later).
-- Ratings are stored in hundredths of a star so both engines keep integers.
CREATE TABLE search_signals (
    product_id   TEXT   PRIMARY KEY,
    rating_x100  BIGINT NOT NULL CHECK (rating_x100 BETWEEN 0 AND 500),
    rating_count BIGINT NOT NULL CHECK (rating_count >= 0),
    sales        BIGINT NOT NULL CHECK (sales >= 0),
    updated_at   BIGINT NOT NULL
);

-- +goose Down
DROP TABLE search_signals;
