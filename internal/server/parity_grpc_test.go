package server_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	accountv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/account/v1"
	cartv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/cart/v1"
	catalogv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/catalog/v1"
	inventoryv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/inventory/v1"
	orderv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/order/v1"
	paymentv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/payment/v1"
	searchv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/search/v1"
	shipmentv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/shipment/v1"
	typev1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/type/v1"
)

func init() {
	registerDoor("grpc", func(b doorBase) parityDoor {
		conn, err := grpc.NewClient(strings.TrimPrefix(b.base, "http://"), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			b.t.Fatalf("grpc door: %v", err)
		}
		b.t.Cleanup(func() { conn.Close() })
		return &grpcDoor{conn: conn}
	})
}

// grpcDoor drives the server through a plain grpc-go client over h2c.
type grpcDoor struct{ conn *grpc.ClientConn }

func (d *grpcDoor) Name() string { return "grpc" }

// Lists that were answered are never nil, as the REST door's, so the suite
// compares them as equal.

// call invokes one unary RPC, named "order.OrderService/GetOrder" for
// /bazaar.order.v1.OrderService/GetOrder, as tok.
func (d *grpcDoor) call(tok, method string, in, out proto.Message) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if tok != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tok)
	}
	mod, rest, _ := strings.Cut(method, ".") // "order", "OrderService/GetOrder"
	if err := d.conn.Invoke(ctx, "/bazaar."+mod+".v1."+rest, in, out); err != nil {
		return grpcDoorError(err)
	}
	return nil
}

// grpcDoorError normalises a gRPC error to a *doorError; a transport
// failure without the server's ErrorInfo stays as it is.
func grpcDoorError(err error) error {
	st := status.Convert(err)
	info := errorInfo(err)
	if info == nil {
		return err
	}
	kind := map[codes.Code]string{
		codes.InvalidArgument: "INVALID_ARGUMENT", codes.Unauthenticated: "UNAUTHENTICATED", codes.PermissionDenied: "PERMISSION_DENIED",
		codes.NotFound: "NOT_FOUND", codes.FailedPrecondition: "FAILED_PRECONDITION", codes.ResourceExhausted: "RESOURCE_EXHAUSTED",
		codes.Unavailable: "UNAVAILABLE", codes.Internal: "INTERNAL",
	}[st.Code()]
	if st.Code() == codes.FailedPrecondition && info.GetMetadata()["status"] == "422" {
		kind = "UNPROCESSABLE" // conflict and unprocessable share the gRPC code; the HTTP status tells them apart
	}
	if kind == "" {
		kind = st.Code().String()
	}
	return &doorError{Kind: kind, Code: info.GetReason(), Msg: st.Message()}
}

func pm(m *typev1.Money) pMoney { return pMoney{Amount: m.GetAmount(), Currency: m.GetCurrency()} }

func productOf(p *catalogv1.Product) pProduct {
	out := pProduct{ID: p.GetId(), Slug: p.GetSlug(), Title: p.GetTitle(), Brand: p.GetBrand(), SellerID: p.GetSellerId(),
		CategoryID: p.GetCategoryId(), Status: p.GetStatus()}
	for _, v := range p.GetVariants() {
		out.Variants = append(out.Variants, pVariant{SKU: v.GetSku(), Price: pm(v.GetPrice()), Available: int(v.GetAvailable())})
	}
	return out
}

func (d *grpcDoor) Product(tok, idOrSlug string) (pProduct, error) {
	var res catalogv1.GetProductResponse
	if err := d.call(tok, "catalog.CatalogService/GetProduct", &catalogv1.GetProductRequest{Id: idOrSlug}, &res); err != nil {
		return pProduct{}, err
	}
	return productOf(res.GetProduct()), nil
}

func (d *grpcDoor) Products(tok, categoryID string, first int) ([]pProduct, error) {
	var res catalogv1.ListProductsResponse
	if err := d.call(tok, "catalog.CatalogService/ListProducts", &catalogv1.ListProductsRequest{Category: categoryID, PageSize: int32(first)}, &res); err != nil {
		return nil, err
	}
	out := []pProduct{}
	for _, p := range res.GetProducts() {
		out = append(out, productOf(p))
	}
	return out, nil
}

func (d *grpcDoor) Search(tok, text string) (pSearch, error) {
	var res searchv1.SearchResponse
	if err := d.call(tok, "search.SearchService/Search", &searchv1.SearchRequest{Q: text}, &res); err != nil {
		return pSearch{}, err
	}
	out := pSearch{Total: int(res.GetTotal()), Brands: map[string]int{}}
	for _, h := range res.GetHits() {
		out.IDs = append(out.IDs, h.GetId())
	}
	for _, b := range res.GetFacets().GetBrand() {
		out.Brands[b.GetValue()] = int(b.GetCount())
	}
	return out, nil
}

func cartOf(c *cartv1.Cart) pCart {
	out := pCart{Lines: []pLine{}, Subtotal: pm(c.GetSubtotal())}
	for _, g := range c.GetGroups() {
		for _, l := range g.GetLines() {
			out.Lines = append(out.Lines, pLine{SKU: l.GetSku(), Quantity: int(l.GetQuantity()), UnitPrice: pm(l.GetUnitPrice())})
		}
	}
	slices.SortFunc(out.Lines, func(a, b pLine) int { return strings.Compare(a.SKU, b.SKU) })
	return out
}

func (d *grpcDoor) AddToCart(tok, sku string, qty int) (pCart, error) {
	var res cartv1.AddItemResponse
	if err := d.call(tok, "cart.CartService/AddItem", &cartv1.AddItemRequest{Sku: sku, Quantity: int64(qty)}, &res); err != nil {
		return pCart{}, err
	}
	return cartOf(res.GetCart()), nil
}

func (d *grpcDoor) Cart(tok string) (pCart, error) {
	var res cartv1.GetCartResponse
	if err := d.call(tok, "cart.CartService/GetCart", &cartv1.GetCartRequest{}, &res); err != nil {
		return pCart{}, err
	}
	return cartOf(res.GetCart()), nil
}

func orderOf(o *orderv1.Order) pOrder {
	out := pOrder{ID: o.GetId(), Status: o.GetStatus(), Subtotal: pm(o.GetSubtotal()), Total: pm(o.GetTotal()),
		Lines: []pLine{}, SellerIDs: []string{}}
	for _, so := range o.GetSellerOrders() {
		out.SellerIDs = append(out.SellerIDs, so.GetSellerId())
		for _, l := range so.GetLines() {
			out.Lines = append(out.Lines, pLine{SKU: l.GetSku(), Quantity: int(l.GetQuantity()), UnitPrice: pm(l.GetUnitPrice())})
		}
	}
	slices.Sort(out.SellerIDs)
	slices.SortFunc(out.Lines, func(a, b pLine) int { return strings.Compare(a.SKU, b.SKU) })
	return out
}

func (d *grpcDoor) PlaceOrder(tok, addressID string) (pOrder, error) {
	var res orderv1.PlaceOrderResponse
	if err := d.call(tok, "order.OrderService/PlaceOrder", &orderv1.PlaceOrderRequest{AddressId: addressID}, &res); err != nil {
		return pOrder{}, err
	}
	return orderOf(res.GetOrder()), nil
}

func (d *grpcDoor) Pay(tok, orderID, method string) (pPayment, error) {
	var res paymentv1.PayResponse
	if err := d.call(tok, "payment.PaymentService/Pay", &paymentv1.PayRequest{OrderId: orderID, Method: method}, &res); err != nil {
		return pPayment{}, err
	}
	p := res.GetPayment()
	return pPayment{ID: p.GetId(), OrderID: p.GetOrderId(), Status: p.GetStatus(), Amount: pm(p.GetAmount())}, nil
}

func (d *grpcDoor) Order(tok, id string) (pOrder, error) {
	var res orderv1.GetOrderResponse
	if err := d.call(tok, "order.OrderService/GetOrder", &orderv1.GetOrderRequest{Id: id}, &res); err != nil {
		return pOrder{}, err
	}
	return orderOf(res.GetOrder()), nil
}

func (d *grpcDoor) Orders(tok string) ([]pOrder, error) {
	var res orderv1.ListOrdersResponse
	if err := d.call(tok, "order.OrderService/ListOrders", &orderv1.ListOrdersRequest{}, &res); err != nil {
		return nil, err
	}
	out := []pOrder{}
	for _, o := range res.GetOrders() {
		out = append(out, orderOf(o))
	}
	return out, nil
}

func (d *grpcDoor) CancelOrder(tok, id string) (pOrder, error) {
	var res orderv1.CancelOrderResponse
	if err := d.call(tok, "order.OrderService/CancelOrder", &orderv1.CancelOrderRequest{Id: id}, &res); err != nil {
		return pOrder{}, err
	}
	return orderOf(res.GetOrder()), nil
}

func shipmentOf(s *shipmentv1.Shipment) pShipment {
	return pShipment{ID: s.GetId(), OrderID: s.GetOrderId(), Status: s.GetStatus(), TrackingNumber: s.GetTrackingId()}
}

func (d *grpcDoor) Shipment(tok, id string) (pShipment, error) {
	var res shipmentv1.GetShipmentResponse
	if err := d.call(tok, "shipment.ShipmentService/GetShipment", &shipmentv1.GetShipmentRequest{Id: id}, &res); err != nil {
		return pShipment{}, err
	}
	return shipmentOf(res.GetShipment()), nil
}

func (d *grpcDoor) ShipmentOf(tok, orderID string) (pShipment, error) {
	var res orderv1.GetOrderResponse
	if err := d.call(tok, "order.OrderService/GetOrder", &orderv1.GetOrderRequest{Id: orderID}, &res); err != nil {
		return pShipment{}, err
	}
	sos := res.GetOrder().GetSellerOrders()
	if len(sos) == 0 || sos[0].GetShipment().GetId() == "" {
		return pShipment{}, fmt.Errorf("order %s has no parcel yet (seller orders %v)", orderID, sos)
	}
	return d.Shipment(tok, sos[0].GetShipment().GetId())
}

func (d *grpcDoor) PackShipment(tok, id string) (pShipment, error) {
	var res shipmentv1.PackResponse
	if err := d.call(tok, "shipment.ShipmentService/Pack", &shipmentv1.PackRequest{Id: id}, &res); err != nil {
		return pShipment{}, err
	}
	return shipmentOf(res.GetShipment()), nil
}

func (d *grpcDoor) ShipmentEvent(tok, id, st string) (pShipment, error) {
	var res shipmentv1.RecordEventResponse
	if err := d.call(tok, "shipment.ShipmentService/RecordEvent", &shipmentv1.RecordEventRequest{Id: id, Status: st}, &res); err != nil {
		return pShipment{}, err
	}
	return shipmentOf(res.GetShipment()), nil
}

func (d *grpcDoor) SellerOrders(tok string) ([]string, error) {
	var res orderv1.ListSellerOrdersResponse
	if err := d.call(tok, "order.OrderService/ListSellerOrders", &orderv1.ListSellerOrdersRequest{}, &res); err != nil {
		return nil, err
	}
	out := []string{}
	for _, q := range res.GetSellerOrders() {
		out = append(out, q.GetSellerOrder().GetOrderId())
	}
	return out, nil
}

// UpdateProductTitle replaces the product's content with its current
// content under a new title (UpdateProduct replaces, as REST's PUT).
func (d *grpcDoor) UpdateProductTitle(tok, productID, title string) error {
	var cur catalogv1.GetProductResponse
	if err := d.call(tok, "catalog.CatalogService/GetProduct", &catalogv1.GetProductRequest{Id: productID}, &cur); err != nil {
		return err
	}
	p := cur.GetProduct()
	req := &catalogv1.UpdateProductRequest{Id: productID, Title: title, Description: p.GetDescription(), Brand: p.GetBrand(),
		CategoryId: p.GetCategoryId(), Attributes: p.GetAttributes()}
	for _, v := range p.GetVariants() {
		req.Variants = append(req.Variants, &catalogv1.NewVariant{Sku: v.GetSku(), Options: v.GetOptions(), Price: v.GetPrice()})
	}
	return d.call(tok, "catalog.CatalogService/UpdateProduct", req, &catalogv1.UpdateProductResponse{})
}

func (d *grpcDoor) SetStock(tok, sku string, onHand int) error {
	n := int64(onHand)
	return d.call(tok, "inventory.InventoryService/SetStock", &inventoryv1.SetStockRequest{Sku: sku, OnHand: &n}, &inventoryv1.SetStockResponse{})
}

func (d *grpcDoor) Users(tok string) ([]string, error) {
	var res accountv1.ListUsersResponse
	if err := d.call(tok, "account.AccountService/ListUsers", &accountv1.ListUsersRequest{}, &res); err != nil {
		return nil, err
	}
	out := []string{}
	for _, u := range res.GetUsers() {
		out = append(out, u.GetId())
	}
	return out, nil
}

// TestGRPCDoor checks the gRPC parity door against a booted server: the
// storefront reads, the cart, an order and its refusals, normalised.
func TestGRPCDoor(t *testing.T) {
	sh := grpcShop(t)
	base, product, customer, address := sh.base, sh.product, sh.customer, sh.address
	d := doors["grpc"](doorBase{t: t, base: base})

	p, err := d.Product("", str(product, "slug"))
	if err != nil || p.ID != str(product, "id") || len(p.Variants) != 1 || p.Variants[0] != (pVariant{SKU: "GR-1", Price: pMoney{2500, "USD"}, Available: 10}) {
		t.Fatalf("Product = %+v, %v; want %s with GR-1", p, err, str(product, "id"))
	}
	ps, err := d.Products("", p.CategoryID, 5)
	if err != nil || len(ps) != 1 || ps[0].ID != p.ID {
		t.Errorf("Products = %+v, %v; want the one product", ps, err)
	}
	if _, err := d.AddToCart(customer, "GR-1", 2); err != nil {
		t.Fatal(err)
	}
	cart, err := d.Cart(customer)
	if err != nil || len(cart.Lines) != 1 || cart.Lines[0] != (pLine{"GR-1", 2, pMoney{2500, "USD"}}) || cart.Subtotal != (pMoney{5000, "USD"}) {
		t.Errorf("Cart = %+v, %v; want 2 x GR-1, 5000 USD", cart, err)
	}
	o, err := d.PlaceOrder(customer, address)
	if err != nil || o.Status != "pending_payment" || o.Subtotal != (pMoney{5000, "USD"}) || len(o.SellerIDs) != 1 {
		t.Fatalf("PlaceOrder = %+v, %v", o, err)
	}
	os, err := d.Orders(customer)
	if err != nil || len(os) != 1 || os[0].ID != o.ID {
		t.Errorf("Orders = %+v, %v; want the order", os, err)
	}
	var de *doorError
	if _, err := d.Order("", o.ID); !asDoorError(err, &de) || de.Kind != "UNAUTHENTICATED" {
		t.Errorf("anonymous Order = %v, want an UNAUTHENTICATED doorError", err)
	}
	if _, err := d.Users(customer); !asDoorError(err, &de) || de.Kind != "PERMISSION_DENIED" && de.Kind != "NOT_FOUND" {
		t.Errorf("a customer's Users = %v, want a refusal", err)
	}
	if err := d.SetStock(customer, "GR-1", 3); !asDoorError(err, &de) {
		t.Errorf("a customer's SetStock = %v, want a refusal", err)
	}
	c, err := d.CancelOrder(customer, o.ID)
	if err != nil || c.Status != "cancelled" {
		t.Errorf("CancelOrder = %+v, %v; want cancelled", c, err)
	}
	if _, err := d.Pay(customer, o.ID, "tok_visa"); !asDoorError(err, &de) || de.Kind != "FAILED_PRECONDITION" || de.Code != "order_cancelled" {
		t.Errorf("Pay(cancelled order) = %v, want FAILED_PRECONDITION order_cancelled", err)
	}
}

func asDoorError(err error, de **doorError) bool {
	e, ok := err.(*doorError)
	if ok {
		*de = e
	}
	return ok
}
