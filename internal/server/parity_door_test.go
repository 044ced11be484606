package server_test

import (
	"fmt"
	"sync"
	"testing"
)

// The parity suite (parity_test.go) runs one shopping scenario and one
// matrix of operations by role through each of the API's three doors (REST,
// GraphQL, gRPC) and demands the same data and the same allow or deny from
// all three. A door is an implementation of parityDoor; each registers a
// constructor from its own file (parity_rest_test.go, parity_graphql_test.go,
// parity_grpc_test.go) with registerDoor in an init function.
//
// Every method takes the caller's access token ("" for anonymous) and
// answers in the normalised values below, or an error. An error the server
// answered must be a *doorError, so the suite compares the class of refusal
// (and the machine code) across doors; any other error (transport, decoding)
// fails the test as it stands.

// pMoney is an amount in minor units and its ISO 4217 currency.
type pMoney struct {
	Amount   int64
	Currency string
}

// pVariant is one SKU of a product as a shopper sees it.
type pVariant struct {
	SKU       string
	Price     pMoney
	Available int // the stock a shopper may still buy
}

// pProduct is a product page's data.
type pProduct struct {
	ID, Slug, Title, Brand string
	SellerID, CategoryID   string
	Status                 string
	Variants               []pVariant // in the order the door returns them
}

// pSearch is the first page of a full-text search.
type pSearch struct {
	IDs    []string       // the products found, in rank order
	Total  int            // how many match in all
	Brands map[string]int // the brand facet: brand -> count
}

// pLine is one line of a cart or order.
type pLine struct {
	SKU       string
	Quantity  int
	UnitPrice pMoney
}

// pCart is a shopper's cart.
type pCart struct {
	Lines    []pLine // sorted by SKU
	Subtotal pMoney
}

// pOrder is an order as its caller may see it (a seller sees its part).
type pOrder struct {
	ID, Status string
	Subtotal   pMoney
	Total      pMoney
	Lines      []pLine  // every line the caller may see, sorted by SKU
	SellerIDs  []string // the sellers of the seller orders the caller sees, sorted
}

// pPayment is a payment attempt.
type pPayment struct {
	ID, OrderID, Status string
	Amount              pMoney
}

// pShipment is a parcel and where it is.
type pShipment struct {
	ID, OrderID, Status, TrackingNumber string
}

// doorError is a refusal as a door answered it, normalised. Kind is one of
// the apperr kinds by its gRPC-style name: "INVALID_ARGUMENT",
// "UNAUTHENTICATED", "PERMISSION_DENIED", "NOT_FOUND", "FAILED_PRECONDITION"
// (conflict), "UNPROCESSABLE", "RESOURCE_EXHAUSTED", "UNAVAILABLE",
// "INTERNAL". Code is the stable machine code (problem+json's "code", GraphQL
// extensions.code, the gRPC ErrorInfo reason).
type doorError struct {
	Kind string
	Code string
	Msg  string
}

func (e *doorError) Error() string { return fmt.Sprintf("%s (%s): %s", e.Kind, e.Code, e.Msg) }

// parityDoor drives one door of a running server.
type parityDoor interface {
	Name() string

	// The storefront.
	Product(tok, idOrSlug string) (pProduct, error)
	Products(tok, categoryID string, first int) ([]pProduct, error) // a category's first page, the default sort
	Search(tok, text string) (pSearch, error)

	// Cart and checkout (a signed-in customer's cart).
	AddToCart(tok, sku string, qty int) (pCart, error)
	Cart(tok string) (pCart, error)
	PlaceOrder(tok, addressID string) (pOrder, error)  // the cart's lines, to a saved address
	Pay(tok, orderID, method string) (pPayment, error) // method: a test-gateway token such as "tok_visa"
	Order(tok, id string) (pOrder, error)
	Orders(tok string) ([]pOrder, error) // the caller's orders, newest first
	CancelOrder(tok, id string) (pOrder, error)

	// Parcels.
	Shipment(tok, id string) (pShipment, error)
	ShipmentOf(tok, orderID string) (pShipment, error)       // the first seller order's parcel, as the caller sees the order
	PackShipment(tok, id string) (pShipment, error)          // the seller packs
	ShipmentEvent(tok, id, status string) (pShipment, error) // the delivery partner records picked_up, in_transit, ...

	// Staff operations for the role matrix.
	SellerOrders(tok string) ([]string, error)             // the order IDs (ord_..., not the seller orders' sor_...) a seller sees, newest first
	UpdateProductTitle(tok, productID, title string) error // the product's seller (or an admin)
	SetStock(tok, sku string, onHand int) error            // the SKU's seller
	Users(tok string) ([]string, error)                    // admin: the first page of user IDs
}

// doorBase is what every door gets: the test, the server's base URL
// ("http://127.0.0.1:port"; gRPC dials the same address).
type doorBase struct {
	t    *testing.T
	base string
}

var (
	doorsMu sync.Mutex
	doors   = map[string]func(doorBase) parityDoor{}
)

// registerDoor adds a door to the parity suite.
func registerDoor(name string, mk func(doorBase) parityDoor) {
	doorsMu.Lock()
	defer doorsMu.Unlock()
	doors[name] = mk
}
