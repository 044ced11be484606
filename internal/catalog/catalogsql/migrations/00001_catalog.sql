-- +goose Up
-- catalog_meta holds counters whose conditional UPDATE serialises a kind of
-- write (category tree changes) on both engines without SELECT ... FOR UPDATE.
CREATE TABLE catalog_meta (
    k TEXT   PRIMARY KEY,
    v BIGINT NOT NULL
);
INSERT INTO catalog_meta (k, v) VALUES ('category_tree', 0);

CREATE TABLE catalog_categories (
    id         TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    slug       TEXT    NOT NULL,
    parent_id  TEXT    REFERENCES catalog_categories (id),
    position   INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);
CREATE UNIQUE INDEX catalog_categories_slug ON catalog_categories (slug);
CREATE INDEX catalog_categories_parent ON catalog_categories (parent_id);

CREATE TABLE catalog_products (
    id          TEXT    PRIMARY KEY,
    slug        TEXT    NOT NULL,
    seller_id   TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    title_key   TEXT    NOT NULL,
    description TEXT    NOT NULL,
    brand       TEXT    NOT NULL,
    brand_key   TEXT    NOT NULL,
    category_id TEXT    NOT NULL REFERENCES catalog_categories (id),
    attributes  TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('draft', 'active', 'archived')),
    currency    TEXT    NOT NULL,
    price_min   BIGINT  NOT NULL CHECK (price_min >= 0),
    price_max   BIGINT  NOT NULL CHECK (price_max >= price_min),
    version     BIGINT  NOT NULL,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE UNIQUE INDEX catalog_products_slug ON catalog_products (slug);
-- One index per sort, each led by status (lists show one status), and one
-- per equality filter followed by the default sort.
CREATE INDEX catalog_products_newest ON catalog_products (status, created_at, id);
CREATE INDEX catalog_products_price_min ON catalog_products (status, price_min, id);
CREATE INDEX catalog_products_price_max ON catalog_products (status, price_max, id);
CREATE INDEX catalog_products_category ON catalog_products (category_id, status, created_at, id);
CREATE INDEX catalog_products_seller ON catalog_products (seller_id, status, created_at, id);
CREATE INDEX catalog_products_brand ON catalog_products (brand_key, status, created_at, id);

CREATE TABLE catalog_variants (
    id           TEXT    PRIMARY KEY,
    product_id   TEXT    NOT NULL REFERENCES catalog_products (id) ON DELETE CASCADE,
    sku          TEXT    NOT NULL,
    options      TEXT    NOT NULL,
    price_amount BIGINT  NOT NULL CHECK (price_amount >= 0),
    currency     TEXT    NOT NULL,
    position     INTEGER NOT NULL
);
CREATE UNIQUE INDEX catalog_variants_sku ON catalog_variants (sku);
CREATE INDEX catalog_variants_product ON catalog_variants (product_id, position);
CREATE INDEX catalog_variants_price ON catalog_variants (product_id, price_amount);

CREATE TABLE catalog_images (
    id           TEXT    PRIMARY KEY,
    product_id   TEXT    NOT NULL REFERENCES catalog_products (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    content_type TEXT    NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    size         BIGINT  NOT NULL,
    sha256       TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL
);
CREATE INDEX catalog_images_product ON catalog_images (product_id, position);

-- +goose Down
DROP TABLE catalog_images;
DROP TABLE catalog_variants;
DROP TABLE catalog_products;
DROP TABLE catalog_categories;
DROP TABLE catalog_meta;
