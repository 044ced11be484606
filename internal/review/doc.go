// Package review keeps product ratings and reviews.
//
// A customer reviews a product once (one review per customer and product,
// which the author may edit or delete), and only after a seller order with
// the product has been delivered to them: every review is a verified
// purchase. Reviews imported with the demo data carry verified_purchase
// false. An admin or support agent hides a review (moderation) or shows it
// again; a hidden review counts in no aggregate and is listed to nobody but
// its author and staff.
//
// Each product's aggregate (count, average, the number of ratings per star)
// is recomputed from its published reviews, plus the ratings it has without
// text (loaded in bulk: a synthetic catalog, or ratings brought from another
// platform), in the transaction that changes one, and published as review.rated.v1 with a sequence number that grows
// with every change, so a consumer keeps the latest aggregate whatever order
// events arrive in. When the change is a review written or edited (and
// published), the event also carries its author (customer_id) and stars
// (rating): the recommend module learns each shopper's ratings from them.
//
// Tables: review_reviews, review_products.
// Events published: review.rated.v1 (ProductRated); review.hidden.v1
// (HiddenEvent) when moderation hides a review, so its author is told.
// Events consumed: none.
package review
