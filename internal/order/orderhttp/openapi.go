package orderhttp

import (
	"slices"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/payment/paymenthttp"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// Ops describes every route Routes registers, for the OpenAPI document.
func (h *Handler) Ops() []rest.Op {
	tags := []string{"order"}
	orderID := rest.Param{Name: "id", In: "path", Description: "order ID (ord_...)"}
	sellerOrderID := rest.Param{Name: "id", In: "path", Description: "seller order ID (sor_...)"}
	location := []rest.Param{{Name: "Location", Description: "the URL of the created resource"}}
	statuses := func(vals []string) rest.Param {
		return rest.Param{Name: "status", Description: "only this status", Enum: vals}
	}
	var orderStatuses, sellerStatuses []string
	for _, s := range order.Statuses {
		orderStatuses = append(orderStatuses, string(s))
	}
	for _, s := range order.SellerStatuses {
		sellerStatuses = append(sellerStatuses, string(s))
	}
	// A list filters by either; "returned" is both and is listed once.
	anyStatuses := slices.Clone(orderStatuses)
	for _, s := range sellerStatuses {
		if !slices.Contains(anyStatuses, s) {
			anyStatuses = append(anyStatuses, s)
		}
	}
	ops := []rest.Op{
		{
			ID: "placeOrder", Method: "POST", Path: "/api/v1/order", Tags: tags, Auth: rest.AuthBearer,
			Roles:   []auth.Role{auth.Customer},
			Summary: "Place an order from the cart or from explicit lines",
			Description: "Without lines the caller's cart is ordered, and exactly the ordered quantities then leave it (lines added meanwhile stay); lines naming one SKU twice are summed. " +
				"Give address_id (from the address book) or an inline shipping_address. Prices come from the catalog; the order is split into one seller order per seller, " +
				"each with its shipping fee and tax, and the stock is reserved until reservation_expires_at. " +
				"422 cart_empty, sku_unavailable (per field), currency_mismatch or address_not_found; 409 insufficient_stock (nothing is reserved).",
			Request: order.PlaceInput{}, Response: order.Order{}, Status: 201, Headers: location, Errors: []int{409, 422},
		},
		{
			ID: "orders", Method: "GET", Path: "/api/v1/order", Tags: tags, Auth: rest.AuthBearer,
			Summary: "List the caller's orders, newest first",
			Description: "A customer's own orders; for a seller, the orders it has a part in (each showing only that part, status filtering that part); " +
				"all orders for admins and support. Delivery partners get 403.",
			Params:   append([]rest.Param{statuses(anyStatuses)}, rest.PageParams()...),
			Response: page.Page[order.Order]{}, Errors: []int{400},
		},
		{
			ID: "order", Method: "GET", Path: "/api/v1/order/{id}", Tags: tags, Auth: rest.AuthBearer,
			Summary: "An order with its seller orders, lines, shipments and payments",
			Description: "Seen whole by its customer, admins and support; a seller with a part in it sees only that part, with that part's totals and no payments. " +
				"For anyone else it is 404.",
			Params: []rest.Param{orderID}, Response: Order{}, Errors: []int{404},
		},
		{
			ID: "cancelOrder", Method: "PUT", Path: "/api/v1/order/{id}/cancel", Tags: tags, Auth: rest.AuthBearer,
			Roles:   []auth.Role{auth.Customer, auth.Admin, auth.Support},
			Summary: "Cancel an order before any part has shipped",
			Description: "The body (with an optional reason) may be left out. Reserved stock is released; a paid order is restocked and refunded through the gateway (asynchronously: " +
				"the order becomes refunded when the refund succeeds). 409 order_shipped once a part has shipped, order_cancelled if it already is.",
			Params: []rest.Param{orderID}, Request: order.CancelInput{}, Response: order.Order{}, Errors: []int{404, 409},
		},
		{
			ID: "payOrder", Method: "POST", Path: "/api/v1/payment", Tags: []string{"order", "payment"}, Auth: rest.AuthBearer,
			Summary: "Start paying for one of your orders",
			Description: "Starts a payment for the order's total through the gateway configured for its currency (GET /api/v1/payment/checkout), with a payment method token (tok_visa, ... on the test gateway, pm_card_visa on Stripe; never a card number), " +
				"or with no method where the gateway's browser SDK confirms the payment: next_action (type use_sdk) then carries the client secret (Stripe) or the gateway's order ID (Razorpay, then POST /api/v1/payment/{id}/confirm). " +
				"and returns it with its status and next_action, if the client has something to do. While an attempt is open the same attempt is returned; " +
				"after a declined one a new attempt starts. The outcome arrives by the gateway's webhook: GET the order or the payment to follow it. " +
				"409 already_paid, order_cancelled or reservation_expired; 503 gateway_unavailable (safe to retry).",
			Request: order.PayInput{}, Response: paymenthttp.Payment{}, Status: 201, Headers: location, Errors: []int{404, 409, 422, 503},
		},
		{
			ID: "sellerOrders", Method: "GET", Path: "/api/v1/seller/order", Tags: tags, Auth: rest.AuthBearer,
			Roles:       []auth.Role{auth.Seller},
			Summary:     "The calling seller's queue of seller orders, newest first",
			Description: "Each with its lines, the shipping address and the shipment, if one was made. Filter by the seller order's status (awaiting_fulfillment is the work to do).",
			Params:      append([]rest.Param{statuses(sellerStatuses)}, rest.PageParams()...),
			Response:    page.Page[order.Queued]{}, Errors: []int{400},
		},
		{
			ID: "cancelSellerOrder", Method: "PUT", Path: "/api/v1/seller/order/{id}/cancel", Tags: tags, Auth: rest.AuthBearer,
			Roles:   []auth.Role{auth.Seller, auth.Admin},
			Summary: "Cancel your own paid, unshipped part of an order",
			Description: "A reason is required. Your lines are restocked and your part's total refunded; if no other part is left the whole order is cancelled. " +
				"409 order_shipped, order_cancelled, or not_paid (an unpaid order is cancelled by itself when its reservation expires).",
			Params: []rest.Param{sellerOrderID}, Request: order.CancelInput{}, Response: order.Order{}, Errors: []int{404, 409},
		},
	}
	ops[0].Limits = constraints()
	return ops
}

// constraints are what order's validation (place.go) enforces and so what
// its answers hold.
func constraints() []rest.Constraint {
	sku := rest.Constraint{Field: "sku", Pattern: "^[A-Za-z0-9._-]{1,64}$", MaxLength: 64}
	quantity := rest.Constraint{Field: "quantity", Min: new(int64(1)), Max: new(int64(order.MaxQuantity))}
	reason := rest.Constraint{Field: "cancel_reason", MaxLength: order.MaxReason}
	return []rest.Constraint{
		// Lines naming the same SKU are summed: up to MaxSKUs SKUs of up to
		// MaxQuantity units, one unit a line at most.
		{Of: order.PlaceInput{}, Field: "lines", MaxItems: order.MaxSKUs * order.MaxQuantity},
		{Of: order.LineInput{}, Field: sku.Field, Pattern: sku.Pattern, MaxLength: sku.MaxLength},
		{Of: order.LineInput{}, Field: quantity.Field, Min: quantity.Min, Max: quantity.Max},
		{Of: order.Line{}, Field: sku.Field, Pattern: sku.Pattern, MaxLength: sku.MaxLength},
		{Of: order.Line{}, Field: quantity.Field, Min: quantity.Min, Max: quantity.Max},
		{Of: order.Line{}, Field: "returned", Min: new(int64(0)), Max: new(int64(order.MaxQuantity))},
		{Of: order.Line{}, Field: "title", MaxLength: 200},
		{Of: order.Line{}, Field: "options", MaxItems: 10, MaxLength: 64},
		// One seller order per seller, each with at least one SKU.
		{Of: order.Order{}, Field: "seller_orders", MaxItems: order.MaxSKUs},
		{Of: order.Order{}, Field: reason.Field, MaxLength: reason.MaxLength},
		{Of: order.Order{}, Field: "currency", Pattern: "^[A-Z]{3}$", MaxLength: 3},
		{Of: order.SellerOrder{}, Field: "lines", MaxItems: order.MaxSKUs},
		{Of: order.SellerOrder{}, Field: reason.Field, MaxLength: reason.MaxLength},
		{Of: order.Queued{}, Field: "lines", MaxItems: order.MaxSKUs},
		{Of: order.Address{}, Field: "name", MaxLength: 100},
		{Of: order.Address{}, Field: "line1", MaxLength: 200},
		{Of: order.Address{}, Field: "line2", MaxLength: 200},
		{Of: order.Address{}, Field: "city", MaxLength: 100},
		{Of: order.Address{}, Field: "region", MaxLength: 100},
		{Of: order.Address{}, Field: "postal_code", MaxLength: 20},
		{Of: order.Address{}, Field: "country", Pattern: "^[A-Za-z]{2}$", MaxLength: 2},
		{Of: order.Address{}, Field: "phone", Pattern: "^\\+?[0-9 ().-]*$", MaxLength: 32},
	}
}
