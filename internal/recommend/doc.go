// Package recommend recommends products: "bought together" and "viewed
// together" with a product, "similar" products, "for you" from a shopper's
// history and session, "trending" overall or in a category, and "you may
// also like" for a cart. The models (recmodel) live in memory, one copy per
// process; this package feeds them, filters what they propose and explains
// it.
//
// Learning: every signal is a row of recommend_signals (recommendsql) —
// views (the activity beacon, View), cart and wishlist adds, purchases,
// ratings and returns (from the other modules' events, stored once each by
// the shared "recommend" consumer in the transaction that records the event
// applied), and Import's bulk loads. Each process loads the rows within the
// horizon (Options.Horizon, 180 days) at start, in the background with
// progress logs, then tails the table by seq every second: every process
// sees every signal, and a restart loses nothing. A hole in the sequence
// (a transaction that took a seq and has not committed) is waited for five
// seconds. The models learn co-occurrence at once and are retrained once
// loaded and every Options.TrainEvery (10 minutes). Signals past the
// horizon are deleted hourly (one process at a time).
//
// Products: read from the catalog at start (every status) and kept in step
// by the catalog.product.* events (per-process consumer "recommend@" +
// replica); stores' status by account.seller.{suspended,reinstated}.v1.
// The products a list ends with are read from the catalog in one batch
// (Options.Refs), so their title, slug, image and price are current and one
// archived a moment ago is dropped.
//
// Lists (each over-fetches from its model, then filters and spreads):
//
//	also_bought  items bought by the shoppers who bought the product within
//	             30 days of it (shrunk cosine of co-purchase counts, see
//	             recmodel); reason bought_with
//	also_viewed  the same over views within two hours; reason viewed_with
//	similar      TF-IDF content neighbours (words, category path, brand,
//	             price band); works for a product no one has seen; reason
//	             similar_to
//	for_you      candidates from the user's history and the session's views
//	             (co-occurrence and content neighbours, favourite
//	             categories' trending) ranked with the implicit-ALS factors
//	             Train fits; reason viewed or bought (the item that led to
//	             it); a new shopper gets trending
//	trending     time-decayed popularity (3-day half-life), in the category's
//	             subtree if given, then all-time popularity; reason trending
//	             ("Trending in Camping") or popular
//	cart         bought (then viewed) with the cart's products, then similar
//	             to them
//
// Every list drops the product(s) asked about, for_you drops the
// shopper's own history, and all drop what the shopper bought lately and
// what cannot be bought: not active, out of stock on every variant
// (inventory, read per list), seller suspended. No more than ceil(limit/3)
// items come from one seller or one brand while others are available.
//
// Tables (recommendsql):
//
//	recommend_signals  seq, subject ("u:<user>" or "s:<session>"), product_id,
//	                   kind (recmodel.Kind), value (stars), at (unix seconds)
//
// Events published: none.
// Events consumed: order.paid.v1 (purchases; replacements excluded),
// cart.line.added.v1, cart.wishlist.added.v1, review.rated.v1 (the
// author's stars when a review is written or edited), return.requested.v1
// (a negative signal), catalog.product.{created,updated,archived}.v1,
// catalog.category.changed.v1, account.seller.{suspended,reinstated}.v1.
// Stock is read from the inventory when a list is made, so
// inventory.stock.changed.v1 is not needed.
package recommend
