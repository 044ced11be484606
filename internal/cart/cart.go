package cart

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// MaxQuantity is the most units of one SKU a cart line holds.
const MaxQuantity = 999

// GuestTTL is how long an untouched guest cart is kept (see PurgeGuestCarts).
const GuestTTL = 30 * 24 * time.Hour

// Cart is a guest's or a user's cart.
type Cart struct {
	ID        id.Cart
	UserID    id.User // "" for a guest cart
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Line is a quantity of one SKU in a cart, as stored.
type Line struct {
	ID       id.CartLine `json:"id"`
	SKU      string      `json:"sku"`
	Quantity int64       `json:"quantity"`
	AddedAt  time.Time   `json:"added_at"`
}

// Ordered is a quantity of one SKU an order took from a cart (see
// Service.RemoveOrdered).
type Ordered struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// View is a cart as shown to its owner, with current prices and availability.
type View struct {
	ID        id.Cart     `json:"id"`
	Token     string      `json:"token,omitempty"` // guests only
	Groups    []Group     `json:"groups"`
	Subtotal  money.Money `json:"subtotal"`
	ItemCount int64       `json:"item_count"`
	Currency  string      `json:"currency"`
	// NewToken says the guest cart was created by this call, so the token
	// should be handed to the client (cookie) for the first time.
	NewToken bool `json:"-"`
}

// Group is the part of a cart sold by one seller.
type Group struct {
	SellerID   id.Seller   `json:"seller_id"`
	SellerName string      `json:"seller_name"`
	Lines      []LineView  `json:"lines"`
	Subtotal   money.Money `json:"subtotal"`
}

// LineView is one cart line with its current catalog facts.
type LineView struct {
	ID               id.CartLine       `json:"id"`
	SKU              string            `json:"sku"`
	ProductID        id.Product        `json:"product_id"`
	ProductTitle     string            `json:"product_title"`
	ProductSlug      string            `json:"product_slug"`
	Options          map[string]string `json:"options"`
	Image            string            `json:"image,omitempty"`
	Quantity         int64             `json:"quantity"`
	UnitPrice        money.Money       `json:"unit_price"`
	LineTotal        money.Money       `json:"line_total"`
	Available        int64             `json:"available"`
	InStock          bool              `json:"in_stock"`    // available covers the quantity
	Purchasable      bool              `json:"purchasable"` // the product exists and is active
	CurrencyMismatch bool              `json:"currency_mismatch,omitempty"`
}

// ItemInput adds a SKU to a cart.
type ItemInput struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// QuantityInput sets a line's quantity.
type QuantityInput struct {
	Quantity int64 `json:"quantity"`
}

// WishInput adds a product to a wishlist.
type WishInput struct {
	ProductID id.Product `json:"product_id"`
}

// Wish is a product on a user's wishlist, as stored.
type Wish struct {
	ProductID id.Product
	AddedAt   time.Time
}

// WishItem is a wishlist entry shown with the product's summary.
type WishItem struct {
	catalog.ProductRef
	AddedAt time.Time `json:"added_at"`
}

// WishCursor is the keyset position after which a wishlist page starts.
type WishCursor struct {
	AddedAt   int64      `json:"t"` // Unix microseconds
	ProductID id.Product `json:"p"`
}

// MergeCap is the most units of a SKU a merge leaves in the user's cart:
// what is available, but at least 1 so a guest's out-of-stock line is kept
// (flagged) rather than silently dropped, and at most MaxQuantity. A user's
// existing line is never reduced by a merge.
func MergeCap(available int64) int64 { return min(max(available, 1), MaxQuantity) }

// NewToken returns a new guest cart token and the hash that is stored.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashOf(token)
}

// HashToken returns the stored hash of a token, false if the token is not of
// the shape NewToken makes.
func HashToken(token string) (string, bool) {
	if len(token) != 43 {
		return "", false
	}
	if b, err := base64.RawURLEncoding.DecodeString(token); err != nil || len(b) != 32 {
		return "", false
	}
	return hashOf(token), true
}

func hashOf(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func insufficientStock(available int64) error {
	msg := fmt.Sprintf("only %d available", available)
	return &apperr.Error{Kind: apperr.KindConflict, Code: "insufficient_stock", Message: msg,
		Fields: []apperr.FieldError{{Field: "quantity", Message: msg}}}
}
