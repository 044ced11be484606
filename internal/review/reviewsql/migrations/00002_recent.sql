-- +goose Up
-- The moderation queue: every review, or those of one status, newest first.
CREATE INDEX review_reviews_recent ON review_reviews (created_at DESC, id DESC);
CREATE INDEX review_reviews_status ON review_reviews (status, created_at DESC, id DESC);

-- +goose Down
DROP INDEX review_reviews_status;
DROP INDEX review_reviews_recent;
