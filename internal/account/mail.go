package account

import (
	"context"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
)

// Mailer sends the account's own e-mail: verification and reset links,
// the notice of an e-mail change and of a new sign-in. The composition
// root adapts the notify module's mail outbox to it; account never writes
// another module's tables.
type Mailer interface {
	SendAccountMail(ctx context.Context, m Mail) error
}

// MailKind says which account mail is sent.
type MailKind string

// Account mails.
const (
	MailVerifyEmail   MailKind = "verify_email"   // confirm the address (Link)
	MailResetPassword MailKind = "reset_password" // choose a new password (Link)
	MailConfirmEmail  MailKind = "confirm_email"  // to the new address of an e-mail change (Link)
	MailEmailChanging MailKind = "email_changing" // to the old address: a change to NewEmail was asked
	MailNewSignIn     MailKind = "new_sign_in"    // a sign-in from a device not seen before
)

// Mail is one account mail. Link is a web path with its single-use token
// ("/verify-email?token=..."): the mailer makes it absolute with the shop's
// public URL. A Mail is never published as an event, logged or put in the
// in-app inbox: its link is a credential.
type Mail struct {
	Kind    MailKind
	UserID  id.User
	To      string
	Name    string
	Link    string
	Expires time.Time // when Link stops working
	// NewEmail is the address an e-mail change goes to (MailEmailChanging).
	NewEmail string
	// Device and IP describe a new sign-in (MailNewSignIn).
	Device, IP string
	At         time.Time
}

func (s *Service) mail(ctx context.Context, m Mail) error {
	if s.opts.Mailer == nil {
		return nil
	}
	return s.opts.Mailer.SendAccountMail(ctx, m)
}
