-- +goose Up
CREATE TABLE account_users (
    id            TEXT    PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('customer', 'seller', 'admin', 'delivery', 'support')),
    status        TEXT    NOT NULL CHECK (status IN ('active', 'suspended')),
    password_hash TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);
CREATE INDEX account_users_role ON account_users (role, id);

CREATE TABLE account_sessions (
    id         TEXT   PRIMARY KEY,
    user_id    TEXT   NOT NULL REFERENCES account_users (id),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX account_sessions_user ON account_sessions (user_id);

CREATE TABLE account_refresh_tokens (
    hash       TEXT   PRIMARY KEY,
    session_id TEXT   NOT NULL REFERENCES account_sessions (id),
    user_id    TEXT   NOT NULL REFERENCES account_users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX account_refresh_tokens_session ON account_refresh_tokens (session_id);
CREATE INDEX account_refresh_tokens_expiry ON account_refresh_tokens (expires_at);

CREATE TABLE account_sellers (
    id          TEXT   PRIMARY KEY,
    user_id     TEXT   NOT NULL UNIQUE REFERENCES account_users (id),
    name        TEXT   NOT NULL,
    slug        TEXT   NOT NULL UNIQUE,
    description TEXT   NOT NULL,
    status      TEXT   NOT NULL CHECK (status IN ('active', 'suspended')),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX account_sellers_status ON account_sellers (status, id);

CREATE TABLE account_addresses (
    id          TEXT    PRIMARY KEY,
    user_id     TEXT    NOT NULL REFERENCES account_users (id),
    name        TEXT    NOT NULL,
    line1       TEXT    NOT NULL,
    line2       TEXT    NOT NULL,
    city        TEXT    NOT NULL,
    region      TEXT    NOT NULL,
    postal_code TEXT    NOT NULL,
    country     TEXT    NOT NULL,
    phone       TEXT    NOT NULL,
    is_default  INTEGER NOT NULL CHECK (is_default IN (0, 1)),
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX account_addresses_user ON account_addresses (user_id, id);
-- At most one default address per user.
CREATE UNIQUE INDEX account_addresses_default ON account_addresses (user_id) WHERE is_default = 1;

-- +goose Down
DROP TABLE account_addresses;
DROP TABLE account_sellers;
DROP TABLE account_refresh_tokens;
DROP TABLE account_sessions;
DROP TABLE account_users;
