package razorpaygw

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// order is Razorpay's order entity, as far as the driver reads it.
type order struct {
	ID         string `json:"id"`
	Amount     int64  `json:"amount"`
	AmountPaid int64  `json:"amount_paid"`
	AmountDue  int64  `json:"amount_due"`
	Currency   string `json:"currency"`
	Receipt    string `json:"receipt"`
	Status     string `json:"status"` // created, attempted, paid
	Attempts   int    `json:"attempts"`
	Notes      notes  `json:"notes"`
	CreatedAt  int64  `json:"created_at"`
}

// rzPayment is Razorpay's payment entity.
type rzPayment struct {
	ID               string `json:"id"`
	Amount           int64  `json:"amount"`
	Currency         string `json:"currency"`
	Status           string `json:"status"` // created, authorized, captured, refunded, failed
	OrderID          string `json:"order_id"`
	AmountRefunded   int64  `json:"amount_refunded"`
	Captured         bool   `json:"captured"`
	Fee              int64  `json:"fee"` // Razorpay's fee with its tax, once captured
	Notes            notes  `json:"notes"`
	ErrorCode        string `json:"error_code"`
	ErrorDescription string `json:"error_description"`
	ErrorReason      string `json:"error_reason"`
	CreatedAt        int64  `json:"created_at"`
}

// rzRefund is Razorpay's refund entity.
type rzRefund struct {
	ID        string `json:"id"`
	Amount    int64  `json:"amount"`
	Currency  string `json:"currency"`
	PaymentID string `json:"payment_id"`
	Notes     notes  `json:"notes"`
	Receipt   string `json:"receipt"`
	Status    string `json:"status"` // pending, processed, failed
	CreatedAt int64  `json:"created_at"`
}

type collection[T any] struct {
	Count int `json:"count"`
	Items []T `json:"items"`
}

// notes are an entity's notes. Razorpay writes empty notes as [] and
// accepts numbers as values, so both are read.
type notes map[string]string

func (n *notes) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		var empty []any
		if err := json.Unmarshal(b, &empty); err != nil || len(empty) > 0 {
			return fmt.Errorf("notes: want an object, got %.20s", b)
		}
		*n = nil
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*n = make(notes, len(m))
	for k, v := range m {
		switch v := v.(type) {
		case string:
			(*n)[k] = v
		case nil:
		default:
			(*n)[k] = fmt.Sprint(v)
		}
	}
	return nil
}
