package cart

import (
	"context"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
)

// Store keeps carts, their lines and wishlists.
type Store interface {
	// CreateGuestCart makes a guest cart known by tokenHash.
	CreateGuestCart(ctx context.Context, tokenHash string, now time.Time) (Cart, error)
	// GuestCart returns the active guest cart with tokenHash; NotFound if
	// none (or it was merged).
	GuestCart(ctx context.Context, tokenHash string) (Cart, error)
	// UserCart returns the user's cart, creating it on first need.
	UserCart(ctx context.Context, userID id.User, now time.Time) (Cart, error)
	// CartOfUser returns the user's cart, NotFound if the user has none.
	CartOfUser(ctx context.Context, userID id.User) (Cart, error)
	// Touch marks a cart as used now.
	Touch(ctx context.Context, cartID id.Cart, now time.Time) error

	// Lines lists a cart's lines, oldest first.
	Lines(ctx context.Context, cartID id.Cart) ([]Line, error)
	// Line returns one line of the cart, NotFound if not in it.
	Line(ctx context.Context, cartID id.Cart, lineID id.CartLine) (Line, error)
	// AddLine adds quantity of sku (to its line if the cart has one) unless
	// the line would then hold more than limit, in which case it changes
	// nothing and returns false. The check and the write are one statement;
	// a line added publishes added (TopicLineAdded) in its transaction.
	AddLine(ctx context.Context, cartID id.Cart, sku string, quantity, limit int64, now time.Time, added LineAdded) (bool, error)
	// SetQuantity sets a line's quantity; NotFound if the line is not in the cart.
	SetQuantity(ctx context.Context, cartID id.Cart, lineID id.CartLine, quantity int64, now time.Time) error
	// DeleteLine removes a line; NotFound if it is not in the cart.
	DeleteLine(ctx context.Context, cartID id.Cart, lineID id.CartLine, now time.Time) error
	// ClearUser removes every line of the user's cart.
	ClearUser(ctx context.Context, userID id.User, now time.Time) error
	// RemoveOrdered takes what order orderID ordered out of the user's
	// cart, once per order, in one transaction that also records the order:
	// each SKU's line goes down by the ordered quantity and is deleted when
	// nothing is left; SKUs not in the cart are skipped. It reports false,
	// changing nothing, if the order's removal was recorded before.
	RemoveOrdered(ctx context.Context, userID id.User, orderID id.Order, lines []Ordered, now time.Time) (bool, error)
	// Merge moves the active guest cart's lines into the user cart in one
	// transaction: a SKU in both gets the sum, capped at caps[sku] (a line
	// already above its cap keeps its quantity; a SKU without a cap is
	// capped at MaxQuantity); the guest cart is marked merged and emptied.
	// It reports false, changing nothing, if the guest cart was already
	// merged.
	Merge(ctx context.Context, guestCartID, userCartID id.Cart, caps map[string]int64, now time.Time) (bool, error)
	// PurgeGuestCarts deletes guest carts (merged or not) untouched since
	// before olderThan, with their lines, and returns how many. It also
	// forgets the orders taken out of carts before olderThan (by then no
	// redelivery of order.placed.v1 will ask again).
	PurgeGuestCarts(ctx context.Context, olderThan time.Time) (int, error)

	// AddWish puts a product on a user's wishlist; false (and the existing
	// entry) if it was already there. A product added publishes
	// TopicWishlistAdded in the same transaction.
	AddWish(ctx context.Context, userID id.User, productID id.Product, now time.Time) (Wish, bool, error)
	// RemoveWish takes a product off a wishlist; no error if it was not on it.
	RemoveWish(ctx context.Context, userID id.User, productID id.Product) error
	// Wishes lists a wishlist newest first, after the cursor when given.
	Wishes(ctx context.Context, userID id.User, after *WishCursor, limit int) ([]Wish, error)
}
