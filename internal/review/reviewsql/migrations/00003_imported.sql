-- +goose Up
-- Ratings without review text loaded in bulk (a synthetic catalog, or
-- ratings brought from another platform): they count in a product's
-- aggregate (stars1..5 hold the written reviews' and these together);
-- written is how many of them are published reviews.
ALTER TABLE review_products ADD COLUMN imported1 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE review_products ADD COLUMN imported2 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE review_products ADD COLUMN imported3 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE review_products ADD COLUMN imported4 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE review_products ADD COLUMN imported5 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE review_products ADD COLUMN written BIGINT NOT NULL DEFAULT 0;
UPDATE review_products SET written = stars1 + stars2 + stars3 + stars4 + stars5;

-- +goose Down
ALTER TABLE review_products DROP COLUMN written;
ALTER TABLE review_products DROP COLUMN imported5;
ALTER TABLE review_products DROP COLUMN imported4;
ALTER TABLE review_products DROP COLUMN imported3;
ALTER TABLE review_products DROP COLUMN imported2;
ALTER TABLE review_products DROP COLUMN imported1;
