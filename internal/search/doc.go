// Package search is product search and discovery: full text with typo
// tolerance, synonyms, English stemming and prefix matching on the last word,
// filters, sorts, facets with counts, highlighted snippets, and suggestions
// as a shopper types. It owns no product data: it keeps an index, fed by the
// catalog's, the inventory's and the stores' events and rebuilt from them on
// demand.
//
// The engine is behind Index: searchbleve is the embedded one (a Bleve index
// under <data>/search); a search-cluster driver can implement the same
// interface. Query analysis (Analyze: words, stop words, synonyms, typo
// allowance by word length, prefix on the last word) happens here, so every
// engine gets the same Plan.
//
// Matching: every word (or a synonym of it, ranked lower) must match, in
// title, brand, category path, attributes, description or store name,
// stemmed (English); or unstemmed within one edit for words of 5+ letters
// and two for 9+ (an adjacent transposition is one edit; a word the index
// has as such is taken as spelled right and not expanded); the last word
// also matches as a prefix. When less than a page matches every word, the
// results also hold products matching all but one (Result.Relaxed); when
// nothing matches at all, one more typo per word is allowed. An empty query
// browses, best sellers first. Facets are counted on the first page only.
//
// Suggestions come from memory: past queries, brand + category pairs of
// best sellers, categories, brands and the 20,000 best-selling products,
// each reachable from any of its words; a word one edit from a known word
// is corrected; products indexed since the suggestions were built (up to
// 2,000) are offered from a short list, so a product listed a moment ago
// is offered at once. They are rebuilt after a reindex, within a minute of
// a change and every five minutes.
//
// Keeping in step: with a Queue (as the server wires it), product and stock
// events only add the product to search_pending, in the transaction that
// records the event as applied, and RunQueue refreshes queued products in
// batches of up to 500 (kicked by the event, else every 250 ms): the event
// relay never waits for the index, a burst of stock changes of one product
// costs one refresh, and a crash loses nothing. Without a Queue (tests,
// tools) the handlers refresh documents themselves. Subscribe handles
// catalog.product.{created,updated,archived}.v1,
// catalog.category.changed.v1 (renames and moves re-index the subtree), inventory.stock.changed.v1 and account.seller.{suspended,
// reinstated}.v1 by re-reading the product(s) and upserting or deleting the
// document, so handlers are idempotent. Only active products of active
// stores are indexed. Reindex builds a new index in a new folder while the
// old one answers, replays the changes made meanwhile and swaps atomically;
// Rebuild does the same from another process (bazaar reindex) and the
// serving process swaps within seconds (Run).
//
// Ratings and sales are indexed from search_signals (searchsql). Sales
// count the units of every paid order (order.paid.v1) and lose those of a
// paid order cancelled before it shipped (order.cancelled.v1's sold lines);
// ratings are the review module's aggregate (review.rated.v1, applied only
// over an older sequence, so a redelivered old event changes nothing). Each
// is applied exactly once with the products queued in the same
// transaction; the catalog generator loads ratings and sales in bulk.
//
// Tables (searchsql):
//
//	search_signals    product_id, rating_x100, rating_count, rating_seq, sales
//	search_pending    product_id, queued_at (the refresh queue)
//	search_sku_stock  sku, in_stock (what stock changes matter)
//
// Events published: none.
// Events consumed: order.paid.v1, order.cancelled.v1, review.rated.v1,
// catalog.product.created.v1, catalog.product.updated.v1,
// catalog.product.archived.v1, catalog.category.changed.v1,
// inventory.stock.changed.v1, account.seller.suspended.v1,
// account.seller.reinstated.v1.
package search
