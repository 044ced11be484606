package account

import "time"

// SellerStatus says whether a store may trade.
type SellerStatus string

const (
	SellerActive    SellerStatus = "active"
	SellerSuspended SellerStatus = "suspended"
)

// Seller is a store on the marketplace, owned by one user with the seller role.
type Seller struct {
	ID          string       `json:"id"`
	UserID      string       `json:"user_id"`
	Name        string       `json:"name"`
	Slug        string       `json:"slug"`
	Description string       `json:"description"`
	Status      SellerStatus `json:"status"`
	CreatedAt   time.Time    `json:"created_at"`
}
