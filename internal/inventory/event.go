package inventory

import (
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
)

// TopicStockChanged is published whenever a SKU's on_hand or reserved
// changes, with the SKU's totals after the change.
const TopicStockChanged = event.Topic[StockChanged]("inventory.stock.changed.v1")

// StockChanged is the payload of TopicStockChanged.
type StockChanged struct {
	SKU       string     `json:"sku"`
	ProductID id.Product `json:"product_id"`
	SellerID  id.Seller  `json:"seller_id"`
	OnHand    int64      `json:"on_hand"`
	Reserved  int64      `json:"reserved"`
	Available int64      `json:"available"`
}
