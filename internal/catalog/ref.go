package catalog

import (
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// SKU is what other modules (inventory, cart, order) need to know about one
// purchasable variant.
type SKU struct {
	SKU          string            `json:"sku"`
	VariantID    id.Variant        `json:"variant_id"`
	ProductID    id.Product        `json:"product_id"`
	ProductTitle string            `json:"product_title"`
	ProductSlug  string            `json:"product_slug"`
	SellerID     id.Seller         `json:"seller_id"`
	Options      map[string]string `json:"options"`
	Price        money.Money       `json:"price"`
	Image        string            `json:"image,omitempty"` // URL of the product's first image
	Active       bool              `json:"active"`          // the product is active and can be bought
}

// ProductRef is a short summary of a product for lists kept by other
// modules (wishlists, recommendations).
type ProductRef struct {
	ID       id.Product `json:"id"`
	Title    string     `json:"title"`
	Slug     string     `json:"slug"`
	SellerID id.Seller  `json:"seller_id"`
	// CategoryID is the product's category (its ancestors are in the
	// category tree).
	CategoryID id.Category `json:"category_id"`
	Brand      string      `json:"brand"`
	MinPrice   money.Money `json:"min_price"`
	Image      string      `json:"image,omitempty"`
	Active     bool        `json:"active"`
}
