package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

func init() { registerDoor("graphql", func(b doorBase) parityDoor { return &graphqlDoor{b} }) }

// graphqlDoor drives the parity suite through POST /graphql.
type graphqlDoor struct{ doorBase }

func (d *graphqlDoor) Name() string { return "graphql" }

// run posts query and decodes the field named field of data into out. An
// error the server answered becomes a *doorError.
func (d *graphqlDoor) run(tok, query string, vars map[string]any, field string, out any) error {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest("POST", d.base+"/graphql", bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var body struct {
		Data   map[string]json.RawMessage `json:"data"`
		Errors []struct {
			Message    string `json:"message"`
			Extensions struct {
				Code, Kind string
			} `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return fmt.Errorf("graphql %s: decode (%d): %w", field, res.StatusCode, err)
	}
	if len(body.Errors) > 0 {
		e := body.Errors[0]
		return &doorError{Kind: e.Extensions.Kind, Code: e.Extensions.Code, Msg: e.Message}
	}
	raw, ok := body.Data[field]
	if !ok || string(raw) == "null" {
		return fmt.Errorf("graphql %s: no data and no error", field)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}

type gMoney struct {
	Amount   int64
	Currency string
}

func (m gMoney) p() pMoney { return pMoney(m) }

const gProductFields = `id slug title brand sellerId categoryId status variants{sku price{amount currency} available}`

type gProduct struct {
	ID, Slug, Title, Brand, SellerID, CategoryID, Status string
	Variants                                             []struct {
		SKU       string
		Price     gMoney
		Available int
	}
}

func (g gProduct) p() pProduct {
	out := pProduct{ID: g.ID, Slug: g.Slug, Title: g.Title, Brand: g.Brand, SellerID: g.SellerID, CategoryID: g.CategoryID, Status: g.Status}
	for _, v := range g.Variants {
		out.Variants = append(out.Variants, pVariant{SKU: v.SKU, Price: v.Price.p(), Available: v.Available})
	}
	return out
}

func (d *graphqlDoor) Product(tok, idOrSlug string) (pProduct, error) {
	var g gProduct
	err := d.run(tok, `query($id:ID!){product(id:$id){`+gProductFields+`}}`, map[string]any{"id": idOrSlug}, "product", &g)
	return g.p(), err
}

func (d *graphqlDoor) Products(tok, categoryID string, first int) ([]pProduct, error) {
	var g struct{ Nodes []gProduct }
	err := d.run(tok, `query($c:String,$n:Int){products(category:$c, first:$n){nodes{`+gProductFields+`}}}`,
		map[string]any{"c": categoryID, "n": first}, "products", &g)
	if err != nil {
		return nil, err
	}
	out := []pProduct{}
	for _, p := range g.Nodes {
		out = append(out, p.p())
	}
	return out, err
}

func (d *graphqlDoor) Search(tok, text string) (pSearch, error) {
	var g struct {
		Items  []struct{ ID string }
		Total  int
		Facets struct {
			Brand []struct {
				Value string
				Count int
			}
		}
	}
	err := d.run(tok, `query($t:String){search(text:$t){items{id} total facets{brand{value count}}}}`, map[string]any{"t": text}, "search", &g)
	out := pSearch{Total: g.Total, Brands: map[string]int{}}
	for _, it := range g.Items {
		out.IDs = append(out.IDs, it.ID)
	}
	for _, b := range g.Facets.Brand {
		out.Brands[b.Value] = b.Count
	}
	return out, err
}

const gCartFields = `subtotal{amount currency} groups{lines{sku quantity unitPrice{amount currency}}}`

type gCart struct {
	Subtotal gMoney
	Groups   []struct{ Lines []gLine }
}

type gLine struct {
	SKU       string
	Quantity  int
	UnitPrice gMoney
}

func gqlSortedLines(ls []gLine) []pLine {
	out := []pLine{}
	for _, l := range ls {
		out = append(out, pLine{SKU: l.SKU, Quantity: l.Quantity, UnitPrice: l.UnitPrice.p()})
	}
	slices.SortFunc(out, func(a, b pLine) int { return strings.Compare(a.SKU, b.SKU) })
	return out
}

func (g gCart) p() pCart {
	var ls []gLine
	for _, gr := range g.Groups {
		ls = append(ls, gr.Lines...)
	}
	return pCart{Lines: gqlSortedLines(ls), Subtotal: g.Subtotal.p()}
}

func (d *graphqlDoor) AddToCart(tok, sku string, qty int) (pCart, error) {
	var g gCart
	err := d.run(tok, `mutation($s:String!,$q:Int!){addToCart(sku:$s, quantity:$q){`+gCartFields+`}}`, map[string]any{"s": sku, "q": qty}, "addToCart", &g)
	return g.p(), err
}

func (d *graphqlDoor) Cart(tok string) (pCart, error) {
	var g gCart
	err := d.run(tok, `{cart{`+gCartFields+`}}`, nil, "cart", &g)
	return g.p(), err
}

const gOrderFields = `id status subtotal{amount currency} total{amount currency} sellerOrders{sellerId lines{sku quantity unitPrice{amount currency}} shipment{id}}`

type gOrder struct {
	ID, Status      string
	Subtotal, Total gMoney
	SellerOrders    []struct {
		SellerID string
		Lines    []gLine
		Shipment *struct{ ID string }
	}
}

func (g gOrder) p() pOrder {
	out := pOrder{ID: g.ID, Status: g.Status, Subtotal: g.Subtotal.p(), Total: g.Total.p(), SellerIDs: []string{}}
	var ls []gLine
	for _, so := range g.SellerOrders {
		ls = append(ls, so.Lines...)
		out.SellerIDs = append(out.SellerIDs, so.SellerID)
	}
	out.Lines = gqlSortedLines(ls)
	slices.Sort(out.SellerIDs)
	return out
}

func (d *graphqlDoor) PlaceOrder(tok, addressID string) (pOrder, error) {
	var g gOrder
	err := d.run(tok, `mutation($a:ID!){placeOrder(addressId:$a){`+gOrderFields+`}}`, map[string]any{"a": addressID}, "placeOrder", &g)
	return g.p(), err
}

func (d *graphqlDoor) Pay(tok, orderID, method string) (pPayment, error) {
	var g struct {
		ID, OrderID, Status string
		Amount              gMoney
	}
	err := d.run(tok, `mutation($o:ID!,$m:String){pay(orderId:$o, method:$m){id orderId status amount{amount currency}}}`,
		map[string]any{"o": orderID, "m": method}, "pay", &g)
	return pPayment{ID: g.ID, OrderID: g.OrderID, Status: g.Status, Amount: g.Amount.p()}, err
}

func (d *graphqlDoor) order(tok, id string) (gOrder, error) {
	var g gOrder
	err := d.run(tok, `query($id:ID!){order(id:$id){`+gOrderFields+`}}`, map[string]any{"id": id}, "order", &g)
	return g, err
}

func (d *graphqlDoor) Order(tok, id string) (pOrder, error) {
	g, err := d.order(tok, id)
	return g.p(), err
}

func (d *graphqlDoor) Orders(tok string) ([]pOrder, error) {
	var g struct{ Nodes []gOrder }
	if err := d.run(tok, `{orders{nodes{`+gOrderFields+`}}}`, nil, "orders", &g); err != nil {
		return nil, err
	}
	out := []pOrder{}
	for _, o := range g.Nodes {
		out = append(out, o.p())
	}
	return out, nil
}

func (d *graphqlDoor) CancelOrder(tok, id string) (pOrder, error) {
	var g gOrder
	err := d.run(tok, `mutation($id:ID!){cancelOrder(id:$id){`+gOrderFields+`}}`, map[string]any{"id": id}, "cancelOrder", &g)
	return g.p(), err
}

const gShipmentFields = `id orderId status trackingId`

type gShipment struct{ ID, OrderID, Status, TrackingID string }

func (g gShipment) p() pShipment {
	return pShipment{ID: g.ID, OrderID: g.OrderID, Status: g.Status, TrackingNumber: g.TrackingID}
}

func (d *graphqlDoor) Shipment(tok, id string) (pShipment, error) {
	var g gShipment
	err := d.run(tok, `query($id:ID!){shipment(id:$id){`+gShipmentFields+`}}`, map[string]any{"id": id}, "shipment", &g)
	return g.p(), err
}

func (d *graphqlDoor) ShipmentOf(tok, orderID string) (pShipment, error) {
	o, err := d.order(tok, orderID)
	if err != nil {
		return pShipment{}, err
	}
	if len(o.SellerOrders) == 0 || o.SellerOrders[0].Shipment == nil {
		return pShipment{}, fmt.Errorf("order %s has no parcel yet", orderID)
	}
	return d.Shipment(tok, o.SellerOrders[0].Shipment.ID)
}

func (d *graphqlDoor) PackShipment(tok, id string) (pShipment, error) {
	var g gShipment
	err := d.run(tok, `mutation($id:ID!){packShipment(id:$id){`+gShipmentFields+`}}`, map[string]any{"id": id}, "packShipment", &g)
	return g.p(), err
}

func (d *graphqlDoor) ShipmentEvent(tok, id, status string) (pShipment, error) {
	var g gShipment
	err := d.run(tok, `mutation($id:ID!,$s:String!){recordShipmentEvent(id:$id, input:{status:$s}){`+gShipmentFields+`}}`,
		map[string]any{"id": id, "s": status}, "recordShipmentEvent", &g)
	return g.p(), err
}

func (d *graphqlDoor) SellerOrders(tok string) ([]string, error) {
	var g struct{ Nodes []struct{ OrderID string } }
	if err := d.run(tok, `{sellerOrders{nodes{orderId}}}`, nil, "sellerOrders", &g); err != nil {
		return nil, err
	}
	out := []string{}
	for _, n := range g.Nodes {
		out = append(out, n.OrderID)
	}
	return out, nil
}

// UpdateProductTitle replaces the product with itself under a new title, as
// updateProduct replaces a product's content.
func (d *graphqlDoor) UpdateProductTitle(tok, productID, title string) error {
	var g struct {
		Title, Description, Brand, CategoryID, Status string
		Attributes                                    map[string]string
		Variants                                      []struct {
			SKU     string
			Options map[string]string
			Price   gMoney
		}
	}
	// Read as anyone would, as REST's door does: the caller's right is the
	// update's to decide.
	if err := d.run("", `query($id:ID!){product(id:$id){title description brand categoryId status attributes variants{sku options price{amount currency}}}}`,
		map[string]any{"id": productID}, "product", &g); err != nil {
		return err
	}
	var vs []map[string]any
	for _, v := range g.Variants {
		vs = append(vs, map[string]any{"sku": v.SKU, "options": v.Options, "price": map[string]any{"amount": v.Price.Amount, "currency": v.Price.Currency}})
	}
	in := map[string]any{"title": title, "description": g.Description, "brand": g.Brand, "categoryId": g.CategoryID,
		"status": g.Status, "attributes": g.Attributes, "variants": vs}
	return d.run(tok, `mutation($id:ID!,$in:ProductInput!){updateProduct(id:$id, input:$in){id}}`, map[string]any{"id": productID, "in": in}, "updateProduct", nil)
}

func (d *graphqlDoor) SetStock(tok, sku string, onHand int) error {
	return d.run(tok, `mutation($s:String!,$n:Int!){setStock(sku:$s, onHand:$n){sku}}`, map[string]any{"s": sku, "n": onHand}, "setStock", nil)
}

func (d *graphqlDoor) Users(tok string) ([]string, error) {
	var g []struct{ ID string }
	if err := d.run(tok, `{users{id}}`, nil, "users", &g); err != nil {
		return nil, err
	}
	out := []string{}
	for _, u := range g {
		out = append(out, u.ID)
	}
	return out, nil
}
