-- +goose Up
-- The review module's sequence of the rating last applied: review.rated.v1
-- events carry a growing sequence per product, and an older one (a
-- redelivery after a newer) changes nothing.
ALTER TABLE search_signals ADD COLUMN rating_seq BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE search_signals DROP COLUMN rating_seq;
