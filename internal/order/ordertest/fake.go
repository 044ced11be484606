// Package ordertest holds the order Store contract suite, fakes of the
// interfaces the order module declares, and Env: the order module wired to
// the real inventory, cart and payment modules (with the built-in test
// gateway) on one database, for the module's service, HTTP and flash-sale
// tests.
package ordertest

import (
	"context"
	"sync"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Addresses is an in-memory order.Addresses: each address belongs to its
// UserID, and another user's is NotFound.
type Addresses struct {
	mu   sync.Mutex
	ByID map[string]account.Address
}

// NewAddresses returns an address book holding as.
func NewAddresses(as ...account.Address) *Addresses {
	a := &Addresses{ByID: map[string]account.Address{}}
	for _, x := range as {
		a.ByID[string(x.ID)] = x
	}
	return a
}

// Put adds or replaces an address.
func (a *Addresses) Put(x account.Address) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ByID[string(x.ID)] = x
}

// Address returns the signed-in user's address id.
func (a *Addresses) Address(ctx context.Context, id id.Address) (account.Address, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return account.Address{}, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	x, ok := a.ByID[string(id)]
	if !ok || x.UserID != p.UserID {
		return account.Address{}, apperr.NotFound("address %s not found", id)
	}
	return x, nil
}

// Clock is a settable clock: the real time moved by an offset, so that
// timeouts measured by the real clock (database, HTTP) keep working.
type Clock struct {
	mu  sync.Mutex
	off time.Duration
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// As returns ctx signed in as userID with role.
func As(ctx context.Context, userID id.User, role auth.Role) context.Context {
	return auth.With(ctx, auth.Principal{UserID: userID, Role: role})
}
