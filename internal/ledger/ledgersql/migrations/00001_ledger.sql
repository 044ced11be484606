-- +goose Up
-- Transactions and their entries are only ever inserted. Balances are sums
-- of entries; nothing stores them.
CREATE TABLE ledger_txn (
    id              TEXT   PRIMARY KEY,
    kind            TEXT   NOT NULL,
    reference       TEXT   NOT NULL UNIQUE,
    order_id        TEXT   NOT NULL DEFAULT '',
    seller_order_id TEXT   NOT NULL DEFAULT '',
    payment_id      TEXT   NOT NULL DEFAULT '',
    refund_id       TEXT   NOT NULL DEFAULT '',
    payout_id       TEXT   NOT NULL DEFAULT '',
    seller_id       TEXT   NOT NULL DEFAULT '',
    partner_id      TEXT   NOT NULL DEFAULT '',
    memo            TEXT   NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL
);
CREATE INDEX ledger_txn_sale ON ledger_txn (seller_order_id) WHERE seller_order_id <> '';
CREATE INDEX ledger_txn_time ON ledger_txn (created_at, id);

CREATE TABLE ledger_entry (
    txn_id        TEXT    NOT NULL REFERENCES ledger_txn (id),
    line          INTEGER NOT NULL,
    account_kind  TEXT    NOT NULL,
    account_owner TEXT    NOT NULL,
    currency      TEXT    NOT NULL CHECK (length(currency) = 3),
    amount        BIGINT  NOT NULL CHECK (amount <> 0),
    created_at    BIGINT  NOT NULL,
    PRIMARY KEY (txn_id, line)
);
-- Statements and balances of one account, in posting order.
CREATE INDEX ledger_entry_account ON ledger_entry (account_kind, account_owner, currency, created_at, txn_id, line);
-- A seller's balances across its accounts.
CREATE INDEX ledger_entry_owner ON ledger_entry (account_owner, account_kind, currency);

CREATE TABLE ledger_sale (
    seller_order_id TEXT   PRIMARY KEY,
    order_id        TEXT   NOT NULL,
    payment_id      TEXT   NOT NULL DEFAULT '',
    seller_id       TEXT   NOT NULL,
    gateway         TEXT   NOT NULL,
    currency        TEXT   NOT NULL,
    total           BIGINT NOT NULL CHECK (total > 0),
    commission      BIGINT NOT NULL CHECK (commission >= 0 AND commission <= total),
    release_at      BIGINT,
    released_at     BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX ledger_sale_due ON ledger_sale (release_at) WHERE released_at IS NULL AND release_at IS NOT NULL;

-- The commission rules: one row, the whole set as JSON, with its version.
CREATE TABLE ledger_commission (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    version    BIGINT  NOT NULL,
    rules      TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL
);

CREATE TABLE ledger_payout (
    id          TEXT   PRIMARY KEY,
    seller_id   TEXT   NOT NULL,
    currency    TEXT   NOT NULL,
    amount      BIGINT NOT NULL CHECK (amount > 0),
    status      TEXT   NOT NULL CHECK (status IN ('pending', 'in_transit', 'paid', 'failed')),
    channel     TEXT   NOT NULL CHECK (channel IN ('stripe', 'manual')),
    destination TEXT   NOT NULL DEFAULT '',
    transfer_to TEXT   NOT NULL DEFAULT '',
    transfer_id TEXT   NOT NULL DEFAULT '',
    failure     TEXT   NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    approved_at BIGINT,
    paid_at     BIGINT,
    failed_at   BIGINT
);
-- At most one open payout per seller and currency.
CREATE UNIQUE INDEX ledger_payout_open ON ledger_payout (seller_id, currency) WHERE status IN ('pending', 'in_transit');
CREATE INDEX ledger_payout_seller ON ledger_payout (seller_id, currency, id);
CREATE INDEX ledger_payout_status ON ledger_payout (status, id);

CREATE TABLE ledger_payout_account (
    seller_id      TEXT   PRIMARY KEY,
    stripe_account TEXT   NOT NULL DEFAULT '',
    holder         TEXT   NOT NULL DEFAULT '',
    account_number TEXT   NOT NULL DEFAULT '',
    routing        TEXT   NOT NULL DEFAULT '',
    updated_at     BIGINT NOT NULL
);

-- +goose Down
DROP TABLE ledger_payout_account;
DROP TABLE ledger_payout;
DROP TABLE ledger_commission;
DROP TABLE ledger_sale;
DROP TABLE ledger_entry;
DROP TABLE ledger_txn;
