package server

import (
	"context"
	"io"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/demo"
)

// SeedOptions controls demo seeding.
type SeedOptions struct {
	Progress io.Writer // where progress lines go; nil for none
	// PerCategory is how many products each demo store lists per category
	// (default 10: about 200 products).
	PerCategory int
	// ImageSize is the side of generated product images (default 480 px).
	ImageSize int
}

// Login is a demo account's credentials, printed at start.
type Login = demo.Login

// Seed loads the demo marketplace idempotently, through the modules' own
// services, and returns one login per role.
func (s *Server) Seed(ctx context.Context, opts SeedOptions) ([]Login, error) {
	m := &s.mods
	return demo.Seeder{
		Accounts:    m.account,
		Catalog:     m.catalog,
		Stock:       m.inventory,
		PerCategory: opts.PerCategory,
		ImageSize:   opts.ImageSize,
	}.Seed(ctx, opts.Progress)
}

// CreateUser creates an account of any role (the CLI's bootstrap path).
func (s *Server) CreateUser(ctx context.Context, email, password, name, role string) (string, error) {
	u, err := s.mods.account.CreateUser(ctx, account.NewUser{Email: email, Password: password, Name: name, Role: auth.Role(role)})
	if err != nil {
		return "", err
	}
	return u.ID, nil
}
