package recommendhttp

import (
	"net/http"
	"strconv"

	"github.com/bazaar-market/bazaar/internal/recommend"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// Ops describes every route Routes registers, for the OpenAPI document.
func (h *Handler) Ops() []rest.Op {
	tags := []string{"recommendation"}
	limit := rest.Param{Name: "limit", Type: "integer", Min: new(int64(1)), Max: new(int64(recommend.MaxLimit)),
		Default: recommend.DefaultLimit, Description: "how many products to return"}
	session := rest.Param{Name: "session", MaxLength: 64,
		Description: "the guest's session ID (8 to 64 of A-Z a-z 0-9 _ -), as the web keeps it in localStorage \"bazaar.session\""}
	items := "Items never include the product(s) asked about, products that cannot be bought (not active, out of stock on every " +
		"variant, seller suspended) nor what the shopper bought lately; no more than a third of a list comes from one seller or one " +
		"brand while others are available. Each item has a reason (code and text). An empty list has items []."
	ops := []rest.Op{
		{
			Method: "POST", Path: "/api/v1/activity", Tags: tags, Auth: rest.AuthOptional,
			Summary: "Report that a shopper viewed a product page (the beacon)",
			Description: "kind is \"view\". A signed-in caller's view counts for the user (and its session, if given); a guest's " +
				"for its session, which is then required. Rate-limited per shopper and per client address (429 with Retry-After). " +
				"Cart and wishlist adds, purchases, ratings and returns are learnt from the other modules' events.",
			Request: activity{}, Response: accepted{}, Status: http.StatusAccepted, Errors: []int{http.StatusNotFound, http.StatusTooManyRequests},
		},
		{
			Method: "GET", Path: "/api/v1/product/{id}/recommendation", Tags: tags, Auth: rest.AuthOptional,
			Summary: "Products related to a product: also bought, also viewed, similar",
			Description: "{id} is a product ID or slug (404 if unknown). also_bought: bought by the shoppers who bought it; " +
				"also_viewed: viewed by those who viewed it; similar: like it by category, brand and price (works for a new product). " + items,
			Params: []rest.Param{
				{Name: "kind", Required: true, Enum: recommend.ProductKinds, Description: "which list"},
				limit, session,
			},
			Response: recommend.List{}, Errors: []int{http.StatusNotFound},
		},
		{
			Method: "GET", Path: "/api/v1/recommendation", Tags: tags, Auth: rest.AuthOptional,
			Summary: "Products for a shopper: for you, trending, or to go with a cart",
			Description: "for_you: from the signed-in user's history and/or the guest session's views (a new shopper gets trending); " +
				"trending: most popular lately, in a category (and its subcategories) when given; cart: bought or viewed with the " +
				"products given, then like them. " + items,
			Params: []rest.Param{
				{Name: "kind", Required: true, Enum: recommend.ShopperKinds, Description: "which list"},
				{Name: "category", Description: "trending: a category ID or slug (404 if unknown)"},
				{Name: "product", Description: "cart: comma-separated product IDs, up to " + strconv.Itoa(recommend.MaxCart)},
				limit, session,
			},
			Response: recommend.List{}, Errors: []int{http.StatusNotFound},
		},
	}
	ops[0].Limits = constraints()
	return ops
}

// constraints are the list sizes recommend keeps to.
func constraints() []rest.Constraint {
	return []rest.Constraint{{Of: recommend.List{}, Field: "items", MaxItems: recommend.MaxLimit}}
}
