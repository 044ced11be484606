package graphql

import "github.com/bazaar-market/bazaar/internal/id"

// Typed IDs from ID arguments: a service answers NotFound for an ID of the
// wrong kind, as REST does for a path's.
func toAddressID(s string) id.Address         { return id.Address(s) }
func toCartLineID(s string) id.CartLine       { return id.CartLine(s) }
func toOrderID(s string) id.Order             { return id.Order(s) }
func toProductID(s string) id.Product         { return id.Product(s) }
func toReviewID(s string) id.Review           { return id.Review(s) }
func toSellerOrderID(s string) id.SellerOrder { return id.SellerOrder(s) }
func toShipmentID(s string) id.Shipment       { return id.Shipment(s) }
func toUserID(s string) id.User               { return id.User(s) }
