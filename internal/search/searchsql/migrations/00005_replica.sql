-- +goose Up
-- The refresh queue and the stock states are per search replica: every
-- replica keeps its own index, so each queues and refreshes every change.
-- Rows from before replicas belong to the replica named "default".
CREATE TABLE search_pending_r (
    replica    TEXT   NOT NULL,
    product_id TEXT   NOT NULL,
    queued_at  BIGINT NOT NULL,
    PRIMARY KEY (replica, product_id)
);
INSERT INTO search_pending_r (replica, product_id, queued_at) SELECT 'default', product_id, queued_at FROM search_pending;
DROP TABLE search_pending;
ALTER TABLE search_pending_r RENAME TO search_pending;
CREATE INDEX search_pending_queued ON search_pending (replica, queued_at, product_id);

CREATE TABLE search_sku_stock_r (
    replica  TEXT     NOT NULL,
    sku      TEXT     NOT NULL,
    in_stock SMALLINT NOT NULL,
    PRIMARY KEY (replica, sku)
);
INSERT INTO search_sku_stock_r (replica, sku, in_stock) SELECT 'default', sku, in_stock FROM search_sku_stock;
DROP TABLE search_sku_stock;
ALTER TABLE search_sku_stock_r RENAME TO search_sku_stock;

-- +goose Down
CREATE TABLE search_pending_o (
    product_id TEXT   PRIMARY KEY,
    queued_at  BIGINT NOT NULL
);
INSERT INTO search_pending_o (product_id, queued_at) SELECT product_id, MAX(queued_at) FROM search_pending GROUP BY product_id;
DROP TABLE search_pending;
ALTER TABLE search_pending_o RENAME TO search_pending;
CREATE TABLE search_sku_stock_o (
    sku      TEXT     PRIMARY KEY,
    in_stock SMALLINT NOT NULL
);
INSERT INTO search_sku_stock_o (sku, in_stock) SELECT sku, MAX(in_stock) FROM search_sku_stock GROUP BY sku;
DROP TABLE search_sku_stock;
ALTER TABLE search_sku_stock_o RENAME TO search_sku_stock;
