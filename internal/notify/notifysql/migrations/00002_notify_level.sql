-- +goose Up
-- Levels told once per fall (a SKU's stock running low): whether each was
-- low when last seen, so news goes out when it falls, not on every change.
CREATE TABLE notify_level (
    level_key TEXT    PRIMARY KEY,
    low       BOOLEAN NOT NULL
);

-- +goose Down
DROP TABLE notify_level;
