package account

import (
	"context"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Addresses lists the signed-in user's addresses (f.UserID is ignored).
func (s *Service) Addresses(ctx context.Context, f AddressFilter) ([]Address, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	f.UserID = p.UserID
	f.Limit = clampLimit(f.Limit)
	return s.store.Addresses(ctx, f)
}

// Address returns one of the signed-in user's addresses; another user's is
// NotFound.
func (s *Service) Address(ctx context.Context, id id.Address) (Address, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return Address{}, err
	}
	return s.store.Address(ctx, p.UserID, id)
}

// CreateAddress adds an address for the signed-in user. The first one
// becomes the default; a new default replaces the old.
func (s *Service) CreateAddress(ctx context.Context, in AddressInput) (Address, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return Address{}, err
	}
	if err := in.normalize(); err != nil {
		return Address{}, err
	}
	now := s.now()
	a := Address{ID: id.Make[id.Address](), UserID: p.UserID, CreatedAt: now, UpdatedAt: now}
	in.apply(&a)
	return s.store.CreateAddress(ctx, a)
}

// UpdateAddress replaces the fields of one of the signed-in user's
// addresses.
func (s *Service) UpdateAddress(ctx context.Context, id id.Address, in AddressInput) (Address, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return Address{}, err
	}
	if err := in.normalize(); err != nil {
		return Address{}, err
	}
	a := Address{ID: id, UserID: p.UserID, UpdatedAt: s.now()}
	in.apply(&a)
	return s.store.UpdateAddress(ctx, a)
}

// DeleteAddress removes one of the signed-in user's addresses.
func (s *Service) DeleteAddress(ctx context.Context, id id.Address) error {
	p, err := auth.Require(ctx)
	if err != nil {
		return err
	}
	return s.store.DeleteAddress(ctx, p.UserID, id)
}
