-- +goose Up
-- search_pending is the index's work queue: products whose catalog or stock
-- changed and whose documents are to be refreshed. Events add rows in the
-- transaction that records them as applied, so a crash loses none; the
-- search worker refreshes them in batches and deletes the rows it did
-- (unless a newer change re-queued them meanwhile).
CREATE TABLE search_pending (
    product_id TEXT   PRIMARY KEY,
    queued_at  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE search_pending;
