package ledger

import (
	"time"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// TopicPayoutStatusChanged is published, in the transaction that changes
// it, whenever a payout moves on: approved (in_transit), paid or failed.
// Its aggregate is the payout ID.
const TopicPayoutStatusChanged = event.Topic[PayoutStatusChanged]("ledger.payout.status_changed.v1")

// PayoutStatusChanged is the payload of TopicPayoutStatusChanged.
type PayoutStatusChanged struct {
	PayoutID       PayoutID     `json:"payout_id"`
	SellerID       id.Seller    `json:"seller_id"`
	Amount         money.Money  `json:"amount"`
	Status         PayoutStatus `json:"status"`
	PreviousStatus PayoutStatus `json:"previous_status"`
	Channel        Channel      `json:"channel"`
	// Destination is where the money goes, masked ("****1234").
	Destination string `json:"destination,omitempty"`
	// Failure says why a failed payout failed.
	Failure string    `json:"failure,omitempty"`
	At      time.Time `json:"at"`
}
