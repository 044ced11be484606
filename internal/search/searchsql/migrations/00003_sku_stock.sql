-- +goose Up
-- search_sku_stock is whether each SKU was in stock at its last stock event,
-- as the search module saw it. Search results only need to know when a
-- product goes in or out of stock, so a stock change refreshes the product's
-- document only when it flips its SKU's state here (a checkout's reserve and
-- commit mostly do not).
CREATE TABLE search_sku_stock (
    sku      TEXT     PRIMARY KEY,
    in_stock SMALLINT NOT NULL
);

-- +goose Down
DROP TABLE search_sku_stock;
