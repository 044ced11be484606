package catalog

import "github.com/bazaar-market/bazaar/internal/money"

// SKU is what other modules (inventory, cart, order) need to know about one
// purchasable variant.
type SKU struct {
	SKU          string            `json:"sku"`
	VariantID    string            `json:"variant_id"`
	ProductID    string            `json:"product_id"`
	ProductTitle string            `json:"product_title"`
	ProductSlug  string            `json:"product_slug"`
	SellerID     string            `json:"seller_id"`
	Options      map[string]string `json:"options"`
	Price        money.Money       `json:"price"`
	Image        string            `json:"image,omitempty"` // URL of the product's first image
	Active       bool              `json:"active"`          // the product is active and can be bought
}

// ProductRef is a short summary of a product for lists kept by other
// modules (wishlists, recommendations).
type ProductRef struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Slug     string `json:"slug"`
	SellerID string `json:"seller_id"`
	// CategoryID is the product's category (its ancestors are in the
	// category tree).
	CategoryID string      `json:"category_id"`
	Brand      string      `json:"brand"`
	MinPrice   money.Money `json:"min_price"`
	Image      string      `json:"image,omitempty"`
	Active     bool        `json:"active"`
}
