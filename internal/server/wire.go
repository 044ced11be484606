package server

import (
	"context"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/account/accounthttp"
	"github.com/bazaar-market/bazaar/internal/account/accountsql"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// modules holds every built module of this process.
type modules struct {
	account *account.Service
}

// check is the auth middleware's hook: it confirms the caller's account is
// still active and its session not revoked.
func (m *modules) check(ctx context.Context, p auth.Principal) (auth.Principal, error) {
	return m.account.Check(ctx, p)
}

// wire migrates and builds every module and mounts their routes.
func (s *Server) wire(ctx context.Context) error {
	for _, migrate := range []func(context.Context, *sqldb.DB) error{
		accountsql.Migrate,
	} {
		if err := migrate(ctx, s.db); err != nil {
			return err
		}
	}
	s.mods.account = account.New(accountsql.New(s.db), s.tokens, account.Options{})
	accounthttp.New(s.mods.account).Routes(s.router)
	return nil
}
