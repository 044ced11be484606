package server

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"

	"github.com/bazaar-market/bazaar/internal/account/accountrpc"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/cart/cartrpc"
	"github.com/bazaar-market/bazaar/internal/catalog/catalogrpc"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory/inventoryrpc"
	"github.com/bazaar-market/bazaar/internal/live"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/order/orderrpc"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/payment/paymentrpc"
	"github.com/bazaar-market/bazaar/internal/recommend/recommendrpc"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/review/reviewrpc"
	"github.com/bazaar-market/bazaar/internal/rpc"
	"github.com/bazaar-market/bazaar/internal/search/searchrpc"
	"github.com/bazaar-market/bazaar/internal/shipment/shipmentrpc"
	"github.com/bazaar-market/bazaar/internal/support/supportrpc"
	"github.com/bazaar-market/bazaar/proto"
)

// rpcService is a module's gRPC door: its path prefix and handler.
type rpcService interface {
	Handler(opts ...connect.HandlerOption) (string, http.Handler)
}

// mountRPC mounts every module's gRPC service (gRPC, gRPC-Web and Connect on
// the API's port, behind the same middleware as REST), server reflection
// (v1 and v1alpha), the standard health service, and the protos at /proto/.
func (s *Server) mountRPC() error {
	m := &s.mods
	services := []rpcService{
		catalogrpc.New(m.catalog, m.inventory),
		searchrpc.New(m.search),
		cartrpc.New(m.cart),
		orderrpc.New(m.order, s.watchOrders),
		paymentrpc.New(m.payment, func(ctx context.Context, orderID id.Order, method string) (payment.Payment, error) {
			return m.order.Pay(ctx, order.PayInput{OrderID: orderID, Method: method})
		}),
		shipmentrpc.New(m.shipment, s.watchShipments),
		accountrpc.New(m.account),
		inventoryrpc.New(m.inventory),
		reviewrpc.New(m.review),
		recommendrpc.New(m.recommend),
		supportrpc.New(m.support),
	}
	streams := slices.Concat(orderrpc.Streams, shipmentrpc.Streams)
	// Answers under 1 KiB are not worth compressing (connect gzips for
	// clients that accept it).
	opts := []connect.HandlerOption{connect.WithInterceptors(rpc.Interceptor()), connect.WithCompressMinBytes(1 << 10)}
	var names []string
	for _, svc := range services {
		path, h := svc.Handler(opts...)
		names = append(names, strings.Trim(path, "/"))
		s.router.Mount(path, outliveWriteTimeout(h, streams))
	}
	// Reflection lists the standard services too, as grpcurl users expect.
	reflector := grpcreflect.NewStaticReflector(slices.Concat(names,
		[]string{grpchealth.HealthV1ServiceName, grpcreflect.ReflectV1ServiceName, grpcreflect.ReflectV1AlphaServiceName})...)
	s.router.Mount(grpcreflect.NewHandlerV1(reflector))
	s.router.Mount(grpcreflect.NewHandlerV1Alpha(reflector))
	s.router.Mount(grpchealth.NewHandler(grpchealth.NewStaticChecker(names...)))
	files, err := protoIndex()
	if err != nil {
		return err
	}
	s.router.Mount("GET /proto/", files)
	return nil
}

// outliveWriteTimeout clears the server's write deadline for the streaming
// procedures, which last as long as the client watches.
func outliveWriteTimeout(h http.Handler, streams []string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slices.Contains(streams, r.URL.Path) {
			_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
		}
		h.ServeHTTP(w, r)
	})
}

// protoIndex serves the .proto files under /proto/ and, at /proto/, an
// index of them (HTML for browsers, a JSON list otherwise).
func protoIndex() (http.Handler, error) {
	var paths []string
	err := fs.WalkDir(proto.Files, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".proto") {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("embedded protos: %w", err)
	}
	sort.Strings(paths)
	files := http.StripPrefix("/proto/", http.FileServerFS(proto.Files))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if r.URL.Path != "/proto/" {
			if !slices.Contains(paths, strings.TrimPrefix(r.URL.Path, "/proto/")) {
				rest.Error(w, r, apperr.NotFound("no proto file at %s", r.URL.Path))
				return
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			files.ServeHTTP(w, r)
			return
		}
		if strings.Contains(r.Header.Get("Accept"), "text/html") {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<!doctype html><meta charset=utf-8><title>Bazaar protos</title><h1>Bazaar protobuf definitions</h1><ul>")
			for _, p := range paths {
				fmt.Fprintf(w, `<li><a href="/proto/%s">%s</a>`, html.EscapeString(p), html.EscapeString(p))
			}
			fmt.Fprint(w, "</ul>")
			return
		}
		rest.JSON(w, http.StatusOK, map[string][]string{"files": paths})
	}), nil
}

// watchOrders adapts the live hub to orderrpc.Watch: the IDs of user's
// orders as they change.
func (s *Server) watchOrders(ctx context.Context, user id.User) (<-chan id.Order, error) {
	return watchLive(ctx, s.mods.live, user, func(m live.Message) (id.Order, bool) {
		switch m.Type {
		case live.TypeOrder:
			var d live.OrderData
			if json.Unmarshal(m.Data, &d) != nil {
				return "", true
			}
			return d.OrderID, true
		case live.TypeShipment, live.TypeSellerOrder:
			// A parcel's move may change the order's status.
			var d struct {
				OrderID id.Order `json:"order_id"`
			}
			if json.Unmarshal(m.Data, &d) != nil {
				return "", true
			}
			return d.OrderID, true
		case live.TypeReset:
			return "", true
		}
		return "", false
	})
}

// watchShipments adapts the live hub to shipmentrpc.Watch.
func (s *Server) watchShipments(ctx context.Context, user id.User) (<-chan id.Shipment, error) {
	return watchLive(ctx, s.mods.live, user, func(m live.Message) (id.Shipment, bool) {
		switch m.Type {
		case live.TypeShipment:
			var d live.ShipmentData
			if json.Unmarshal(m.Data, &d) != nil {
				return "", true
			}
			return d.ShipmentID, true
		case live.TypeSellerOrder:
			var d live.SellerOrderData
			if json.Unmarshal(m.Data, &d) != nil || d.ShipmentID == "" {
				return "", false
			}
			return d.ShipmentID, true
		case live.TypeReset:
			return "", true
		}
		return "", false
	})
}

// watchLive subscribes user to the hub and delivers pick's answer for every
// message it keeps, until ctx ends (then it unsubscribes) or the hub drops
// the subscription (then the channel closes).
func watchLive[T any](ctx context.Context, hub *live.Hub, user id.User, pick func(live.Message) (T, bool)) (<-chan T, error) {
	sub, err := hub.Subscribe(user, "")
	if err != nil {
		return nil, err
	}
	out := make(chan T, 16)
	go func() {
		defer close(out)
		defer sub.Close()
		for {
			var frame []byte
			select {
			case <-ctx.Done():
				return
			case <-sub.Done():
				return
			case frame = <-sub.C():
			}
			var m live.Message
			if json.Unmarshal(frame, &m) != nil {
				continue
			}
			v, ok := pick(m)
			if !ok {
				continue
			}
			select {
			case out <- v:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}
