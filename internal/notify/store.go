package notify

import (
	"context"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
)

// Store keeps notifications, preferences and the mail outbox.
type Store interface {
	// Apply records that consumer applied eventID and writes ns and
	// mails, in one transaction. It returns false, writing nothing, when
	// the consumer had applied the event before. A second notification or
	// mail for one (event, recipient) is skipped, never duplicated.
	Apply(ctx context.Context, consumer string, eventID id.Event, ns []Notification, mails []Mail) (bool, error)
	// ApplyLevel is Apply for news told once per fall of a level (a
	// SKU's stock): it records key as low or not and writes ns and mails
	// only when key goes from not low (or unknown) to low, all in one
	// transaction with the record of the event.
	ApplyLevel(ctx context.Context, consumer string, eventID id.Event, key string, low bool, ns []Notification, mails []Mail) (bool, error)
	// Low reports whether key was last recorded low.
	Low(ctx context.Context, key string) (bool, error)

	// Notifications lists a user's notifications newest first, before
	// the cursor when it is set.
	Notifications(ctx context.Context, user id.User, before *Cursor, limit int) ([]Notification, error)
	// Unread counts a user's unread notifications.
	Unread(ctx context.Context, user id.User) (int, error)
	// MarkRead marks one of a user's notifications read (kept as it is
	// when read already) and returns it; NotFound when the user has no
	// such notification.
	MarkRead(ctx context.Context, user id.User, n ID, at time.Time) (Notification, error)
	// MarkAllRead marks every unread notification of a user read and
	// returns how many it marked.
	MarkAllRead(ctx context.Context, user id.User, at time.Time) (int, error)

	// Preferences returns the preferences a user set (categories never
	// set are left out).
	Preferences(ctx context.Context, user id.User) ([]Preference, error)
	// SetPreferences writes preferences, replacing those of the same
	// categories.
	SetPreferences(ctx context.Context, user id.User, ps []Preference) error

	// AddMail puts one mail in the outbox.
	AddMail(ctx context.Context, m Mail) error
	// Mails lists outbox mails newest first.
	Mails(ctx context.Context, f MailFilter) ([]Mail, error)
	// Mail returns one outbox mail; NotFound if none.
	Mail(ctx context.Context, id MailID) (Mail, error)
	// DueMails returns up to limit pending mails whose next attempt is at
	// or before now, the earliest first.
	DueMails(ctx context.Context, now time.Time, limit int) ([]Mail, error)
	// UpdateMail writes a mail's status, attempts, last error, next
	// attempt and sent time.
	UpdateMail(ctx context.Context, m Mail) error
}

// Cursor is the position of the last notification of a page.
type Cursor struct {
	At time.Time `json:"t"`
	ID ID        `json:"i"`
}

// MailFilter selects outbox mails; empty fields select all.
type MailFilter struct {
	Status MailStatus
	Before MailID // mails before this ID (the cursor)
	Limit  int
}
