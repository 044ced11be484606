// Package cart keeps shopping carts and wishlists.
//
// A guest gets a cart on its first cart call and is known by a cart token
// (32 random bytes, base64url; only its SHA-256 is stored). A signed-in user
// has one persistent cart. A call made with both a bearer token and a guest
// cart token merges the guest cart into the user's in one transaction:
// quantities of the same SKU are added, capped at what is available (see
// MergeCap), and the guest cart is marked merged so a replay does nothing.
//
// Carts store SKUs and quantities only. Every view reads current prices from
// the catalog and availability from inventory at request time; lines whose
// product went inactive, unknown or out of stock are flagged, never dropped.
// Money is summed in one currency (Options.Currency): a line priced in
// another currency is flagged currency_mismatch and left out of the
// subtotals, like lines that cannot be bought now (not purchasable or not in
// stock). item_count counts the units of every line.
//
// Placing an order from the cart takes exactly the ordered quantities out of
// it (RemoveOrdered), once per order: the order module calls it right after
// the order commits and again from its consumer of order.placed.v1, and
// cart_order_removals records the orders already applied. A line added, or a
// quantity raised, from another tab after the order read the cart stays.
// The hourly purge (the "cart.purge" job) forgets those records after
// GuestTTL, long after any redelivery.
//
// Tables: cart_carts, cart_lines, cart_wishlist, cart_order_removals.
//
// Events published, each in the transaction of its change (payloads in
// event.go):
//
//	cart.line.added.v1      units of a SKU added to a cart: cart_id, user_id
//	                        ("" for a guest cart), sku, product_id, quantity
//	                        (the units added), at; aggregate: the cart ID
//	cart.wishlist.added.v1  a product put on a wishlist (not when it was there
//	                        already): user_id, product_id, at; aggregate: the
//	                        user ID
//
// The recommend module learns from them. Events consumed: none (the order
// module calls RemoveOrdered from its own consumer, as cart cannot import
// order).
package cart
