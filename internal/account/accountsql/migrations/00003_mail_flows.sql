-- +goose Up
-- E-mail verification. Accounts that exist already registered before
-- verification was asked for: they count as verified (their owners have
-- been using them; a seller's listings must not vanish). New accounts
-- start unverified unless the operator or an identity provider vouches.
ALTER TABLE account_users ADD COLUMN email_verified BOOLEAN NOT NULL DEFAULT TRUE;

-- Single-use tokens sent by e-mail (verification, password reset, e-mail
-- change): only their SHA-256 is kept. email is the address the link was
-- sent to (the new one for an e-mail change).
CREATE TABLE account_mail_tokens (
    hash       TEXT   PRIMARY KEY,
    user_id    TEXT   NOT NULL REFERENCES account_users (id),
    purpose    TEXT   NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'change_email')),
    email      TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX account_mail_tokens_user ON account_mail_tokens (user_id, purpose);
CREATE INDEX account_mail_tokens_expiry ON account_mail_tokens (expires_at);

-- Devices users signed in from (hashes of a device cookie and of a user
-- agent on a network), for the "new sign-in" notice.
CREATE TABLE account_devices (
    user_id      TEXT   NOT NULL REFERENCES account_users (id),
    key_hash     TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, key_hash)
);

-- +goose Down
DROP TABLE account_devices;
DROP TABLE account_mail_tokens;
ALTER TABLE account_users DROP COLUMN email_verified;
