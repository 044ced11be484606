package paymenthttp

import (
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// Ops describes every route Routes registers, for the OpenAPI document.
func (h *Handler) Ops() []rest.Op {
	tags := []string{"payment"}
	id := rest.Param{Name: "id", In: "path", Description: "payment ID"}
	ops := []rest.Op{
		{
			ID: "payment", Method: "GET", Path: "/api/v1/payment/{id}", Tags: tags, Auth: rest.AuthBearer,
			Summary:     "A payment with its refunds",
			Description: "Seen by its customer, admins and support; for anyone else it is 404.",
			Params:      []rest.Param{id}, Response: Payment{}, Errors: []int{404},
		},
		{
			ID: "refundPayment", Method: "POST", Path: "/api/v1/payment/{id}/refund", Tags: tags, Auth: rest.AuthBearer,
			Roles:       []auth.Role{auth.Admin, auth.Support},
			Summary:     "Refund part or all of a captured payment",
			Description: "A goodwill refund (not through a cancellation or a return). Without an amount it refunds everything left. With seller_order_id (a seller order of the payment's order, else 400) it is charged to that seller, like a return's refund; without one it is the platform's own expense. 409 payment_not_captured or payment_fully_refunded; 422 refund_exceeds_captured, currency_mismatch or refund_failed (the gateway refused); 503 gateway_unavailable (the refund stays pending and the reconciler completes it).",
			Params:      []rest.Param{id},
			Request:     payment.RefundRequest{}, Response: Payment{}, Errors: []int{404, 409, 422, 503},
		},
		{
			ID: "paymentCheckout", Method: "GET", Path: "/api/v1/payment/checkout", Tags: tags, Auth: rest.AuthNone,
			Summary:     "How payments in a currency are taken",
			Description: "The gateway that takes payments in the currency, and whether the customer pays in the browser with its SDK (client_side, with its public key: Stripe's publishable key or Razorpay's key ID). With a client-side gateway, POST /api/v1/payment without a method returns a payment whose next_action (type use_sdk) carries what the SDK needs. cash_on_delivery (absent when the currency takes no cash) says whether an order of that amount from those sellers can be paid with method \"cod\", with the limit and, when not, the reason.",
			Params: []rest.Param{{Name: "currency", In: "query", Description: "ISO 4217 code, such as USD", Required: true},
				{Name: "amount", In: "query", Description: "the order's total in minor units (cash on delivery has a limit)"},
				{Name: "seller", In: "query", Description: "the order's sellers (sel_...), repeated: each must take cash on delivery"}},
			Response: payment.Checkout{}, Errors: []int{400},
		},
		{
			ID: "sellerCOD", Method: "GET", Path: "/api/v1/seller/cod", Tags: tags, Auth: rest.AuthBearer, Roles: []auth.Role{auth.Seller},
			Summary:  "Whether the seller's store takes cash on delivery (it does until switched off)",
			Response: payment.SellerCOD{}, Errors: []int{404},
		},
		{
			ID: "setSellerCOD", Method: "PUT", Path: "/api/v1/seller/cod", Tags: tags, Auth: rest.AuthBearer, Roles: []auth.Role{auth.Seller},
			Summary:     "Switch cash on delivery on or off for the seller's store",
			Description: "Orders already confirmed for cash on delivery keep it. An order with a seller that takes no cash cannot be paid with method \"cod\" (422 cod_unavailable).",
			Request:     payment.SellerCOD{}, Response: payment.SellerCOD{}, Errors: []int{400, 404},
		},
		{
			ID: "confirmPayment", Method: "POST", Path: "/api/v1/payment/{id}/confirm", Tags: tags, Auth: rest.AuthBearer,
			Roles:       []auth.Role{auth.Customer},
			Summary:     "Hand over what the gateway's browser SDK returned",
			Description: "For Razorpay Checkout: {razorpay_payment_id, razorpay_order_id, razorpay_signature}. The signature is verified with the key secret; a bad one is 400 invalid_signature and changes nothing. A payment settled already is returned as it is. 409 not_confirmable; 503 gateway_unavailable (the reconciler settles the payment).",
			Params:      []rest.Param{id}, Request: map[string]string{}, Response: Payment{}, Errors: []int{400, 404, 409, 503},
		},
		{
			ID: "capturePayment", Method: "POST", Path: "/api/v1/payment/{id}/capture", Tags: tags, Auth: rest.AuthBearer,
			Roles:       []auth.Role{auth.Admin, auth.Support},
			Summary:     "Capture an authorised payment (gateways set to capture manually)",
			Description: "409 not_capturable when the payment is not authorised and awaiting capture; 503 gateway_unavailable.",
			Params:      []rest.Param{id}, Response: Payment{}, Errors: []int{404, 409, 503},
		},
	}
	for _, g := range h.svc.Gateways() {
		ops = append(ops, rest.Op{
			ID: "paymentWebhook_" + g, Method: "POST", Path: WebhookPath(g), Tags: tags, Auth: rest.AuthNone,
			Summary:     "Receive the " + g + " gateway's signed webhook",
			Description: "Called by the payment gateway, not by clients. The signature header (" + payment.SignatureHeader + " for the built-in gateways, Stripe-Signature for Stripe, X-Razorpay-Signature for Razorpay) is the authentication: a bad or stale one is 400 invalid_signature and changes nothing. Each event is applied once; duplicates are acknowledged and ignored.",
			Request:     map[string]any{}, Response: map[string]bool{},
		})
	}
	return ops
}
