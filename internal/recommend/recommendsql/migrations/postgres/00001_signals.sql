-- +goose Up
-- recommend_signals is every shopper signal the recommendations learn from:
-- views (the beacon), cart and wishlist adds, purchases, ratings and
-- returns. subject is "u:<user ID>" or "s:<guest session>"; kind is
-- recmodel.Kind; value the stars of a rating; at unix seconds. seq orders
-- the rows for the processes that tail the table into their models.
CREATE TABLE recommend_signals (
    seq        BIGINT   GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject    TEXT     NOT NULL,
    product_id TEXT     NOT NULL,
    kind       SMALLINT NOT NULL,
    value      SMALLINT NOT NULL DEFAULT 0,
    at         BIGINT   NOT NULL
);
CREATE INDEX recommend_signals_at ON recommend_signals (at);

-- +goose Down
DROP TABLE recommend_signals;
