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
	return []rest.Op{
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
			Description: "Without an amount it refunds everything left. 409 payment_not_captured or payment_fully_refunded; 422 refund_exceeds_captured, currency_mismatch or refund_failed (the gateway refused); 503 gateway_unavailable (the refund stays pending and the reconciler completes it).",
			Params:      []rest.Param{id},
			Request:     payment.RefundRequest{}, Response: Payment{}, Errors: []int{404, 409, 422, 503},
		},
		{
			ID: "paymentWebhook", Method: "POST", Path: WebhookPath(h.svc.Gateway()), Tags: tags, Auth: rest.AuthNone,
			Summary:     "Receive the " + h.svc.Gateway() + " gateway's signed webhook",
			Description: "Called by the payment gateway, not by clients. The signature header (" + payment.SignatureHeader + " for the built-in gateways) is the authentication: a bad or stale one is 400 invalid_signature and changes nothing. Each event is applied once; duplicates are acknowledged and ignored.",
			Request:     map[string]any{}, Response: map[string]bool{},
		},
	}
}
