package review

import (
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
)

// TopicRated is published with every change to a product's published
// reviews (a review created, edited, deleted, hidden or shown again).
const TopicRated = event.Topic[ProductRated]("review.rated.v1")

// ProductRated is the payload of TopicRated: the product's aggregate after
// the change. Seq grows with every change of the product's aggregate; a
// consumer applies an event only if its Seq is above the last it applied.
// When the change is a review published or edited, CustomerID and Rating
// are its author and stars (a shopper's own rating, which recommendations
// learn from); they are empty for deletions, hiding and imports.
type ProductRated struct {
	ProductID  id.Product `json:"product_id"`
	Average    float64    `json:"average"` // 0 when Count is 0
	Count      int        `json:"count"`
	Seq        int64      `json:"seq"`
	CustomerID id.User    `json:"customer_id,omitempty"`
	Rating     int        `json:"rating,omitempty"` // 1 to 5 when CustomerID is set
}

// TopicHidden is published when moderation hides a published review, in
// the transaction that hides it, so its author can be told why. Hiding a
// review that is hidden already (a new reason) publishes nothing.
const TopicHidden = event.Topic[HiddenEvent]("review.hidden.v1")

// HiddenEvent is the payload of TopicHidden.
type HiddenEvent struct {
	ReviewID   id.Review  `json:"review_id"`
	ProductID  id.Product `json:"product_id"`
	CustomerID id.User    `json:"customer_id"` // the author
	Title      string     `json:"title"`       // the review's own title, may be empty
	Reason     string     `json:"reason"`      // the moderator's note to the author, may be empty
}
