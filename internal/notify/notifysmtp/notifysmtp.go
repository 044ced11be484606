// Package notifysmtp sends notify's outbox mail through an SMTP server
// with github.com/wneessen/go-mail.
package notifysmtp

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/bazaar-market/bazaar/internal/notify"
)

// Sender is a notify.Sender over one SMTP server.
type Sender struct {
	from string
	opts []mail.Option
	host string
}

var _ notify.Sender = (*Sender)(nil)

// New returns a Sender to the server of rawURL, smtp://user:pass@host:port
// (STARTTLS when the server offers it) or smtps://... (implicit TLS),
// sending as from. The URL's credentials never appear in its errors.
func New(rawURL, from string) (*Sender, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("smtp url: not a URL")
	}
	if from == "" {
		return nil, fmt.Errorf("smtp: a sender address (mail from) is required")
	}
	opts := []mail.Option{mail.WithTimeout(20 * time.Second)}
	port := 587
	switch u.Scheme {
	case "smtp":
		opts = append(opts, mail.WithTLSPortPolicy(mail.TLSOpportunistic))
	case "smtps":
		port = 465
		opts = append(opts, mail.WithSSL())
	default:
		return nil, fmt.Errorf("smtp url: scheme must be smtp or smtps")
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("smtp url: bad port")
		}
	}
	opts = append(opts, mail.WithPort(port))
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(u.User.Username()), mail.WithPassword(pass))
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("smtp url: a host is required")
	}
	return &Sender{from: from, opts: opts, host: u.Hostname()}, nil
}

// Send implements notify.Sender: one connection per mail, the plain-text
// part first and the HTML part as its alternative, List-Unsubscribe on
// non-transactional mail.
func (s *Sender) Send(ctx context.Context, m notify.Mail) error {
	msg := mail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("from address: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("to address: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageID()
	msg.SetDate()
	if m.Unsubscribe != "" {
		msg.SetGenHeader(mail.HeaderListUnsubscribe, "<"+m.Unsubscribe+">")
	}
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	c, err := mail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send mail %s: %w", m.ID, err)
	}
	return nil
}
