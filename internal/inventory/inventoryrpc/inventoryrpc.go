// Package inventoryrpc is the inventory's gRPC service
// (bazaar.inventory.v1.InventoryService): a SKU's stock, read and set
// through the same service calls as inventoryhttp.
package inventoryrpc

import (
	"context"
	"net/http"

	"connectrpc.com/connect"

	inventoryv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/inventory/v1"
	"github.com/bazaar-market/bazaar/internal/gen/bazaar/inventory/v1/inventoryv1connect"
	"github.com/bazaar-market/bazaar/internal/inventory"
)

// Server implements InventoryService.
type Server struct{ svc *inventory.Service }

var _ inventoryv1connect.InventoryServiceHandler = (*Server)(nil)

// New returns the service over svc.
func New(svc *inventory.Service) *Server { return &Server{svc: svc} }

// Handler returns the service's path and HTTP handler.
func (s *Server) Handler(opts ...connect.HandlerOption) (string, http.Handler) {
	return inventoryv1connect.NewInventoryServiceHandler(s, opts...)
}

func (s *Server) GetStock(ctx context.Context, req *connect.Request[inventoryv1.GetStockRequest]) (*connect.Response[inventoryv1.GetStockResponse], error) {
	st, err := s.svc.Stock(ctx, req.Msg.GetSku())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&inventoryv1.GetStockResponse{Stock: Stock(st)}), nil
}

func (s *Server) SetStock(ctx context.Context, req *connect.Request[inventoryv1.SetStockRequest]) (*connect.Response[inventoryv1.SetStockResponse], error) {
	st, err := s.svc.SetOnHand(ctx, req.Msg.GetSku(), inventory.StockInput{Warehouse: req.Msg.GetWarehouse(), OnHand: req.Msg.OnHand})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&inventoryv1.SetStockResponse{Stock: Stock(st)}), nil
}

// Stock is st in protobuf.
func Stock(st inventory.Stock) *inventoryv1.Stock {
	out := &inventoryv1.Stock{Sku: st.SKU, ProductId: string(st.ProductID), SellerId: string(st.SellerID), OnHand: st.OnHand,
		Reserved: st.Reserved, Available: st.Available}
	for _, l := range st.Warehouses {
		out.Warehouses = append(out.Warehouses, &inventoryv1.Level{WarehouseId: string(l.WarehouseID), WarehouseName: l.WarehouseName,
			OnHand: l.OnHand, Reserved: l.Reserved, Available: l.Available})
	}
	return out
}
