package server

import (
	"context"
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

// publicURL is the shop's address as e-mail links give it: the
// configured public URL, else the listen address, with localhost for an
// unspecified host.
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
