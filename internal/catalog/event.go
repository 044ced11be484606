package catalog

import (
	"time"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"

	"github.com/bazaar-market/bazaar/internal/money"
)

// Topics this module publishes.
const (
	TopicProductCreated  = event.Topic[ProductEvent]("catalog.product.created.v1")
	TopicProductUpdated  = event.Topic[ProductEvent]("catalog.product.updated.v1")
	TopicProductArchived = event.Topic[ProductEvent]("catalog.product.archived.v1")
	TopicCategoryChanged = event.Topic[CategoryEvent]("catalog.category.changed.v1")
)

// Event is an event a Store publishes in the same transaction as its change.
// Make one with eventOf, which checks the payload's type against the topic.
type Event struct {
	Topic     string
	Aggregate string // the product or category ID
	Payload   any
}

// eventOf is the event of topic t about aggregate with payload p.
func eventOf[T any](t event.Topic[T], aggregate string, p T) Event {
	return Event{Topic: t.Name(), Aggregate: aggregate, Payload: p}
}

// ProductEvent is the payload of the catalog.product.* events: the whole
// product document a search index needs.
type ProductEvent struct {
	ID          id.Product        `json:"id"`
	Slug        string            `json:"slug"`
	SellerID    id.Seller         `json:"seller_id"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Brand       string            `json:"brand"`
	Status      Status            `json:"status"`
	Category    CategoryRef       `json:"category"`
	CategoryIDs []id.Category     `json:"category_ids"` // the category and its ancestors, root first
	Attributes  map[string]string `json:"attributes"`
	Variants    []VariantDoc      `json:"variants"`
	PriceMin    money.Money       `json:"price_min"`
	PriceMax    money.Money       `json:"price_max"`
	Images      []string          `json:"images"` // URLs in display order
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// VariantDoc is a variant in a ProductEvent.
type VariantDoc struct {
	ID      id.Variant        `json:"id"`
	SKU     string            `json:"sku"`
	Options map[string]string `json:"options"`
	Price   money.Money       `json:"price"`
}

// CategoryEvent is the payload of catalog.category.changed.v1. Renames and
// moves change the path of every product below the category: SubtreeIDs lists
// the category and its descendants so a consumer can re-index them.
type CategoryEvent struct {
	Action     string        `json:"action"` // created, updated or deleted
	Category   Category      `json:"category"`
	SubtreeIDs []id.Category `json:"subtree_ids"`
}

func productEvent(topic event.Topic[ProductEvent], p Product, t *Tree) Event {
	doc := ProductEvent{
		ID: p.ID, Slug: p.Slug, SellerID: p.SellerID, Title: p.Title, Description: p.Description,
		Brand: p.Brand, Status: p.Status, Category: t.Ref(p.CategoryID), CategoryIDs: t.Ancestors(p.CategoryID),
		Attributes: p.Attributes, PriceMin: p.PriceMin, PriceMax: p.PriceMax,
		Variants: make([]VariantDoc, len(p.Variants)), Images: make([]string, len(p.Images)),
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
	for i, v := range p.Variants {
		doc.Variants[i] = VariantDoc{ID: v.ID, SKU: v.SKU, Options: v.Options, Price: v.Price}
	}
	for i, im := range p.Images {
		doc.Images[i] = ImageURL(im.ID)
	}
	return eventOf(topic, string(p.ID), doc)
}
