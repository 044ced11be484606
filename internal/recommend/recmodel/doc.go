// Package recmodel holds the recommendation models in memory, over dense
// integer ids: item-to-item co-occurrence ("also bought", "also viewed"),
// content similarity ("similar"), time-decayed popularity ("trending",
// overall and per category), a popularity baseline, and "for you".
//
// It knows nothing of the database, the events or HTTP: the recommend
// module feeds it (SetProduct, Add), asks it (AlsoBought, ...), filters what
// it answers and explains it. The offline evaluation (recgen) feeds it the
// same way. Every method is safe for concurrent use (one RWMutex; Train
// works outside it and swaps its result in).
//
// # Also bought, also viewed
//
// Amazon's item-to-item collaborative filtering (Linden, Smith and York
// 2003), counted incrementally in Add. A purchase pairs with the shopper's
// distinct purchases of the 30 days before (Options.BoughtWindow), a view
// with the views of the 2 hours before (Options.ViewWindow, about a
// session), at most Options.Pairs (20) of the newest of them, so a shopper
// viewing 1000 items costs 1000×20 pair updates, not 1000². An item already
// in the window is not counted again: a pair counts shoppers, not clicks. A
// return takes back the pairs its purchase made.
//
// A pair (a, b) seen c times scores c/√(nₐ·n_b) · c/(c+Options.Shrink):
// the cosine of the items' shopper vectors, shrunk towards zero when c is
// small. The cosine divides by √n_b, so a best-seller bought with
// everything does not top every list (raw counts would put it first; lift,
// c·N/(nₐn_b), over-rewards rare items seen together once, which the
// shrinkage damps). Each item keeps at most 2×Options.Neighbours (2×50)
// neighbours; a full row is sorted and cut to its best 50, so the pairs
// seen once in a popular item's row make room and memory stays bounded.
// A query sorts one row: microseconds.
//
// # Similar
//
// The cosine of TF-IDF vectors (IDF = ln(1+N/df), updated when a feature's
// df changes) over the
// words of the text (lowercased, stop words dropped, plurals stripped), the
// leaf category (weight 2) and its ancestors (1), the brand (1.5) and the
// price band (⌊log₁.₅ price⌋, with half weight on the bands beside it).
// SetProduct indexes a product at once, so a product listed a minute ago
// has neighbours and is one. A query walks an inverted index from the
// item's rarest feature, at most 1000 postings (the newest) per feature
// and 6000 in all, then rescores its 100 best candidates exactly:
// bounded, whatever the catalogue's size. Price bands have no postings:
// they only weigh in the final cosine.
//
// # Trending, popular
//
// Trending is time-decayed popularity: an event adds its kind's weight
// (view 1, wish and cart 3, purchase 5, rating stars-3 when positive) times
// 2^((t-t₀)/h), h = Options.HalfLife, so all scores decay alike and their
// order never changes with the clock (Cormode et al.'s forward decay; t₀
// is rebased before the factors overflow). Scores only grow, so a top list
// of Options.TopList (200) items per category on the product's path, and
// of 5×TopList (1000) overall, updated on each event, stays exact without
// rescanning; a query selects from one list, and asked for more than the
// list holds answers the list. Popular is the all-time sum of the same
// weights, kept the same way (1000). A product moved to another category leaves its old
// categories' lists, which then hold one item fewer until others enter.
//
// # For you
//
// Implicit-feedback matrix factorisation (Hu, Koren and Volinsky 2008). Add
// sums each shopper's weights per item (at most Options.UserItems items;
// a return is -8 and a 1-2 star rating negative). Train fits k =
// Options.Factors (32) factors per user and item, float32: a pair of summed
// weight w has preference 1 if w > 0 else 0 (a returned item is a
// confident 0) and confidence 1+α|w|; every other pair preference 0,
// confidence 1. Each sweep solves every user's, then every item's, k×k
// normal equations, YᵀY computed once per half-sweep so a row costs
// O(nᵤk² + k³), with a Cholesky solve (gonum's LAPACK), over
// Options.Workers goroutines; Options.Iterations (8) sweeps, warm-started
// from the previous factors. Train does nothing when no weight changed.
//
// ForYou never scores the whole catalogue. Its candidates are what was
// bought and viewed with its seeds (the session's items, then the history's,
// newest first, each weighed down by its rank), the items similar to the
// two newest seeds (a cheaper Similar: 2000 postings), the trending items
// of the seeds' two favourite leaf categories and the 50 best of trending
// overall (each list scaled so its best scores 1, then weighed 0.3 for the
// categories, 0.1 overall). A candidate scores its best seed's weighed
// score plus the factors' predicted preference when both the shopper and
// the item were trained; Because is that seed (NoItem for a trending one).
// A shopper new since the last Train is folded in: its factors solved from
// its weights against the trained items' (one ALS half-step, about k³
// flops). A guest with only a session is served by the co-occurrence of the
// session alone, a shopper with nothing by trending; trending also fills a
// short list. Items of the history and the session are never proposed.
//
// # Costs
//
// Add is O(Pairs × 2·Neighbours + TopList × depth of the category path).
// Every query is bounded by the caps above, independent of the catalogue;
// bench/RESULTS.md has the figures at 1M products and 10M events.
package recmodel
