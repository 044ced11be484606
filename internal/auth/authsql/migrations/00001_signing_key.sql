-- +goose Up
CREATE TABLE auth_signing_key (
    name       TEXT   PRIMARY KEY,
    seed       TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE auth_signing_key;
