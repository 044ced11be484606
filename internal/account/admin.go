package account

import (
	"context"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
)

// User returns a user to an admin, or to the user itself.
func (s *Service) User(ctx context.Context, id id.User) (User, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return User{}, err
	}
	if p.UserID != id && !p.Is(auth.Admin) {
		return User{}, apperr.NotFound("user %s not found", id)
	}
	return s.store.User(ctx, id)
}

// Users lists users for an admin.
func (s *Service) Users(ctx context.Context, f UserFilter) ([]User, error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return nil, err
	}
	var v apperr.Fields
	v.Check(f.Role == "" || f.Role.Valid(), "role", "must be one of "+joinRoles(auth.Roles))
	v.Check(f.Status == "" || f.Status.Valid(), "status", "must be active or suspended")
	if err := v.Err(); err != nil {
		return nil, err
	}
	f.Limit = clampLimit(f.Limit)
	return s.store.Users(ctx, f)
}

// SuspendUser stops a user from signing in and ends its sessions (admin
// only). Admins cannot suspend themselves.
func (s *Service) SuspendUser(ctx context.Context, id id.User) (User, error) {
	p, err := auth.Require(ctx, auth.Admin)
	if err != nil {
		return User{}, err
	}
	if p.UserID == id {
		return User{}, apperr.Conflict("cannot_suspend_self", "you cannot suspend your own account")
	}
	u, err := s.store.SetUserStatus(ctx, id, UserSuspended, s.now())
	s.cache.forget(id, "")
	return u, err
}

// ReinstateUser lets a suspended user sign in again (admin only). Its old
// sessions stay ended.
func (s *Service) ReinstateUser(ctx context.Context, id id.User) (User, error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return User{}, err
	}
	u, err := s.store.SetUserStatus(ctx, id, UserActive, s.now())
	s.cache.forget(id, "")
	return u, err
}
