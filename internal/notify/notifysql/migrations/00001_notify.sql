-- +goose Up
-- One notification per event and recipient: a redelivered event adds none.
CREATE TABLE notify_notification (
    id         TEXT   PRIMARY KEY,
    recipient  TEXT   NOT NULL,
    event_id   TEXT   NOT NULL,
    category   TEXT   NOT NULL,
    title      TEXT   NOT NULL,
    body       TEXT   NOT NULL,
    link       TEXT   NOT NULL,
    read_at    BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (event_id, recipient)
);
CREATE INDEX notify_notification_inbox ON notify_notification (recipient, created_at DESC, id DESC);
CREATE INDEX notify_notification_unread ON notify_notification (recipient) WHERE read_at IS NULL;

CREATE TABLE notify_preference (
    user_id  TEXT    NOT NULL,
    category TEXT    NOT NULL,
    in_app   BOOLEAN NOT NULL,
    email    BOOLEAN NOT NULL,
    PRIMARY KEY (user_id, category)
);

-- The mail outbox: written with the notifications, drained by the sender.
CREATE TABLE notify_mail (
    id          TEXT    PRIMARY KEY,
    event_id    TEXT    NOT NULL,
    recipient   TEXT    NOT NULL,
    to_addr     TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    text_body   TEXT    NOT NULL,
    html_body   TEXT    NOT NULL,
    category    TEXT    NOT NULL,
    unsubscribe TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT '',
    next_at     BIGINT  NOT NULL,
    sent_at     BIGINT,
    created_at  BIGINT  NOT NULL,
    UNIQUE (event_id, recipient)
);
CREATE INDEX notify_mail_due ON notify_mail (next_at) WHERE status = 'pending';
CREATE INDEX notify_mail_status ON notify_mail (status, id);

-- +goose Down
DROP TABLE notify_mail;
DROP TABLE notify_preference;
DROP TABLE notify_notification;
