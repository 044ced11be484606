package cart

import (
	"time"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Topics this module publishes, in the transaction of the change.
const (
	// TopicLineAdded: units of a SKU were added to a cart (a new line or
	// more of one); the aggregate is the cart ID.
	TopicLineAdded = event.Topic[LineAdded]("cart.line.added.v1")
	// TopicWishlistAdded: a product was put on a wishlist (not when it was
	// there already); the aggregate is the user ID.
	TopicWishlistAdded = event.Topic[WishlistAdded]("cart.wishlist.added.v1")
)

// LineAdded is the payload of TopicLineAdded.
type LineAdded struct {
	CartID    id.Cart    `json:"cart_id"`
	UserID    id.User    `json:"user_id,omitempty"` // "" for a guest cart
	SKU       string     `json:"sku"`
	ProductID id.Product `json:"product_id"`
	Quantity  int64      `json:"quantity"` // the units added
	At        time.Time  `json:"at"`
}

// WishlistAdded is the payload of TopicWishlistAdded.
type WishlistAdded struct {
	UserID    id.User    `json:"user_id"`
	ProductID id.Product `json:"product_id"`
	At        time.Time  `json:"at"`
}
