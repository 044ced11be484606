package server_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
)

func init() {
	registerDoor("rest", func(b doorBase) parityDoor { return restDoor{c: client{t: b.t, base: b.base}} })
}

// restDoor drives the parity suite through the REST API.
type restDoor struct{ c client }

func (restDoor) Name() string { return "rest" }

// call sends a request and decodes a 2xx answer into out; a problem+json
// answer is a *doorError.
func (d restDoor) call(out any, method, path, tok string, body any) error {
	d.c.t.Helper()
	var headers []string
	if tok != "" {
		headers = append(headers, bearer(tok))
	}
	r := d.c.do(method, path, body, headers...)
	if r.status >= 400 {
		var p struct {
			Code   string `json:"code"`
			Detail string `json:"detail"`
		}
		if err := json.Unmarshal(r.body, &p); err != nil || r.header.Get("Content-Type") != "application/problem+json" {
			return fmt.Errorf("%s %s = %d, not problem+json: %s", method, path, r.status, r.body)
		}
		return &doorError{Kind: kindOfStatus(r.status), Code: p.Code, Msg: p.Detail}
	}
	if out == nil || len(r.body) == 0 {
		return nil
	}
	if err := json.Unmarshal(r.body, out); err != nil {
		return fmt.Errorf("%s %s: decode %s: %v", method, path, r.body, err)
	}
	return nil
}

// kindOfStatus is the apperr kind, by its gRPC-style name, that REST
// answers with status.
func kindOfStatus(status int) string {
	switch status {
	case 400:
		return "INVALID_ARGUMENT"
	case 401:
		return "UNAUTHENTICATED"
	case 403:
		return "PERMISSION_DENIED"
	case 404:
		return "NOT_FOUND"
	case 409:
		return "FAILED_PRECONDITION"
	case 413:
		return "PAYLOAD_TOO_LARGE"
	case 415:
		return "UNSUPPORTED_MEDIA_TYPE"
	case 422:
		return "UNPROCESSABLE"
	case 429:
		return "RESOURCE_EXHAUSTED"
	case 503:
		return "UNAVAILABLE"
	}
	return "INTERNAL"
}

type restMoney struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

func (m restMoney) p() pMoney { return pMoney(m) }

type restProduct struct {
	ID         string `json:"id"`
	Slug       string `json:"slug"`
	Title      string `json:"title"`
	Brand      string `json:"brand"`
	SellerID   string `json:"seller_id"`
	CategoryID string `json:"category_id"`
	Status     string `json:"status"`
	Variants   []struct {
		SKU       string    `json:"sku"`
		Price     restMoney `json:"price"`
		Available int       `json:"available"`
	} `json:"variants"`
}

func (r restProduct) p() pProduct {
	out := pProduct{ID: r.ID, Slug: r.Slug, Title: r.Title, Brand: r.Brand, SellerID: r.SellerID, CategoryID: r.CategoryID, Status: r.Status}
	for _, v := range r.Variants {
		out.Variants = append(out.Variants, pVariant{SKU: v.SKU, Price: v.Price.p(), Available: v.Available})
	}
	return out
}

func (d restDoor) Product(tok, idOrSlug string) (pProduct, error) {
	var r restProduct
	err := d.call(&r, "GET", "/api/v1/product/"+url.PathEscape(idOrSlug), tok, nil)
	return r.p(), err
}

func (d restDoor) Products(tok, categoryID string, first int) ([]pProduct, error) {
	var r struct{ Items []restProduct }
	q := url.Values{"category": {categoryID}, "limit": {strconv.Itoa(first)}}
	if err := d.call(&r, "GET", "/api/v1/product?"+q.Encode(), tok, nil); err != nil {
		return nil, err
	}
	out := []pProduct{}
	for _, p := range r.Items {
		out = append(out, p.p())
	}
	return out, nil
}

func (d restDoor) Search(tok, text string) (pSearch, error) {
	var r struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
		Total  int `json:"total"`
		Facets struct {
			Brand []struct {
				Value string `json:"value"`
				Count int    `json:"count"`
			} `json:"brand"`
		} `json:"facets"`
	}
	if err := d.call(&r, "GET", "/api/v1/search?"+url.Values{"q": {text}}.Encode(), tok, nil); err != nil {
		return pSearch{}, err
	}
	out := pSearch{Total: r.Total, Brands: map[string]int{}}
	for _, it := range r.Items {
		out.IDs = append(out.IDs, it.ID)
	}
	for _, b := range r.Facets.Brand {
		out.Brands[b.Value] = b.Count
	}
	return out, nil
}

type restLine struct {
	SKU       string    `json:"sku"`
	Quantity  int       `json:"quantity"`
	UnitPrice restMoney `json:"unit_price"`
}

func sortedLines(ls []restLine) []pLine {
	out := []pLine{}
	for _, l := range ls {
		out = append(out, pLine{SKU: l.SKU, Quantity: l.Quantity, UnitPrice: l.UnitPrice.p()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SKU < out[j].SKU })
	return out
}

type restCart struct {
	Groups []struct {
		Lines []restLine `json:"lines"`
	} `json:"groups"`
	Subtotal restMoney `json:"subtotal"`
}

func (r restCart) p() pCart {
	var ls []restLine
	for _, g := range r.Groups {
		ls = append(ls, g.Lines...)
	}
	return pCart{Lines: sortedLines(ls), Subtotal: r.Subtotal.p()}
}

func (d restDoor) AddToCart(tok, sku string, qty int) (pCart, error) {
	var r restCart
	err := d.call(&r, "POST", "/api/v1/cart/item", tok, map[string]any{"sku": sku, "quantity": qty})
	return r.p(), err
}

func (d restDoor) Cart(tok string) (pCart, error) {
	var r restCart
	err := d.call(&r, "GET", "/api/v1/cart", tok, nil)
	return r.p(), err
}

type restOrder struct {
	ID           string    `json:"id"`
	Status       string    `json:"status"`
	Subtotal     restMoney `json:"subtotal"`
	Total        restMoney `json:"total"`
	SellerOrders []struct {
		SellerID string     `json:"seller_id"`
		Lines    []restLine `json:"lines"`
		Shipment *struct {
			ID string `json:"id"`
		} `json:"shipment"`
	} `json:"seller_orders"`
}

func (r restOrder) p() pOrder {
	out := pOrder{ID: r.ID, Status: r.Status, Subtotal: r.Subtotal.p(), Total: r.Total.p(), SellerIDs: []string{}}
	var ls []restLine
	for _, so := range r.SellerOrders {
		ls = append(ls, so.Lines...)
		out.SellerIDs = append(out.SellerIDs, so.SellerID)
	}
	sort.Strings(out.SellerIDs)
	out.Lines = sortedLines(ls)
	return out
}

func (d restDoor) PlaceOrder(tok, addressID string) (pOrder, error) {
	var r restOrder
	err := d.call(&r, "POST", "/api/v1/order", tok, map[string]any{"address_id": addressID})
	return r.p(), err
}

func (d restDoor) Pay(tok, orderID, method string) (pPayment, error) {
	var r struct {
		ID      string    `json:"id"`
		OrderID string    `json:"order_id"`
		Status  string    `json:"status"`
		Amount  restMoney `json:"amount"`
	}
	err := d.call(&r, "POST", "/api/v1/payment", tok, map[string]any{"order_id": orderID, "method": method})
	return pPayment{ID: r.ID, OrderID: r.OrderID, Status: r.Status, Amount: r.Amount.p()}, err
}

func (d restDoor) Order(tok, id string) (pOrder, error) {
	var r restOrder
	err := d.call(&r, "GET", "/api/v1/order/"+url.PathEscape(id), tok, nil)
	return r.p(), err
}

func (d restDoor) Orders(tok string) ([]pOrder, error) {
	var r struct{ Items []restOrder }
	if err := d.call(&r, "GET", "/api/v1/order", tok, nil); err != nil {
		return nil, err
	}
	out := []pOrder{}
	for _, o := range r.Items {
		out = append(out, o.p())
	}
	return out, nil
}

func (d restDoor) CancelOrder(tok, id string) (pOrder, error) {
	var r restOrder
	err := d.call(&r, "PUT", "/api/v1/order/"+url.PathEscape(id)+"/cancel", tok, nil)
	return r.p(), err
}

type restShipment struct {
	ID         string `json:"id"`
	OrderID    string `json:"order_id"`
	Status     string `json:"status"`
	TrackingID string `json:"tracking_id"`
}

func (r restShipment) p() pShipment {
	return pShipment{ID: r.ID, OrderID: r.OrderID, Status: r.Status, TrackingNumber: r.TrackingID}
}

func (d restDoor) Shipment(tok, id string) (pShipment, error) {
	var r restShipment
	err := d.call(&r, "GET", "/api/v1/shipment/"+url.PathEscape(id), tok, nil)
	return r.p(), err
}

func (d restDoor) ShipmentOf(tok, orderID string) (pShipment, error) {
	var r restOrder
	if err := d.call(&r, "GET", "/api/v1/order/"+url.PathEscape(orderID), tok, nil); err != nil {
		return pShipment{}, err
	}
	if len(r.SellerOrders) == 0 || r.SellerOrders[0].Shipment == nil {
		return pShipment{}, nil
	}
	return d.Shipment(tok, r.SellerOrders[0].Shipment.ID)
}

func (d restDoor) PackShipment(tok, id string) (pShipment, error) {
	var r restShipment
	err := d.call(&r, "POST", "/api/v1/shipment/"+url.PathEscape(id)+"/pack", tok, nil)
	return r.p(), err
}

func (d restDoor) ShipmentEvent(tok, id, status string) (pShipment, error) {
	var r restShipment
	err := d.call(&r, "POST", "/api/v1/shipment/"+url.PathEscape(id)+"/event", tok, map[string]string{"status": status})
	return r.p(), err
}

func (d restDoor) SellerOrders(tok string) ([]string, error) {
	var r struct {
		Items []struct {
			OrderID string `json:"order_id"`
		} `json:"items"`
	}
	if err := d.call(&r, "GET", "/api/v1/seller/order", tok, nil); err != nil {
		return nil, err
	}
	out := []string{}
	for _, it := range r.Items {
		out = append(out, it.OrderID)
	}
	return out, nil
}

// UpdateProductTitle replaces the product with what it is but the title
// (PUT replaces a product's whole content).
func (d restDoor) UpdateProductTitle(tok, productID, title string) error {
	var p map[string]any
	if err := d.call(&p, "GET", "/api/v1/product/"+url.PathEscape(productID), "", nil); err != nil {
		return err
	}
	var variants []map[string]any
	for _, v := range p["variants"].([]any) {
		v := v.(map[string]any)
		variants = append(variants, map[string]any{"sku": v["sku"], "options": v["options"], "price": v["price"]})
	}
	return d.call(nil, "PUT", "/api/v1/product/"+url.PathEscape(productID), tok, map[string]any{
		"title": title, "description": p["description"], "brand": p["brand"], "category_id": p["category_id"],
		"attributes": p["attributes"], "status": p["status"], "variants": variants})
}

func (d restDoor) SetStock(tok, sku string, onHand int) error {
	return d.call(nil, "PUT", "/api/v1/inventory/"+url.PathEscape(sku), tok, map[string]int{"on_hand": onHand})
}

func (d restDoor) Users(tok string) ([]string, error) {
	var r struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := d.call(&r, "GET", "/api/v1/admin/user", tok, nil); err != nil {
		return nil, err
	}
	out := []string{}
	for _, it := range r.Items {
		out = append(out, it.ID)
	}
	return out, nil
}
