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
type ProductRated struct {
	ProductID id.Product `json:"product_id"`
	Average   float64    `json:"average"` // 0 when Count is 0
	Count     int        `json:"count"`
	Seq       int64      `json:"seq"`
}
