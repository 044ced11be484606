package carthttp

import (
	"github.com/bazaar-market/bazaar/internal/cart"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// Ops describes every route Routes registers, for the OpenAPI document.
func (h *Handler) Ops() []rest.Op {
	carts, wish := []string{"cart"}, []string{"wishlist"}
	const guests = " A guest is known by its cart token, sent in the " + TokenHeader + " header or the " + CookieName +
		" cookie; a guest without a valid token gets a new cart and token. A signed-in caller who also sends a guest token has that cart merged into its own."
	tokenIn := []rest.Param{{Name: TokenHeader, In: "header", Description: "a guest's cart token (or the " + CookieName + " cookie)"}}
	cartOut := []rest.Param{
		{Name: TokenHeader, Description: "the guest's cart token; absent for a signed-in caller"},
		{Name: "Set-Cookie", Description: CookieName + "=<token> when a guest cart is created; cleared for a signed-in caller whose guest cart was merged"},
		{Name: "Cache-Control", Description: "no-store"},
	}
	return []rest.Op{
		{
			ID: "cart", Method: "GET", Path: "/api/v1/cart", Tags: carts, Auth: rest.AuthOptional,
			Summary:     "The caller's cart, with current prices and availability",
			Description: "Lines are grouped per seller; lines that cannot be bought now are flagged, never dropped, and left out of the subtotals." + guests,
			Params:      tokenIn, Response: cart.View{}, Headers: cartOut,
		},
		{
			ID: "addCartItem", Method: "POST", Path: "/api/v1/cart/item", Tags: carts, Auth: rest.AuthOptional,
			Summary:     "Add units of a SKU to the cart",
			Description: "quantity is 1 to 999 and adds to the SKU's line if there is one. An unknown SKU is 404, an inactive product 422 not_purchasable, more than is available 409 insufficient_stock." + guests,
			Params:      tokenIn, Request: cart.ItemInput{}, Response: cart.View{}, Headers: cartOut, Errors: []int{404, 409, 422},
		},
		{
			ID: "updateCartItem", Method: "PUT", Path: "/api/v1/cart/item/{id}", Tags: carts, Auth: rest.AuthOptional,
			Summary:     "Set the quantity of a cart line",
			Description: "Raising it is checked like adding; lowering it always works. Another cart's line is 404." + guests,
			Params:      append([]rest.Param{{Name: "id", In: "path", Description: "the line's ID"}}, tokenIn...),
			Request:     cart.QuantityInput{}, Response: cart.View{}, Headers: cartOut, Errors: []int{404, 409, 422},
		},
		{
			ID: "removeCartItem", Method: "DELETE", Path: "/api/v1/cart/item/{id}", Tags: carts, Auth: rest.AuthOptional,
			Summary:     "Remove a cart line",
			Description: "Another cart's line is 404." + guests,
			Params:      append([]rest.Param{{Name: "id", In: "path", Description: "the line's ID"}}, tokenIn...),
			Errors:      []int{404},
		},
		{
			ID: "mergeCart", Method: "POST", Path: "/api/v1/cart/merge", Tags: carts, Auth: rest.AuthBearer,
			Summary:     "Merge a guest cart into the signed-in caller's cart",
			Description: "Quantities of the same SKU are added, capped at what is available. Idempotent: an unknown or already merged token changes nothing.",
			Params:      tokenIn, Response: cart.View{}, Headers: cartOut,
		},
		{
			ID: "wishlist", Method: "GET", Path: "/api/v1/wishlist", Tags: wish, Auth: rest.AuthBearer,
			Summary:     "The caller's wishlist, newest first",
			Description: "Products since removed from the catalog are listed with their ID only and active false.",
			Params:      rest.PageParams(), Response: page.Page[cart.WishItem]{}, Errors: []int{400},
		},
		{
			ID: "addWish", Method: "POST", Path: "/api/v1/wishlist", Tags: wish, Auth: rest.AuthBearer,
			Summary:     "Put an active product on the wishlist",
			Description: "201 when it was added, 200 when it already was there. An unknown or inactive product is 404.",
			Request:     cart.WishInput{}, Response: cart.WishItem{}, Status: 201, AltStatus: []int{200}, Errors: []int{404},
		},
		{
			ID: "removeWish", Method: "DELETE", Path: "/api/v1/wishlist/{product_id}", Tags: wish, Auth: rest.AuthBearer,
			Summary:     "Take a product off the wishlist",
			Description: "Succeeds whether or not the product was on it.",
		},
	}
}
