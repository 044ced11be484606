package ledgertest

import (
	"context"
	"fmt"
	"sync"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/ledger"
)

// Sellers maps seller users to their stores.
type Sellers struct {
	mu sync.Mutex
	of map[id.User]id.Seller
}

// NewSellers returns an empty map of stores.
func NewSellers() *Sellers { return &Sellers{of: map[id.User]id.Seller{}} }

// Set records that user runs seller.
func (s *Sellers) Set(user id.User, seller id.Seller) {
	s.mu.Lock()
	s.of[user] = seller
	s.mu.Unlock()
}

// SellerOfUser implements ledger.Sellers.
func (s *Sellers) SellerOfUser(_ context.Context, user id.User) (id.Seller, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sel, ok := s.of[user]
	if !ok {
		return "", apperr.NotFound("user %s runs no store", user)
	}
	return sel, nil
}

// Mode is how the fake gateway answers transfers.
type Mode int

const (
	TransferOK     Mode = iota // transfers are made
	TransferRefuse             // transfers are refused (Unprocessable)
	TransferDown               // the gateway is down (Unavailable)
)

// Transfers is a Stripe-like transferer: idempotent by key, and answering
// as its Mode says.
type Transfers struct {
	mu    sync.Mutex
	Mode  Mode
	made  map[string]ledger.TransferParams // by idempotency key
	ids   map[string]string
	Calls int
}

// NewTransfers returns a transferer that makes every transfer.
func NewTransfers() *Transfers {
	return &Transfers{made: map[string]ledger.TransferParams{}, ids: map[string]string{}}
}

// SetMode changes how the next transfers are answered.
func (f *Transfers) SetMode(m Mode) {
	f.mu.Lock()
	f.Mode = m
	f.mu.Unlock()
}

// Transfer implements ledger.Transferer.
func (f *Transfers) Transfer(_ context.Context, p ledger.TransferParams) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Calls++
	if tid, ok := f.ids[p.IdempotencyKey]; ok {
		if f.made[p.IdempotencyKey] != p {
			return "", apperr.New(apperr.KindInvalid, "idempotency_mismatch", "key %s reused with other parameters", p.IdempotencyKey)
		}
		return tid, nil
	}
	switch f.Mode {
	case TransferRefuse:
		return "", apperr.Unprocessable("account_closed", "the destination account is closed")
	case TransferDown:
		return "", apperr.New(apperr.KindUnavailable, "gateway_down", "the gateway does not answer")
	}
	tid := fmt.Sprintf("tr_%d", len(f.ids)+1)
	f.ids[p.IdempotencyKey], f.made[p.IdempotencyKey] = tid, p
	return tid, nil
}

// Made returns the transfers made, by idempotency key.
func (f *Transfers) Made() map[string]ledger.TransferParams {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]ledger.TransferParams{}
	for k, v := range f.made {
		out[k] = v
	}
	return out
}
