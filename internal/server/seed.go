package server

import (
	"context"
	"errors"
	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/auth"
	"io"
)

// SeedOptions controls demo seeding.
type SeedOptions struct {
	Progress io.Writer // where progress is reported; nil for none
}

// Login is a demo account's credentials, printed at start.
type Login struct {
	Email, Password, Role string
}

// Seed loads the demo data idempotently and returns the demo logins.
func (s *Server) Seed(ctx context.Context, opts SeedOptions) ([]Login, error) {
	return nil, errors.New("demo data: not wired yet")
}

// CreateUser creates an account of any role (the CLI's bootstrap path).
func (s *Server) CreateUser(ctx context.Context, email, password, name, role string) (string, error) {
	u, err := s.mods.account.CreateUser(ctx, account.NewUser{Email: email, Password: password, Name: name, Role: auth.Role(role)})
	if err != nil {
		return "", err
	}
	return u.ID, nil
}
