package stripegw

import (
	"errors"
	"fmt"
	"strings"

	"github.com/stripe/stripe-go/v86"

	"github.com/bazaar-market/bazaar/internal/apperr"
)

// APIError is an error answer from Stripe, reduced to what is safe to log:
// stripe.Error's own text is its whole JSON, which can hold a payment
// intent and its client secret.
type APIError struct {
	Status      int    // HTTP status
	Type        string // "invalid_request_error", "card_error", "api_error", "idempotency_error"
	Code        string // "resource_missing", "card_declined", ...
	DeclineCode string
	Param       string
	Message     string
	RequestID   string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "stripe %d", e.Status)
	for _, s := range []string{e.Type, e.Code, e.DeclineCode} {
		if s != "" {
			b.WriteString(" " + s)
		}
	}
	if e.Param != "" {
		b.WriteString(" (param " + e.Param + ")")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" [" + e.RequestID + "]")
	}
	return b.String()
}

func apiError(se *stripe.Error) *APIError {
	return &APIError{Status: se.HTTPStatusCode, Type: string(se.Type), Code: string(se.Code), DeclineCode: string(se.DeclineCode),
		Param: se.Param, Message: se.Msg, RequestID: se.RequestID}
}

// decline returns the card error of a declined confirmation that made an
// intent (402 card_error with the payment intent).
func decline(err error) (*stripe.Error, bool) {
	var se *stripe.Error
	if errors.As(err, &se) && se.Type == stripe.ErrorTypeCard && se.PaymentIntent != nil && se.PaymentIntent.ID != "" {
		return se, true
	}
	return nil, false
}

// classify turns a failed call into the error payment.Gateway promises:
//   - 400 and 404: Stripe refused and made nothing. Unprocessable with
//     Stripe's code (or "idempotency_key_reused"), Invalid "validation_failed"
//     on the method when the payment method does not exist, Invalid
//     "resource_missing" for an unknown object.
//   - 402 (a card error without an intent): Unprocessable with the decline code.
//   - everything else (network, timeout, 401/403 keys, 409 a concurrent
//     request with the key, 429, 5xx): a plain error, the outcome is
//     unknown and the call may be repeated with the same key.
//
// The secret key is scrubbed from messages (stripe-mock echoes the
// Authorization header; Stripe itself masks it).
func (g *Gateway) classify(op string, err error) error {
	var se *stripe.Error
	if !errors.As(err, &se) {
		return fmt.Errorf("stripe: %s: %w", op, err)
	}
	ae := apiError(se)
	if g.key != "" {
		ae.Message = strings.ReplaceAll(ae.Message, g.key, redact(g.key))
	}
	wrapped := fmt.Errorf("stripe: %s: %w", op, ae)
	code := ae.Code
	switch se.HTTPStatusCode {
	case 400, 404:
		switch {
		case se.Type == stripe.ErrorTypeIdempotency:
			code = "idempotency_key_reused"
		case code == "resource_missing" && strings.HasPrefix(ae.Param, "payment_method"):
			return &apperr.Error{Kind: apperr.KindInvalid, Code: "validation_failed", Message: "the request has invalid fields",
				Fields: []apperr.FieldError{{Field: "method", Message: "is not a payment method Stripe knows"}}, Err: wrapped}
		case code == "resource_missing" || se.HTTPStatusCode == 404:
			return &apperr.Error{Kind: apperr.KindInvalid, Code: "resource_missing", Message: "the payment gateway does not know this object", Err: wrapped}
		case code == "":
			code = "gateway_refused"
		}
		return &apperr.Error{Kind: apperr.KindUnprocessable, Code: code, Message: "the payment gateway refused the request: " + ae.Message, Err: wrapped}
	case 402:
		code = ae.DeclineCode
		if code == "" {
			code = ae.Code
		}
		if code == "" {
			code = "card_declined"
		}
		return &apperr.Error{Kind: apperr.KindUnprocessable, Code: code, Message: ae.Message, Err: wrapped}
	}
	return wrapped
}
