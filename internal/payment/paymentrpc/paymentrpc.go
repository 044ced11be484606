// Package paymentrpc is the payment module's gRPC service
// (bazaar.payment.v1.PaymentService): starting a payment for an order and
// reading one, as POST /api/v1/payment and GET /api/v1/payment/{id}.
package paymentrpc

import (
	"context"
	"net/http"

	"connectrpc.com/connect"

	paymentv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/payment/v1"
	"github.com/bazaar-market/bazaar/internal/gen/bazaar/payment/v1/paymentv1connect"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/rpc"
)

// PayFunc starts paying for one of the caller's orders (the order
// module's Pay, which checks the order and asks the payment module).
type PayFunc func(ctx context.Context, orderID id.Order, method string) (payment.Payment, error)

// Server implements PaymentService.
type Server struct {
	svc *payment.Service
	pay PayFunc
}

var _ paymentv1connect.PaymentServiceHandler = (*Server)(nil)

// New returns the service over svc, starting payments through pay.
func New(svc *payment.Service, pay PayFunc) *Server { return &Server{svc: svc, pay: pay} }

// Handler returns the service's path and HTTP handler.
func (s *Server) Handler(opts ...connect.HandlerOption) (string, http.Handler) {
	return paymentv1connect.NewPaymentServiceHandler(s, opts...)
}

func (s *Server) Pay(ctx context.Context, req *connect.Request[paymentv1.PayRequest]) (*connect.Response[paymentv1.PayResponse], error) {
	p, err := s.pay(ctx, id.Order(req.Msg.GetOrderId()), req.Msg.GetMethod())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&paymentv1.PayResponse{Payment: Payment(p)}), nil
}

func (s *Server) GetPayment(ctx context.Context, req *connect.Request[paymentv1.GetPaymentRequest]) (*connect.Response[paymentv1.GetPaymentResponse], error) {
	p, err := s.svc.Payment(ctx, id.Payment(req.Msg.GetId()))
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&paymentv1.GetPaymentResponse{Payment: Payment(p)}), nil
}

// Payment is p in protobuf, as paymenthttp.View shows it.
func Payment(p payment.Payment) *paymentv1.Payment {
	out := &paymentv1.Payment{Id: string(p.ID), OrderId: string(p.OrderID), Status: string(p.Status), Amount: rpc.Money(p.Amount),
		Method: p.Method, Gateway: p.Gateway, FailureCode: p.FailureCode, FailureMessage: p.FailureMessage,
		RefundedAmount: rpc.Money(p.Refunded), CreatedAt: rpc.Time(p.CreatedAt), UpdatedAt: rpc.Time(p.UpdatedAt)}
	if a := p.NextAction; a != nil {
		out.NextAction = &paymentv1.NextAction{Type: a.Type, RedirectUrl: a.RedirectURL, ClientSecret: a.ClientSecret,
			Gateway: a.Gateway, PublishableKey: a.PublishableKey, GatewayOrderId: a.GatewayOrderID}
	}
	for _, r := range p.Refunds {
		out.Refunds = append(out.Refunds, &paymentv1.Refund{Id: string(r.ID), Amount: rpc.Money(r.Amount), Reason: r.Reason,
			Status: string(r.Status), FailureCode: r.FailureCode, CreatedAt: rpc.Time(r.CreatedAt)})
	}
	return out
}
