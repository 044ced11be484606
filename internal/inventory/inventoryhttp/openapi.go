package inventoryhttp

import (
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// Ops describes every route Routes registers, for the OpenAPI document.
func (h *Handler) Ops() []rest.Op {
	tags := []string{"inventory"}
	sellerOrAdmin := []auth.Role{auth.Seller, auth.Admin}
	sku := rest.Param{Name: "sku", In: "path", Description: "a SKU of the caller's store (any SKU for an admin); another store's is 404"}
	return []rest.Op{
		{
			ID: "warehouses", Method: "GET", Path: "/api/v1/warehouse", Tags: tags, Auth: rest.AuthBearer, Roles: sellerOrAdmin,
			Summary:     "A store's warehouses",
			Description: "A seller sees its own (its first look creates the default warehouse); an admin names the store with seller_id. Never paginated.",
			Params:      []rest.Param{{Name: "seller_id", Description: "the store (sel_...); required for an admin, optional for a seller"}},
			Response:    page.Page[inventory.Warehouse]{}, Errors: []int{400, 404},
		},
		{
			ID: "createWarehouse", Method: "POST", Path: "/api/v1/warehouse", Tags: tags, Auth: rest.AuthBearer, Roles: []auth.Role{auth.Seller},
			Summary:     "Add a warehouse to the caller's store",
			Description: "A seller without a store yet gets 404.",
			Request:     inventory.WarehouseInput{}, Response: inventory.Warehouse{}, Status: 201, Errors: []int{404},
		},
		{
			ID: "stock", Method: "GET", Path: "/api/v1/inventory/{sku}", Tags: tags, Auth: rest.AuthBearer, Roles: sellerOrAdmin,
			Summary: "A SKU's stock per warehouse", Params: []rest.Param{sku}, Response: inventory.Stock{}, Errors: []int{404},
		},
		{
			ID: "setStock", Method: "PUT", Path: "/api/v1/inventory/{sku}", Tags: tags, Auth: rest.AuthBearer, Roles: sellerOrAdmin,
			Summary:     "Set how many units of a SKU are on hand in a warehouse",
			Description: "on_hand (0 to 1000000000) is required; warehouse defaults to the store's default warehouse; another store's warehouse is 404. on_hand below the units reserved there is 409 below_reserved.",
			Params:      []rest.Param{sku},
			Request:     inventory.StockInput{}, Response: inventory.Stock{}, Errors: []int{404, 409},
		},
	}
}
