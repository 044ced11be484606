-- +goose Up
-- OpenID Connect ("Sign in with ..."): links, started flows, hand-offs.
CREATE TABLE account_identities (
    provider   TEXT   NOT NULL,
    subject    TEXT   NOT NULL,
    user_id    TEXT   NOT NULL REFERENCES account_users (id),
    email      TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX account_identities_user ON account_identities (user_id);

CREATE TABLE account_oidc_flows (
    state_hash   TEXT   PRIMARY KEY,
    provider     TEXT   NOT NULL,
    nonce        TEXT   NOT NULL,
    verifier     TEXT   NOT NULL,
    binding_hash TEXT   NOT NULL,
    redirect_url TEXT   NOT NULL,
    next         TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX account_oidc_flows_expiry ON account_oidc_flows (expires_at);

CREATE TABLE account_oidc_handoffs (
    code_hash    TEXT   PRIMARY KEY,
    user_id      TEXT   NOT NULL REFERENCES account_users (id),
    binding_hash TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX account_oidc_handoffs_expiry ON account_oidc_handoffs (expires_at);

-- +goose Down
DROP TABLE account_oidc_handoffs;
DROP TABLE account_oidc_flows;
DROP TABLE account_identities;
