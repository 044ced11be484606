package server

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/notify"
)

// notifyPeople tells notify where to write to a user and who runs a store.
type notifyPeople struct{ a *account.Service }

func (n notifyPeople) Contact(ctx context.Context, u id.User) (notify.Contact, error) {
	user, err := n.a.Contact(ctx, u)
	return notify.Contact{Email: user.Email, Name: user.Name}, err
}

func (n notifyPeople) SellerOwner(ctx context.Context, s id.Seller) (id.User, error) {
	return n.a.SellerOwner(ctx, s)
}

// accountMailer sends the account module's mail through notify's outbox.
type accountMailer struct{ m *modules }

func (a accountMailer) SendAccountMail(ctx context.Context, m account.Mail) error {
	if a.m.notify == nil {
		return fmt.Errorf("account mail %s: the notify module is not built", m.Kind)
	}
	return a.m.notify.SendAccountMail(ctx, notify.AccountMail{Kind: notify.AccountMailKind(m.Kind), UserID: m.UserID, To: m.To,
		Name: m.Name, Link: m.Link, Expires: m.Expires, NewEmail: m.NewEmail, Device: m.Device, IP: m.IP, At: m.At})
}

// publicURL is the shop's address as e-mail links give it: --public-url
// when set (the address OpenID Connect callbacks use too), else the listen
// address, with localhost for an unspecified host.
func (s *Server) publicURL() string {
	if s.cfg.PublicURL != "" {
		return strings.TrimRight(s.cfg.PublicURL, "/")
	}
	host, port, err := net.SplitHostPort(s.cfg.Addr)
	if err != nil || port == "" || port == "0" {
		return "http://localhost:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
