package account

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
)

// OpenStore creates the store of the signed-in seller. A user has at most
// one store (Conflict "seller_exists"). The slug is made from the name and
// made unique with a short suffix if needed.
func (s *Service) OpenStore(ctx context.Context, in NewSeller) (Seller, error) {
	p, err := auth.Require(ctx, auth.Seller)
	if err != nil {
		return Seller{}, err
	}
	if err := in.normalize(); err != nil {
		return Seller{}, err
	}
	now := s.now()
	sel := Seller{ID: id.Make[id.Seller](), UserID: p.UserID, Name: in.Name, Description: in.Description,
		Status: SellerActive, CreatedAt: now, UpdatedAt: now}
	base := slugify(in.Name)
	for attempt := range 5 {
		sel.Slug = base
		if attempt > 0 {
			sel.Slug = base + "-" + suffix()
		}
		err = s.store.CreateSeller(ctx, sel)
		if apperr.CodeOf(err) != "slug_taken" {
			break
		}
	}
	if err != nil {
		return Seller{}, fmt.Errorf("open store: %w", err)
	}
	return sel, nil
}

// suffix returns 5 random lower-case base32 characters.
func suffix() string {
	const digits = "0123456789abcdefghjkmnpqrstvwxyz"
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = digits[b[i]%32]
	}
	return string(b)
}

// Seller returns the store with id. A suspended store is NotFound to all
// but admins (its owner sees it through MySeller).
func (s *Service) Seller(ctx context.Context, id id.Seller) (Seller, error) {
	sel, err := s.store.Seller(ctx, id)
	if err != nil {
		return Seller{}, err
	}
	if sel.Status != SellerActive {
		if p, ok := auth.From(ctx); !ok || !p.Is(auth.Admin) {
			return Seller{}, apperr.NotFound("seller %s not found", id)
		}
	}
	return sel, nil
}

// SellersByID returns, by ID, the stores of ids the caller may see as
// Seller shows them (a suspended store only to admins), in one store call;
// a store that is missing or hidden is absent from the map.
func (s *Service) SellersByID(ctx context.Context, ids []id.Seller) (map[id.Seller]Seller, error) {
	out := make(map[id.Seller]Seller, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	sels, err := s.store.SellersByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	p, ok := auth.From(ctx)
	admin := ok && p.Is(auth.Admin)
	for _, sel := range sels {
		if sel.Status == SellerActive || admin {
			out[sel.ID] = sel
		}
	}
	return out, nil
}

// MySeller returns the signed-in user's store, whatever its status.
func (s *Service) MySeller(ctx context.Context) (Seller, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return Seller{}, err
	}
	return s.store.SellerByUser(ctx, p.UserID)
}

// SellerOfUser returns the store of user userID, whatever its status
// (callers check Status). It is privileged, for other modules in process;
// NotFound if the user has no store.
func (s *Service) SellerOfUser(ctx context.Context, userID id.User) (Seller, error) {
	return s.store.SellerByUser(ctx, userID)
}

// Sellers lists stores for an admin.
func (s *Service) Sellers(ctx context.Context, f SellerFilter) ([]Seller, error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return nil, err
	}
	var v apperr.Fields
	v.Check(f.Status == "" || f.Status.Valid(), "status", "must be active or suspended")
	if err := v.Err(); err != nil {
		return nil, err
	}
	f.Limit = clampLimit(f.Limit)
	return s.store.Sellers(ctx, f)
}

// SuspendSeller stops a store from trading (admin only).
func (s *Service) SuspendSeller(ctx context.Context, id id.Seller) (Seller, error) {
	return s.setSellerStatus(ctx, id, SellerSuspended)
}

// ReinstateSeller lets a suspended store trade again (admin only).
func (s *Service) ReinstateSeller(ctx context.Context, id id.Seller) (Seller, error) {
	return s.setSellerStatus(ctx, id, SellerActive)
}

func (s *Service) setSellerStatus(ctx context.Context, id id.Seller, st SellerStatus) (Seller, error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return Seller{}, err
	}
	return s.store.SetSellerStatus(ctx, id, st, s.now())
}

func clampLimit(n int) int {
	if n < 1 {
		return 20
	}
	return min(n, 500)
}
