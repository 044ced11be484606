// Package cartrpc is the cart's gRPC service (bazaar.cart.v1.CartService):
// the same service calls as carthttp, in protobuf. A guest's cart is named
// by the X-Cart-Token metadata, as REST's header; a signed-in caller's by
// its bearer token.
package cartrpc

import (
	"context"
	"net/http"

	"connectrpc.com/connect"

	"github.com/bazaar-market/bazaar/internal/cart"
	cartv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/cart/v1"
	"github.com/bazaar-market/bazaar/internal/gen/bazaar/cart/v1/cartv1connect"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/rpc"
)

// TokenHeader is the metadata naming a guest cart, as REST's header.
const TokenHeader = "X-Cart-Token"

// Server implements CartService.
type Server struct{ svc *cart.Service }

var _ cartv1connect.CartServiceHandler = (*Server)(nil)

// New returns the service over svc.
func New(svc *cart.Service) *Server { return &Server{svc: svc} }

// Handler returns the service's path and HTTP handler.
func (s *Server) Handler(opts ...connect.HandlerOption) (string, http.Handler) {
	return cartv1connect.NewCartServiceHandler(s, opts...)
}

func token(h http.Header) string { return h.Get(TokenHeader) }

// respond answers with the cart; a guest's token goes back in the
// X-Cart-Token header too.
func respond[T any](msg *T, v cart.View) *connect.Response[T] {
	res := connect.NewResponse(msg)
	if v.Token != "" {
		res.Header().Set(TokenHeader, v.Token)
	}
	return res
}

func (s *Server) GetCart(ctx context.Context, req *connect.Request[cartv1.GetCartRequest]) (*connect.Response[cartv1.GetCartResponse], error) {
	v, err := s.svc.Cart(ctx, token(req.Header()))
	if err != nil {
		return nil, err
	}
	return respond(&cartv1.GetCartResponse{Cart: Cart(v)}, v), nil
}

func (s *Server) AddItem(ctx context.Context, req *connect.Request[cartv1.AddItemRequest]) (*connect.Response[cartv1.AddItemResponse], error) {
	v, err := s.svc.AddItem(ctx, token(req.Header()), cart.ItemInput{SKU: req.Msg.GetSku(), Quantity: req.Msg.GetQuantity()})
	if err != nil {
		return nil, err
	}
	return respond(&cartv1.AddItemResponse{Cart: Cart(v)}, v), nil
}

func (s *Server) UpdateItem(ctx context.Context, req *connect.Request[cartv1.UpdateItemRequest]) (*connect.Response[cartv1.UpdateItemResponse], error) {
	v, err := s.svc.UpdateItem(ctx, token(req.Header()), id.CartLine(req.Msg.GetId()), cart.QuantityInput{Quantity: req.Msg.GetQuantity()})
	if err != nil {
		return nil, err
	}
	return respond(&cartv1.UpdateItemResponse{Cart: Cart(v)}, v), nil
}

func (s *Server) RemoveItem(ctx context.Context, req *connect.Request[cartv1.RemoveItemRequest]) (*connect.Response[cartv1.RemoveItemResponse], error) {
	if err := s.svc.RemoveItem(ctx, token(req.Header()), id.CartLine(req.Msg.GetId())); err != nil {
		return nil, err
	}
	return connect.NewResponse(&cartv1.RemoveItemResponse{}), nil
}

// Cart is v in protobuf.
func Cart(v cart.View) *cartv1.Cart {
	out := &cartv1.Cart{Id: string(v.ID), Token: v.Token, Subtotal: rpc.Money(v.Subtotal), ItemCount: v.ItemCount, Currency: v.Currency}
	for _, g := range v.Groups {
		pg := &cartv1.Group{SellerId: string(g.SellerID), SellerName: g.SellerName, Subtotal: rpc.Money(g.Subtotal)}
		for _, l := range g.Lines {
			pg.Lines = append(pg.Lines, &cartv1.Line{Id: string(l.ID), Sku: l.SKU, ProductId: string(l.ProductID),
				ProductTitle: l.ProductTitle, ProductSlug: l.ProductSlug, Options: l.Options, Image: l.Image, Quantity: l.Quantity,
				UnitPrice: rpc.Money(l.UnitPrice), LineTotal: rpc.Money(l.LineTotal), Available: l.Available, InStock: l.InStock,
				Purchasable: l.Purchasable, CurrencyMismatch: l.CurrencyMismatch})
		}
		out.Groups = append(out.Groups, pg)
	}
	return out
}
