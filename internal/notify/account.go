package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
)

// AccountMailKind says which account mail to send.
type AccountMailKind string

// Account mails.
const (
	AccountVerifyEmail   AccountMailKind = "verify_email"
	AccountResetPassword AccountMailKind = "reset_password"
	AccountConfirmEmail  AccountMailKind = "confirm_email"
	AccountEmailChanging AccountMailKind = "email_changing"
	AccountNewSignIn     AccountMailKind = "new_sign_in"
)

// AccountMail is a transactional mail of the account module. Link is a web
// path (with its token) made absolute with Options.BaseURL; the mail is
// the only place it is written to besides the outbox row.
type AccountMail struct {
	Kind     AccountMailKind
	UserID   id.User
	To       string
	Name     string
	Link     string
	Expires  time.Time
	NewEmail string
	Device   string
	IP       string
	At       time.Time
}

// SendAccountMail renders m with the mail layouts and puts it in the
// outbox, category "account" (transactional: sent whatever the
// preferences, no List-Unsubscribe, never in the in-app inbox). The
// sender job delivers it like any other mail.
func (s *Service) SendAccountMail(ctx context.Context, m AccountMail) error {
	d, err := accountText(m)
	if err != nil {
		return err
	}
	d.Name = m.Name
	d.URL = strings.TrimRight(s.opts.BaseURL, "/") + d.URL
	d.ShowURL = m.Link != "" // a link with a token: the mail's whole point
	mail, err := s.renderData(d, m.To, CategoryAccount)
	if err != nil {
		return fmt.Errorf("render %s mail: %w", m.Kind, err)
	}
	now := s.now()
	mail.ID = MailID(id.New("mal"))
	// An account mail answers no event: its own ID keeps the outbox's
	// (event, recipient) key unique.
	mail.EventID, mail.Recipient, mail.Status, mail.NextAt, mail.CreatedAt = id.Event(mail.ID), m.UserID, MailPending, now, now
	return s.store.AddMail(ctx, mail)
}

func until(t time.Time) string { return t.UTC().Format("15:04 UTC on 2 January 2006") }

// accountText is what each account mail says.
func accountText(m AccountMail) (mailData, error) {
	var d mailData
	switch m.Kind {
	case AccountVerifyEmail:
		d = mailData{Subject: "Confirm your e-mail address", Action: "Confirm my e-mail address", URL: m.Link,
			Body: "Please confirm that this is your e-mail address for your Bazaar account. The link works once, until " + until(m.Expires) + ".",
			Note: "You receive this because this address was used to sign up at Bazaar. If it was not you, ignore this mail."}
	case AccountResetPassword:
		d = mailData{Subject: "Reset your password", Action: "Choose a new password", URL: m.Link,
			Body: "We received a request to reset the password of your Bazaar account. The link works once, until " + until(m.Expires) +
				". Choosing a new password signs you out on every device.",
			Note: "If you did not ask for this, ignore this mail: your password stays as it is."}
	case AccountConfirmEmail:
		d = mailData{Subject: "Confirm your new e-mail address", Action: "Confirm my new address", URL: m.Link,
			Body: "You asked to use this address for your Bazaar account. The link works once, until " + until(m.Expires) +
				"; until you open it, your account keeps its current address.",
			Note: "If you did not ask for this, ignore this mail: nothing changes."}
	case AccountEmailChanging:
		d = mailData{Subject: "Your e-mail address is being changed", Action: "Review your account", URL: "/account",
			Body: "Someone signed in to your Bazaar account asked to change its e-mail address to " + m.NewEmail +
				". Nothing changes until that address is confirmed.",
			Note: "If it was not you, change your password now: the request needed it."}
	case AccountNewSignIn:
		d = mailData{Subject: "New sign-in to your account", Action: "Reset my password", URL: "/forgot-password",
			Body: "Your Bazaar account was signed in to from a device we had not seen before: " + m.Device + ", from " + orUnknown(m.IP) +
				", at " + m.At.UTC().Format("15:04 UTC on 2 January 2006") + ".",
			Note: "If it was you, there is nothing to do. If not, reset your password now."}
	default:
		return d, fmt.Errorf("unknown account mail %q", m.Kind)
	}
	d.Title = d.Subject
	return d, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown address"
	}
	return s
}
