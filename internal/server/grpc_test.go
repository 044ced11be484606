package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	reflectionv1alpha "google.golang.org/grpc/reflection/grpc_reflection_v1alpha"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	accountv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/account/v1"
	cartv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/cart/v1"
	catalogv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/catalog/v1"
	"github.com/bazaar-market/bazaar/internal/gen/bazaar/catalog/v1/catalogv1connect"
	inventoryv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/inventory/v1"
	orderv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/order/v1"
	"github.com/bazaar-market/bazaar/internal/gen/bazaar/order/v1/orderv1connect"
	paymentv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/payment/v1"
	recommendv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/recommend/v1"
	reviewv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/review/v1"
	searchv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/search/v1"
	shipmentv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/shipment/v1"
	supportv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/support/v1"
	"github.com/bazaar-market/bazaar/internal/ratelimit"
	"github.com/bazaar-market/bazaar/internal/server"
)

// testShop is a booted server with a seller's active product "GR-1" (10 in
// stock, 25.00 USD) and a customer with a saved address.
type testShop struct {
	base              string
	product           map[string]any
	customer, address string
	seller            string
}

// grpcShop boots the test shop.
func grpcShop(t *testing.T) testShop {
	t.Helper()
	s, base := boot(t, "")
	c := client{t: t, base: base}
	_, cat, seller, _ := openShop(t, s, c, "Lamps", "Lamp Loft")
	product := c.must(201, "POST", "/api/v1/product", map[string]any{
		"title": "Brass Desk Lamp", "description": "Warm light.", "brand": "Lumen", "category_id": cat["id"], "status": "active",
		"variants": []map[string]any{{"sku": "GR-1", "price": map[string]any{"amount": 2500, "currency": "USD"}}},
	}, bearer(seller))
	c.must(200, "PUT", "/api/v1/inventory/GR-1", map[string]int{"on_hand": 10}, bearer(seller))
	customer := str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "cora@example.com", "password": "cora-password-1", "name": "Cora", "role": "customer"}), "access_token")
	address := str(c.must(201, "POST", "/api/v1/address", map[string]any{"name": "Cora", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}, bearer(customer)), "id")
	return testShop{base: base, product: product, customer: customer, address: address, seller: seller}
}

// grpcConn dials the server's port with grpc-go over plaintext HTTP/2 (h2c).
func grpcConn(t *testing.T, base string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(strings.TrimPrefix(base, "http://"), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// as returns ctx carrying tok as the bearer token in the call's metadata.
func as(ctx context.Context, tok string) context.Context {
	if tok == "" {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tok)
}

// errorInfo returns the ErrorInfo detail of a gRPC error, nil if none.
func errorInfo(err error) *errdetails.ErrorInfo {
	for _, d := range status.Convert(err).Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info
		}
	}
	return nil
}

// TestGRPCClient calls catalog, cart and order RPCs with a plain grpc-go
// client over h2c, with the caller's token in the metadata, and checks the
// refusals: their codes and details.
func TestGRPCClient(t *testing.T) {
	sh := grpcShop(t)
	base, product, customer, address := sh.base, sh.product, sh.customer, sh.address
	c := client{t: t, base: base}
	other := str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "otto@example.com", "password": "otto-password-1", "name": "Otto", "role": "customer"}), "access_token")
	conn := grpcConn(t, base)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var got catalogv1.GetProductResponse
	if err := conn.Invoke(ctx, "/bazaar.catalog.v1.CatalogService/GetProduct", &catalogv1.GetProductRequest{Id: str(product, "slug")}, &got); err != nil {
		t.Fatalf("GetProduct(%s): %v", str(product, "slug"), err)
	}
	p := got.GetProduct()
	if p.GetId() != str(product, "id") || len(p.GetVariants()) != 1 || p.GetVariants()[0].GetAvailable() != 10 ||
		p.GetVariants()[0].GetPrice().GetAmount() != 2500 || p.GetCreatedAt().AsTime().IsZero() {
		t.Errorf("GetProduct = %v, want %s with GR-1 at 2500, 10 available", p, str(product, "id"))
	}

	// Anonymous PlaceOrder: Unauthenticated, with the machine code.
	var placed orderv1.PlaceOrderResponse
	err := conn.Invoke(ctx, "/bazaar.order.v1.OrderService/PlaceOrder", &orderv1.PlaceOrderRequest{AddressId: address,
		Lines: []*orderv1.LineInput{{Sku: "GR-1", Quantity: 1}}}, &placed)
	if status.Code(err) != codes.Unauthenticated || errorInfo(err) == nil || errorInfo(err).GetDomain() != "bazaar.dev" ||
		errorInfo(err).GetMetadata()["status"] != "401" {
		t.Errorf("anonymous PlaceOrder = %v (details %v), want Unauthenticated with ErrorInfo status 401", err, errorInfo(err))
	}
	// A bad token is refused by the middleware, in gRPC's shape.
	err = conn.Invoke(as(ctx, "not-a-token"), "/bazaar.order.v1.OrderService/ListOrders", &orderv1.ListOrdersRequest{}, &orderv1.ListOrdersResponse{})
	if status.Code(err) != codes.Unauthenticated || errorInfo(err).GetReason() != "invalid_token" {
		t.Errorf("ListOrders with a bad token = %v, want Unauthenticated invalid_token", err)
	}

	// Validation errors carry BadRequest field violations.
	err = conn.Invoke(as(ctx, customer), "/bazaar.cart.v1.CartService/AddItem", &cartv1.AddItemRequest{Sku: "GR-1", Quantity: -2}, &cartv1.AddItemResponse{})
	var fields []string
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				fields = append(fields, v.GetField())
			}
		}
	}
	if status.Code(err) != codes.InvalidArgument || !slices.Contains(fields, "quantity") || errorInfo(err).GetMetadata()["status"] != "400" {
		t.Errorf("AddItem(quantity -2) = %v, fields %v; want InvalidArgument with a violation on quantity", err, fields)
	}

	// The customer orders; another customer cannot see the order.
	if err := conn.Invoke(as(ctx, customer), "/bazaar.order.v1.OrderService/PlaceOrder", &orderv1.PlaceOrderRequest{AddressId: address,
		Lines: []*orderv1.LineInput{{Sku: "GR-1", Quantity: 2}}}, &placed); err != nil {
		t.Fatalf("PlaceOrder: %v", err)
	}
	o := placed.GetOrder()
	if o.GetStatus() != "pending_payment" || o.GetSubtotal().GetAmount() != 5000 || len(o.GetSellerOrders()) != 1 {
		t.Fatalf("PlaceOrder = %v, want pending_payment, subtotal 5000, one seller order", o)
	}
	var read orderv1.GetOrderResponse
	if err := conn.Invoke(as(ctx, customer), "/bazaar.order.v1.OrderService/GetOrder", &orderv1.GetOrderRequest{Id: o.GetId()}, &read); err != nil {
		t.Fatalf("GetOrder (own): %v", err)
	}
	if read.GetOrder().GetId() != o.GetId() || read.GetOrder().GetTotal().GetAmount() != o.GetTotal().GetAmount() {
		t.Errorf("GetOrder = %v, want the order placed", read.GetOrder())
	}
	err = conn.Invoke(as(ctx, other), "/bazaar.order.v1.OrderService/GetOrder", &orderv1.GetOrderRequest{Id: o.GetId()}, &read)
	if info := errorInfo(err); status.Code(err) != codes.NotFound || info.GetReason() != "not_found" || info.GetMetadata()["status"] != "404" ||
		info.GetMetadata()["request_id"] == "" {
		t.Errorf("another customer's GetOrder = %v (details %v), want NotFound with ErrorInfo not_found, status 404 and a request ID", err, info)
	}
	// The same order read through REST has the same total.
	rest := c.must(200, "GET", "/api/v1/order/"+o.GetId(), nil, bearer(customer))
	if str(rest, "total", "amount") != "5000" || str(rest, "status") != o.GetStatus() {
		t.Errorf("REST order = %v, want what gRPC answered", rest)
	}
}

// TestGRPCReflectionAndHealth lists the services with grpc-go's reflection
// client and checks the health service, as grpcurl would.
func TestGRPCReflectionAndHealth(t *testing.T) {
	_, base := boot(t, "")
	conn := grpcConn(t, base)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	stream, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	res, err := stream.Recv()
	if err != nil {
		t.Fatalf("reflection ListServices: %v", err)
	}
	var names []string
	for _, s := range res.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	for _, want := range []string{"bazaar.catalog.v1.CatalogService", "bazaar.search.v1.SearchService", "bazaar.cart.v1.CartService",
		"bazaar.order.v1.OrderService", "bazaar.payment.v1.PaymentService", "bazaar.shipment.v1.ShipmentService",
		"bazaar.account.v1.AccountService", "bazaar.inventory.v1.InventoryService", "bazaar.review.v1.ReviewService",
		"bazaar.recommend.v1.RecommendService", "bazaar.support.v1.SupportService", "grpc.health.v1.Health",
		"grpc.reflection.v1.ServerReflection"} {
		if !slices.Contains(names, want) {
			t.Errorf("reflection lists %v, want %s among them", names, want)
		}
	}
	// A file descriptor by symbol, as grpcurl describe asks.
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_FileContainingSymbol{
		FileContainingSymbol: "bazaar.order.v1.OrderService"}}); err != nil {
		t.Fatal(err)
	}
	if res, err := stream.Recv(); err != nil || len(res.GetFileDescriptorResponse().GetFileDescriptorProto()) == 0 {
		t.Errorf("reflection FileContainingSymbol(OrderService) = %v, %v; want its file", res, err)
	}
	_ = stream.CloseSend()

	// Older clients ask v1alpha.
	alpha, err := reflectionv1alpha.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 v1alpha is deprecated, and still what older clients ask
	if err := alpha.Send(&reflectionv1alpha.ServerReflectionRequest{MessageRequest: &reflectionv1alpha.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 v1alpha is deprecated, and still what older clients ask
	if res, err := alpha.Recv(); err != nil || len(res.GetListServicesResponse().GetService()) != len(names) {
		t.Errorf("v1alpha ListServices = %v, %v; want the %d services v1 lists", res, err, len(names))
	}
	_ = alpha.CloseSend()

	health := healthpb.NewHealthClient(conn)
	for _, svc := range []string{"", "bazaar.order.v1.OrderService"} {
		got, err := health.Check(ctx, &healthpb.HealthCheckRequest{Service: svc})
		if err != nil || got.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("health.Check(%q) = %v, %v; want SERVING", svc, got, err)
		}
	}
	if _, err := health.Check(ctx, &healthpb.HealthCheckRequest{Service: "no.such.Service"}); status.Code(err) != codes.NotFound {
		t.Errorf("health.Check(unknown) = %v, want NotFound", err)
	}
}

// TestConnectAndGRPCWeb calls the same services as a browser would: Connect
// JSON over HTTP/1.1 with net/http, and gRPC-Web with connect's client.
func TestConnectAndGRPCWeb(t *testing.T) {
	sh := grpcShop(t)
	base, product, customer := sh.base, sh.product, sh.customer

	post := func(path, body, tok string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		res, err := (&http.Client{Transport: &http.Transport{}}).Do(req) // HTTP/1.1
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.ProtoMajor != 1 {
			t.Errorf("POST %s went over %s, want HTTP/1.1", path, res.Proto)
		}
		b, _ := io.ReadAll(res.Body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("POST %s: %s is not JSON", path, b)
		}
		return res.StatusCode, m
	}
	code, m := post("/bazaar.catalog.v1.CatalogService/GetProduct", `{"id":"`+str(product, "id")+`"}`, "")
	if code != 200 || str(m, "product", "slug") != str(product, "slug") || str(m, "product", "variants", "0", "price", "amount") != "2500" {
		t.Errorf("Connect GetProduct = %d %v, want 200 with the product", code, m)
	}
	code, m = post("/bazaar.cart.v1.CartService/AddItem", `{"sku":"GR-1","quantity":3}`, customer)
	if code != 200 || str(m, "cart", "item_count") != "3" && str(m, "cart", "itemCount") != "3" {
		t.Errorf("Connect AddItem = %d %v, want 200 with 3 items", code, m)
	}
	code, m = post("/bazaar.order.v1.OrderService/GetOrder", `{"id":"ord_nope"}`, customer)
	if code != 404 || m["code"] != "not_found" {
		t.Errorf("Connect GetOrder(missing) = %d %v, want 404 not_found", code, m)
	}

	// A Connect server stream over HTTP/1.1, as a browser's fetch reads it:
	// the first message arrives while the stream stays open.
	c := client{t: t, base: base}
	placed := c.must(201, "POST", "/api/v1/order", map[string]any{"address_id": sh.address}, bearer(customer))
	orders := orderv1connect.NewOrderServiceClient(&http.Client{Transport: &http.Transport{}}, base)
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	wreq := connect.NewRequest(&orderv1.WatchOrderRequest{Id: str(placed, "id")})
	wreq.Header().Set("Authorization", "Bearer "+customer)
	watch, err := orders.WatchOrder(wctx, wreq)
	if err != nil {
		t.Fatal(err)
	}
	if !watch.Receive() || watch.Msg().GetOrder().GetStatus() != "pending_payment" {
		t.Errorf("Connect WatchOrder over HTTP/1.1: first message %v, err %v; want the pending order", watch.Msg(), watch.Err())
	}
	watch.Close()

	web := catalogv1connect.NewCatalogServiceClient(http.DefaultClient, base, connect.WithGRPCWeb())
	res, err := web.GetProduct(context.Background(), connect.NewRequest(&catalogv1.GetProductRequest{Id: str(product, "slug")}))
	if err != nil || res.Msg.GetProduct().GetId() != str(product, "id") {
		t.Fatalf("gRPC-Web GetProduct = %v, %v; want the product", res, err)
	}
	_, err = web.GetProduct(context.Background(), connect.NewRequest(&catalogv1.GetProductRequest{Id: "no-such-product"}))
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != connect.CodeNotFound || len(ce.Details()) == 0 {
		t.Errorf("gRPC-Web GetProduct(missing) = %v, want NotFound with details", err)
	} else if v, derr := ce.Details()[0].Value(); derr != nil || v.(*errdetails.ErrorInfo).GetReason() != "not_found" {
		t.Errorf("gRPC-Web GetProduct(missing) detail = %v, %v; want ErrorInfo not_found", v, derr)
	}
}

// TestGRPCWatchOrder follows an order over a gRPC server stream: the order
// as placed, then paid once the gateway reports the payment.
func TestGRPCWatchOrder(t *testing.T) {
	sh := grpcShop(t)
	base, customer, address := sh.base, sh.customer, sh.address
	conn := grpcConn(t, base)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var placed orderv1.PlaceOrderResponse
	if err := conn.Invoke(as(ctx, customer), "/bazaar.order.v1.OrderService/PlaceOrder", &orderv1.PlaceOrderRequest{AddressId: address,
		Lines: []*orderv1.LineInput{{Sku: "GR-1", Quantity: 1}}}, &placed); err != nil {
		t.Fatalf("PlaceOrder: %v", err)
	}
	oid := placed.GetOrder().GetId()

	stream, err := conn.NewStream(as(ctx, customer), &grpc.StreamDesc{ServerStreams: true}, "/bazaar.order.v1.OrderService/WatchOrder")
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.SendMsg(&orderv1.WatchOrderRequest{Id: oid}); err != nil {
		t.Fatal(err)
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	recv := func() *orderv1.Order {
		t.Helper()
		var m orderv1.WatchOrderResponse
		if err := stream.RecvMsg(&m); err != nil {
			t.Fatalf("WatchOrder: %v", err)
		}
		return m.GetOrder()
	}
	if first := recv(); first.GetId() != oid || first.GetStatus() != "pending_payment" {
		t.Fatalf("WatchOrder's first message = %v, want %s pending_payment", first, oid)
	}
	var paid paymentv1.PayResponse
	if err := conn.Invoke(as(ctx, customer), "/bazaar.payment.v1.PaymentService/Pay", &paymentv1.PayRequest{OrderId: oid, Method: "tok_visa"}, &paid); err != nil {
		t.Fatalf("Pay: %v", err)
	}
	if paid.GetPayment().GetOrderId() != oid || paid.GetPayment().GetAmount().GetAmount() != placed.GetOrder().GetTotal().GetAmount() {
		t.Errorf("Pay = %v, want a payment of the order's total", paid.GetPayment())
	}
	var seen []string
	for {
		o := recv()
		seen = append(seen, o.GetStatus())
		if o.GetStatus() == "paid" {
			break
		}
		if len(seen) > 10 {
			t.Fatalf("WatchOrder statuses %v, never paid", seen)
		}
	}

	// Another customer cannot watch it.
	c := client{t: t, base: base}
	other := str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "otto@example.com", "password": "otto-password-1", "name": "Otto", "role": "customer"}), "access_token")
	s2, err := conn.NewStream(as(ctx, other), &grpc.StreamDesc{ServerStreams: true}, "/bazaar.order.v1.OrderService/WatchOrder")
	if err != nil {
		t.Fatal(err)
	}
	_ = s2.SendMsg(&orderv1.WatchOrderRequest{Id: oid})
	_ = s2.CloseSend()
	if err := s2.RecvMsg(new(orderv1.WatchOrderResponse)); status.Code(err) != codes.NotFound {
		t.Errorf("another customer's WatchOrder = %v, want NotFound", err)
	}

	// The paid order's parcel, watched by its customer while the seller
	// packs it.
	var shipmentID string
	eventually(t, "the paid order's parcel", func() string {
		var read orderv1.GetOrderResponse
		if err := conn.Invoke(as(ctx, customer), "/bazaar.order.v1.OrderService/GetOrder", &orderv1.GetOrderRequest{Id: oid}, &read); err != nil {
			return err.Error()
		}
		shipmentID = read.GetOrder().GetSellerOrders()[0].GetShipment().GetId()
		if shipmentID == "" {
			return "no shipment yet"
		}
		return ""
	})
	ws, err := conn.NewStream(as(ctx, customer), &grpc.StreamDesc{ServerStreams: true}, "/bazaar.shipment.v1.ShipmentService/WatchShipment")
	if err != nil {
		t.Fatal(err)
	}
	_ = ws.SendMsg(&shipmentv1.WatchShipmentRequest{Id: shipmentID})
	_ = ws.CloseSend()
	var msg shipmentv1.WatchShipmentResponse
	if err := ws.RecvMsg(&msg); err != nil || msg.GetShipment().GetStatus() != "pending" || msg.GetShipment().GetOrderId() != oid {
		t.Fatalf("WatchShipment's first message = %v, %v; want the pending parcel of %s", msg.GetShipment(), err, oid)
	}
	var packed shipmentv1.PackResponse
	if err := conn.Invoke(as(ctx, sh.seller), "/bazaar.shipment.v1.ShipmentService/Pack", &shipmentv1.PackRequest{Id: shipmentID}, &packed); err != nil {
		t.Fatalf("Pack: %v", err)
	}
	if err := conn.Invoke(as(ctx, customer), "/bazaar.shipment.v1.ShipmentService/Pack", &shipmentv1.PackRequest{Id: shipmentID}, &packed); status.Code(err) == codes.OK {
		t.Errorf("the customer's Pack = %v, want a refusal", err)
	}
	for {
		if err := ws.RecvMsg(&msg); err != nil {
			t.Fatalf("WatchShipment: %v", err)
		}
		if msg.GetShipment().GetStatus() == "packed" {
			break
		}
	}
}

// TestProtosServed checks the protos are downloadable at /proto/.
func TestProtosServed(t *testing.T) {
	_, base := boot(t, "")
	c := client{t: t, base: base}
	idx := c.must(200, "GET", "/proto/", nil)
	files, _ := idx["files"].([]any)
	if !slices.Contains(files, any("bazaar/order/v1/order.proto")) {
		t.Fatalf("GET /proto/ = %v, want bazaar/order/v1/order.proto listed", idx)
	}
	r := c.do("GET", "/proto/bazaar/order/v1/order.proto", nil)
	if r.status != 200 || !strings.Contains(string(r.body), "service OrderService") {
		t.Errorf("GET order.proto = %d %.80s, want the file", r.status, r.body)
	}
	if r := c.do("GET", "/proto/bazaar/nope.proto", nil); r.status != 404 {
		t.Errorf("GET a missing proto = %d, want 404", r.status)
	}
}

// TestGRPCReviewsAndRecommendations calls the review and recommendation
// services: reads, and the same refusals as REST.
func TestGRPCReviewsAndRecommendations(t *testing.T) {
	sh := grpcShop(t)
	conn := grpcConn(t, sh.base)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	pid := str(sh.product, "id")

	var reviews reviewv1.ListReviewsResponse
	if err := conn.Invoke(ctx, "/bazaar.review.v1.ReviewService/ListReviews", &reviewv1.ListReviewsRequest{ProductId: pid}, &reviews); err != nil {
		t.Fatalf("ListReviews: %v", err)
	}
	if len(reviews.GetReviews()) != 0 || reviews.GetSummary().GetProductId() != pid || reviews.GetSummary().GetCount() != 0 {
		t.Errorf("ListReviews = %v, want no reviews and the product's empty summary", &reviews)
	}
	// A customer who never received the product may not review it.
	err := conn.Invoke(as(ctx, sh.customer), "/bazaar.review.v1.ReviewService/CreateReview",
		&reviewv1.CreateReviewRequest{ProductId: pid, Rating: 5, Title: "Lovely"}, &reviewv1.CreateReviewResponse{})
	if status.Code(err) != codes.PermissionDenied || errorInfo(err).GetReason() != "not_purchased" {
		t.Errorf("CreateReview without a purchase = %v, want PermissionDenied not_purchased", err)
	}
	err = conn.Invoke(ctx, "/bazaar.review.v1.ReviewService/ListReviews", &reviewv1.ListReviewsRequest{ProductId: "prd_nope"}, &reviews)
	if status.Code(err) != codes.NotFound {
		t.Errorf("ListReviews of a missing product = %v, want NotFound", err)
	}

	var recs recommendv1.RecommendationsResponse
	if err := conn.Invoke(as(ctx, sh.customer), "/bazaar.recommend.v1.RecommendService/Recommendations",
		&recommendv1.RecommendationsRequest{Kind: "trending", Limit: 5}, &recs); err != nil || recs.GetKind() != "trending" {
		t.Errorf("Recommendations(trending) = %v, %v; want a trending list", &recs, err)
	}
	err = conn.Invoke(ctx, "/bazaar.recommend.v1.RecommendService/Recommendations", &recommendv1.RecommendationsRequest{Kind: "cart"}, &recs)
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("Recommendations(cart, no products) = %v, want InvalidArgument", err)
	}
	var similar recommendv1.ProductRecommendationsResponse
	if err := conn.Invoke(ctx, "/bazaar.recommend.v1.RecommendService/ProductRecommendations",
		&recommendv1.ProductRecommendationsRequest{ProductId: pid, Kind: "similar"}, &similar); err != nil || similar.GetKind() != "similar" {
		t.Errorf("ProductRecommendations(similar) = %v, %v; want a similar list", &similar, err)
	}
	err = conn.Invoke(ctx, "/bazaar.recommend.v1.RecommendService/ProductRecommendations",
		&recommendv1.ProductRecommendationsRequest{ProductId: pid, Kind: "nonsense"}, &similar)
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("ProductRecommendations(nonsense) = %v, want InvalidArgument", err)
	}
}

// TestGRPCSupport opens a ticket about an order and replies to it, and asks
// for a return too early, over gRPC.
func TestGRPCSupport(t *testing.T) {
	sh := grpcShop(t)
	conn := grpcConn(t, sh.base)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := client{t: t, base: sh.base}
	other := str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "otto@example.com", "password": "otto-password-1", "name": "Otto", "role": "customer"}), "access_token")
	var placed orderv1.PlaceOrderResponse
	if err := conn.Invoke(as(ctx, sh.customer), "/bazaar.order.v1.OrderService/PlaceOrder", &orderv1.PlaceOrderRequest{AddressId: sh.address,
		Lines: []*orderv1.LineInput{{Sku: "GR-1", Quantity: 1}}}, &placed); err != nil {
		t.Fatalf("PlaceOrder: %v", err)
	}
	oid := placed.GetOrder().GetId()

	var opened supportv1.OpenTicketResponse
	if err := conn.Invoke(as(ctx, sh.customer), "/bazaar.support.v1.SupportService/OpenTicket",
		&supportv1.OpenTicketRequest{Subject: "Where is my lamp?", Body: "It has not shipped yet.", OrderId: oid}, &opened); err != nil {
		t.Fatalf("OpenTicket: %v", err)
	}
	tid := opened.GetTicket().GetId()
	if opened.GetTicket().GetOrderId() != oid || opened.GetTicket().GetStatus() == "" {
		t.Errorf("OpenTicket = %v, want a ticket about %s", opened.GetTicket(), oid)
	}
	var reply supportv1.ReplyToTicketResponse
	if err := conn.Invoke(as(ctx, sh.customer), "/bazaar.support.v1.SupportService/ReplyToTicket",
		&supportv1.ReplyToTicketRequest{Id: tid, Body: "Any news?"}, &reply); err != nil || reply.GetMessage().GetBody() != "Any news?" {
		t.Fatalf("ReplyToTicket = %v, %v", reply.GetMessage(), err)
	}
	var got supportv1.GetTicketResponse
	if err := conn.Invoke(as(ctx, sh.customer), "/bazaar.support.v1.SupportService/GetTicket", &supportv1.GetTicketRequest{Id: tid}, &got); err != nil ||
		len(got.GetTicket().GetMessages()) != 2 {
		t.Errorf("GetTicket = %v, %v; want the thread of 2 messages", got.GetTicket(), err)
	}
	err := conn.Invoke(as(ctx, other), "/bazaar.support.v1.SupportService/GetTicket", &supportv1.GetTicketRequest{Id: tid}, &got)
	if status.Code(err) != codes.NotFound || errorInfo(err).GetReason() != "not_found" {
		t.Errorf("another customer's GetTicket = %v, want NotFound", err)
	}
	var list supportv1.ListTicketsResponse
	if err := conn.Invoke(as(ctx, sh.customer), "/bazaar.support.v1.SupportService/ListTickets", &supportv1.ListTicketsRequest{}, &list); err != nil ||
		len(list.GetTickets()) != 1 || list.GetTickets()[0].GetId() != tid {
		t.Errorf("ListTickets = %v, %v; want the one ticket", list.GetTickets(), err)
	}

	// A return before delivery is refused, with the machine code.
	err = conn.Invoke(as(ctx, sh.customer), "/bazaar.support.v1.SupportService/RequestReturn", &supportv1.RequestReturnRequest{
		SellerOrderId: placed.GetOrder().GetSellerOrders()[0].GetId(),
		Lines:         []*supportv1.ReturnLineInput{{Sku: "GR-1", Quantity: 1, Reason: "damaged"}}}, &supportv1.RequestReturnResponse{})
	if code := status.Code(err); code != codes.FailedPrecondition && code != codes.InvalidArgument || errorInfo(err).GetReason() == "" {
		t.Errorf("RequestReturn before delivery = %v, want a refusal with a machine code", err)
	}
	var returns supportv1.ListReturnsResponse
	if err := conn.Invoke(as(ctx, sh.customer), "/bazaar.support.v1.SupportService/ListReturns", &supportv1.ListReturnsRequest{}, &returns); err != nil ||
		len(returns.GetReturns()) != 0 {
		t.Errorf("ListReturns = %v, %v; want none", returns.GetReturns(), err)
	}
}

// TestConnectIdempotencyKey places an order with a unary Connect call and
// an Idempotency-Key: the retry replays the first answer, and the key
// reused for another request is refused in Connect's error shape.
func TestConnectIdempotencyKey(t *testing.T) {
	sh := grpcShop(t)
	place := func(qty int, key string) (int, http.Header, map[string]any) {
		t.Helper()
		body := fmt.Sprintf(`{"address_id":%q,"lines":[{"sku":"GR-1","quantity":%d}]}`, sh.address, qty)
		req, _ := http.NewRequest("POST", sh.base+"/bazaar.order.v1.OrderService/PlaceOrder", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+sh.customer)
		req.Header.Set("Idempotency-Key", key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
			t.Fatalf("PlaceOrder answer: %v", err)
		}
		return res.StatusCode, res.Header, m
	}
	code, _, first := place(1, "place-1")
	code2, h2, second := place(1, "place-1")
	if code != 200 || code2 != 200 || str(first, "order", "id") == "" || str(second, "order", "id") != str(first, "order", "id") ||
		h2.Get("Idempotent-Replayed") != "true" {
		t.Errorf("PlaceOrder twice with one key = %d %v then %d %v (%v), want the first answer replayed", code, first, code2, second, h2)
	}
	code, h, m := place(2, "place-1")
	if code == 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") || m["code"] != "failed_precondition" ||
		!strings.Contains(fmt.Sprint(m), "idempotency_key_reused") {
		t.Errorf("PlaceOrder with a reused key = %d %s %v, want a Connect failed_precondition error naming idempotency_key_reused", code, h.Get("Content-Type"), m)
	}
}

// rawCodec sends protobuf requests and keeps answers as bytes, so a
// benchmark's client reads gRPC answers as the REST client reads JSON ones:
// without decoding them.
type rawCodec struct{}

func (rawCodec) Name() string { return "proto" }

func (rawCodec) Marshal(v any) ([]byte, error) { return proto.Marshal(v.(proto.Message)) }

func (rawCodec) Unmarshal(data []byte, v any) error {
	*v.(*[]byte) = append((*v.(*[]byte))[:0], data...)
	return nil
}

// BenchmarkProductGRPC compares a product page and the first product list
// page through REST (HTTP/1.1 JSON), gRPC (grpc-go over h2c) and Connect
// (JSON over HTTP/1.1), on the same seeded SQLite shop, in parallel. The
// clients read the answers without decoding them.
func BenchmarkProductGRPC(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := server.New(ctx, server.Config{DataDir: b.TempDir()}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Seed(ctx, server.SeedOptions{PerCategory: 25, ImageSize: 16}); err != nil {
		b.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = s.Serve(ctx, l) }()
	base := "http://" + l.Addr().String()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	do := func(b *testing.B, method, path, body string) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("%s %s = %d", method, path, res.StatusCode)
		}
	}
	conn, err := grpc.NewClient(l.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	var first catalogv1.ListProductsResponse
	if err := conn.Invoke(ctx, "/bazaar.catalog.v1.CatalogService/ListProducts", &catalogv1.ListProductsRequest{PageSize: 1}, &first); err != nil || len(first.GetProducts()) == 0 {
		b.Fatalf("no product: %v", err)
	}
	pid := first.GetProducts()[0].GetId()
	rawOpt := grpc.ForceCodec(rawCodec{})
	for _, bm := range []struct {
		name string
		call func(b *testing.B)
	}{
		{"product/rest", func(b *testing.B) { do(b, "GET", "/api/v1/product/"+pid, "") }},
		{"product/grpc", func(b *testing.B) {
			var raw []byte
			if err := conn.Invoke(ctx, "/bazaar.catalog.v1.CatalogService/GetProduct", &catalogv1.GetProductRequest{Id: pid}, &raw, rawOpt); err != nil {
				b.Fatal(err)
			}
		}},
		{"product/connect_json", func(b *testing.B) { do(b, "POST", "/bazaar.catalog.v1.CatalogService/GetProduct", `{"id":"`+pid+`"}`) }},
		{"list/rest", func(b *testing.B) { do(b, "GET", "/api/v1/product", "") }},
		{"list/grpc", func(b *testing.B) {
			var raw []byte
			if err := conn.Invoke(ctx, "/bazaar.catalog.v1.CatalogService/ListProducts", &catalogv1.ListProductsRequest{}, &raw, rawOpt); err != nil {
				b.Fatal(err)
			}
		}},
		{"list/connect_json", func(b *testing.B) { do(b, "POST", "/bazaar.catalog.v1.CatalogService/ListProducts", `{}`) }},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					bm.call(b)
				}
			})
		})
	}
}

// TestGRPCEveryUnaryRPC calls the RPCs the other tests leave out, each
// with input it accepts, and checks what it answers.
func TestGRPCEveryUnaryRPC(t *testing.T) {
	sh := grpcShop(t)
	conn := grpcConn(t, sh.base)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	call := func(tok, method string, in, out proto.Message) {
		t.Helper()
		if err := conn.Invoke(as(ctx, tok), method, in, out); err != nil {
			t.Fatalf("%s(%v): %v", method, in, err)
		}
	}

	var reg accountv1.RegisterResponse
	call("", "/bazaar.account.v1.AccountService/Register", &accountv1.RegisterRequest{Email: "rita@example.com", Password: "rita-password-1",
		Name: "Rita", Role: "customer"}, &reg)
	if reg.GetSession().GetAccessToken() == "" || reg.GetSession().GetUser().GetEmail() != "rita@example.com" {
		t.Fatalf("Register = %v, want a session for rita", reg.GetSession())
	}
	var login accountv1.LoginResponse
	call("", "/bazaar.account.v1.AccountService/Login", &accountv1.LoginRequest{Email: "rita@example.com", Password: "rita-password-1"}, &login)
	var ref accountv1.RefreshResponse
	call("", "/bazaar.account.v1.AccountService/Refresh", &accountv1.RefreshRequest{RefreshToken: login.GetSession().GetRefreshToken()}, &ref)
	rita := ref.GetSession().GetAccessToken()
	var me accountv1.MeResponse
	call(rita, "/bazaar.account.v1.AccountService/Me", &accountv1.MeRequest{}, &me)
	if me.GetUser().GetId() != reg.GetSession().GetUser().GetId() || me.GetUser().GetRole() != "customer" {
		t.Errorf("Me = %v, want rita", me.GetUser())
	}
	err := conn.Invoke(ctx, "/bazaar.account.v1.AccountService/Login", &accountv1.LoginRequest{Email: "rita@example.com", Password: "wrong-password-1"}, &login)
	if status.Code(err) != codes.Unauthenticated {
		t.Errorf("Login with a wrong password = %v, want Unauthenticated", err)
	}

	var cats catalogv1.ListCategoriesResponse
	call("", "/bazaar.catalog.v1.CatalogService/ListCategories", &catalogv1.ListCategoriesRequest{}, &cats)
	if len(cats.GetCategories()) != 1 || cats.GetCategories()[0].GetId() != str(sh.product, "category_id") {
		t.Errorf("ListCategories = %v, want the shop's category", cats.GetCategories())
	}
	var sugg searchv1.SuggestResponse
	eventually(t, "a suggestion for bra", func() string {
		if err := conn.Invoke(ctx, "/bazaar.search.v1.SearchService/Suggest", &searchv1.SuggestRequest{Q: "bra"}, &sugg); err != nil {
			return err.Error()
		}
		if len(sugg.GetSuggestions()) == 0 {
			return "no suggestions"
		}
		return ""
	})

	// A guest cart, named by the token the first call answers.
	var added cartv1.AddItemResponse
	call("", "/bazaar.cart.v1.CartService/AddItem", &cartv1.AddItemRequest{Sku: "GR-1", Quantity: 1}, &added)
	guest := added.GetCart().GetToken()
	if guest == "" {
		t.Fatalf("a guest's AddItem = %v, want a cart token", added.GetCart())
	}
	gctx := metadata.AppendToOutgoingContext(ctx, "x-cart-token", guest)
	lineID := added.GetCart().GetGroups()[0].GetLines()[0].GetId()
	var updated cartv1.UpdateItemResponse
	if err := conn.Invoke(gctx, "/bazaar.cart.v1.CartService/UpdateItem", &cartv1.UpdateItemRequest{Id: lineID, Quantity: 3}, &updated); err != nil ||
		updated.GetCart().GetItemCount() != 3 {
		t.Errorf("the guest's UpdateItem = %v, %v; want 3 items", updated.GetCart(), err)
	}
	if err := conn.Invoke(gctx, "/bazaar.cart.v1.CartService/RemoveItem", &cartv1.RemoveItemRequest{Id: lineID}, &cartv1.RemoveItemResponse{}); err != nil {
		t.Errorf("the guest's RemoveItem: %v", err)
	}
	var got cartv1.GetCartResponse
	if err := conn.Invoke(gctx, "/bazaar.cart.v1.CartService/GetCart", &cartv1.GetCartRequest{}, &got); err != nil || got.GetCart().GetItemCount() != 0 {
		t.Errorf("the guest's GetCart = %v, %v; want it empty", got.GetCart(), err)
	}

	var stock inventoryv1.GetStockResponse
	call(sh.seller, "/bazaar.inventory.v1.InventoryService/GetStock", &inventoryv1.GetStockRequest{Sku: "GR-1"}, &stock)
	if stock.GetStock().GetOnHand() != 10 || stock.GetStock().GetAvailable() != 10 {
		t.Errorf("GetStock = %v, want 10 on hand", stock.GetStock())
	}
	err = conn.Invoke(as(ctx, sh.seller), "/bazaar.inventory.v1.InventoryService/SetStock", &inventoryv1.SetStockRequest{Sku: "GR-1"}, &inventoryv1.SetStockResponse{})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("SetStock without on_hand = %v, want InvalidArgument", err)
	}

	var placed orderv1.PlaceOrderResponse
	call(sh.customer, "/bazaar.order.v1.OrderService/PlaceOrder", &orderv1.PlaceOrderRequest{AddressId: sh.address,
		Lines: []*orderv1.LineInput{{Sku: "GR-1", Quantity: 1}}}, &placed)
	var paid paymentv1.PayResponse
	call(sh.customer, "/bazaar.payment.v1.PaymentService/Pay", &paymentv1.PayRequest{OrderId: placed.GetOrder().GetId(), Method: "tok_visa"}, &paid)
	var pay paymentv1.GetPaymentResponse
	call(sh.customer, "/bazaar.payment.v1.PaymentService/GetPayment", &paymentv1.GetPaymentRequest{Id: paid.GetPayment().GetId()}, &pay)
	if pay.GetPayment().GetOrderId() != placed.GetOrder().GetId() {
		t.Errorf("GetPayment = %v, want the order's payment", pay.GetPayment())
	}
	if err := conn.Invoke(as(ctx, rita), "/bazaar.payment.v1.PaymentService/GetPayment", &paymentv1.GetPaymentRequest{Id: paid.GetPayment().GetId()},
		&pay); status.Code(err) != codes.NotFound {
		t.Errorf("another customer's GetPayment = %v, want NotFound", err)
	}
	var queue orderv1.ListSellerOrdersResponse
	eventually(t, "the paid order in the seller's queue", func() string {
		if err := conn.Invoke(as(ctx, sh.seller), "/bazaar.order.v1.OrderService/ListSellerOrders", &orderv1.ListSellerOrdersRequest{Status: "awaiting_fulfillment"},
			&queue); err != nil {
			return err.Error()
		}
		if len(queue.GetSellerOrders()) != 1 || queue.GetSellerOrders()[0].GetSellerOrder().GetShipment().GetId() == "" {
			return fmt.Sprintf("queue %v", queue.GetSellerOrders())
		}
		return ""
	})
	sid := queue.GetSellerOrders()[0].GetSellerOrder().GetShipment().GetId()
	call(sh.seller, "/bazaar.shipment.v1.ShipmentService/Pack", &shipmentv1.PackRequest{Id: sid}, &shipmentv1.PackResponse{})
	// The shop has no delivery partner: handing over is refused as REST
	// refuses it.
	err = conn.Invoke(as(ctx, sh.seller), "/bazaar.shipment.v1.ShipmentService/HandOver", &shipmentv1.HandOverRequest{Id: sid}, &shipmentv1.HandOverResponse{})
	if status.Code(err) != codes.FailedPrecondition || errorInfo(err).GetReason() == "" || errorInfo(err).GetMetadata()["status"] != "409" {
		t.Errorf("HandOver without a delivery partner = %v (%v), want FailedPrecondition, status 409", err, errorInfo(err))
	}
}

// TestGRPCRateLimited checks the edge's rate limit answers gRPC callers in
// gRPC's shape: ResourceExhausted with RetryInfo, the RateLimit headers in
// the metadata.
func TestGRPCRateLimited(t *testing.T) {
	_, base := bootConfig(t, server.Config{DataDir: t.TempDir(), Edge: server.Edge{RateIP: ratelimit.Bucket{Rate: 0.01, Burst: 2}}})
	conn := grpcConn(t, base)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var err error
	var md metadata.MD
	for range 5 {
		err = conn.Invoke(ctx, "/bazaar.catalog.v1.CatalogService/ListCategories", &catalogv1.ListCategoriesRequest{}, &catalogv1.ListCategoriesResponse{},
			grpc.Header(&md))
		if err != nil {
			break
		}
		if md.Get("ratelimit-limit") == nil {
			t.Errorf("an allowed call's metadata %v, want RateLimit-Limit", md)
		}
	}
	var retry *errdetails.RetryInfo
	for _, d := range status.Convert(err).Details() {
		if r, ok := d.(*errdetails.RetryInfo); ok {
			retry = r
		}
	}
	if status.Code(err) != codes.ResourceExhausted || errorInfo(err).GetMetadata()["status"] != "429" || retry.GetRetryDelay().AsDuration() <= 0 {
		t.Errorf("calls over the limit = %v (details %v), want ResourceExhausted, status 429, RetryInfo", err, status.Convert(err).Details())
	}
}
