// Package supportrpc is the support module's gRPC service
// (bazaar.support.v1.SupportService): help tickets and returns, through the
// same service calls as supporthttp. Files are uploaded through REST and
// named here by their attachment IDs.
package supportrpc

import (
	"context"
	"net/http"

	"connectrpc.com/connect"

	supportv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/support/v1"
	"github.com/bazaar-market/bazaar/internal/gen/bazaar/support/v1/supportv1connect"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/rpc"
	"github.com/bazaar-market/bazaar/internal/support"
)

// Server implements SupportService.
type Server struct{ svc *support.Service }

var _ supportv1connect.SupportServiceHandler = (*Server)(nil)

// New returns the service over svc.
func New(svc *support.Service) *Server { return &Server{svc: svc} }

// Handler returns the service's path and HTTP handler.
func (s *Server) Handler(opts ...connect.HandlerOption) (string, http.Handler) {
	return supportv1connect.NewSupportServiceHandler(s, opts...)
}

func attachmentIDs(ss []string) []id.Attachment {
	var out []id.Attachment
	for _, s := range ss {
		out = append(out, id.Attachment(s))
	}
	return out
}

func (s *Server) OpenTicket(ctx context.Context, req *connect.Request[supportv1.OpenTicketRequest]) (*connect.Response[supportv1.OpenTicketResponse], error) {
	m := req.Msg
	t, err := s.svc.OpenTicket(ctx, support.TicketInput{Subject: m.GetSubject(), Body: m.GetBody(), Category: support.Category(m.GetCategory()),
		OrderID: id.Order(m.GetOrderId()), SellerOrderID: id.SellerOrder(m.GetSellerOrderId()), ProductID: id.Product(m.GetProductId()),
		ReturnID: id.Return(m.GetReturnId()), Attachments: attachmentIDs(m.GetAttachments())})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&supportv1.OpenTicketResponse{Ticket: Ticket(t)}), nil
}

func (s *Server) ListTickets(ctx context.Context, req *connect.Request[supportv1.ListTicketsRequest]) (*connect.Response[supportv1.ListTicketsResponse], error) {
	m := req.Msg
	pg, err := s.svc.Tickets(ctx, support.TicketQuery{Status: support.TicketStatus(m.GetStatus()), Open: m.GetOpen(), Assignee: m.GetAssignee(),
		Priority: support.Priority(m.GetPriority()), Overdue: m.GetOverdue(), SellerID: id.Seller(m.GetSellerId()),
		OrderID: id.Order(m.GetOrderId()), ReturnID: id.Return(m.GetReturnId()), Sort: support.TicketSort(m.GetSort()),
		Cursor: m.GetPageToken(), Limit: rpc.PageSize(m.GetPageSize())})
	if err != nil {
		return nil, err
	}
	out := &supportv1.ListTicketsResponse{NextPageToken: pg.NextCursor}
	for _, t := range pg.Items {
		out.Tickets = append(out.Tickets, Ticket(t))
	}
	return connect.NewResponse(out), nil
}

func (s *Server) GetTicket(ctx context.Context, req *connect.Request[supportv1.GetTicketRequest]) (*connect.Response[supportv1.GetTicketResponse], error) {
	t, err := s.svc.Ticket(ctx, id.Ticket(req.Msg.GetId()))
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&supportv1.GetTicketResponse{Ticket: Ticket(t)}), nil
}

func (s *Server) ReplyToTicket(ctx context.Context, req *connect.Request[supportv1.ReplyToTicketRequest]) (*connect.Response[supportv1.ReplyToTicketResponse], error) {
	m := req.Msg
	msg, err := s.svc.Reply(ctx, id.Ticket(m.GetId()), support.MessageInput{Body: m.GetBody(), Internal: m.GetInternal(),
		Attachments: attachmentIDs(m.GetAttachments())})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&supportv1.ReplyToTicketResponse{Message: message(msg)}), nil
}

func (s *Server) RequestReturn(ctx context.Context, req *connect.Request[supportv1.RequestReturnRequest]) (*connect.Response[supportv1.RequestReturnResponse], error) {
	m := req.Msg
	in := support.ReturnInput{SellerOrderID: id.SellerOrder(m.GetSellerOrderId()), Comment: m.GetComment(), Photos: attachmentIDs(m.GetPhotos())}
	for _, l := range m.GetLines() {
		in.Lines = append(in.Lines, support.ReturnLineInput{SKU: l.GetSku(), Quantity: l.GetQuantity(), Reason: support.Reason(l.GetReason()),
			ExchangeSKU: l.GetExchangeSku()})
	}
	r, err := s.svc.RequestReturn(ctx, in)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&supportv1.RequestReturnResponse{Return: Return(r)}), nil
}

func (s *Server) ListReturns(ctx context.Context, req *connect.Request[supportv1.ListReturnsRequest]) (*connect.Response[supportv1.ListReturnsResponse], error) {
	m := req.Msg
	pg, err := s.svc.Returns(ctx, support.ReturnQuery{Status: support.ReturnStatus(m.GetStatus()), SellerOrderID: id.SellerOrder(m.GetSellerOrderId()),
		OrderID: id.Order(m.GetOrderId()), Cursor: m.GetPageToken(), Limit: rpc.PageSize(m.GetPageSize())})
	if err != nil {
		return nil, err
	}
	out := &supportv1.ListReturnsResponse{NextPageToken: pg.NextCursor}
	for _, r := range pg.Items {
		out.Returns = append(out.Returns, Return(r))
	}
	return connect.NewResponse(out), nil
}

func (s *Server) GetReturn(ctx context.Context, req *connect.Request[supportv1.GetReturnRequest]) (*connect.Response[supportv1.GetReturnResponse], error) {
	r, err := s.svc.Return(ctx, id.Return(req.Msg.GetId()))
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&supportv1.GetReturnResponse{Return: Return(r)}), nil
}

func attachments(as []support.Attachment) []*supportv1.Attachment {
	var out []*supportv1.Attachment
	for _, a := range as {
		out = append(out, &supportv1.Attachment{Id: string(a.ID), Name: a.Name, ContentType: a.ContentType, Size: a.Size, Url: a.URL})
	}
	return out
}

func message(m support.Message) *supportv1.Message {
	return &supportv1.Message{Id: string(m.ID), TicketId: string(m.TicketID), AuthorId: string(m.AuthorID), AuthorRole: string(m.AuthorRole),
		AuthorName: m.AuthorName, Body: m.Body, Internal: m.Internal, Attachments: attachments(m.Attachments), CreatedAt: rpc.Time(m.CreatedAt)}
}

// Ticket is t in protobuf.
func Ticket(t support.Ticket) *supportv1.Ticket {
	out := &supportv1.Ticket{Id: string(t.ID), Subject: t.Subject, Category: string(t.Category), Status: string(t.Status),
		Priority: string(t.Priority), CustomerId: string(t.CustomerID), SellerId: string(t.SellerID), AssigneeId: string(t.AssigneeID),
		OrderId: string(t.OrderID), SellerOrderId: string(t.SellerOrderID), ProductId: string(t.ProductID), ReturnId: string(t.ReturnID),
		FirstResponseDue: rpc.Time(t.FirstResponseDue), FirstResponseAt: rpc.TimePtr(t.FirstResponseAt), Overdue: t.Overdue,
		MessageCount: int32(t.MessageCount), LastReplyBy: string(t.LastReplyBy), LastMessageAt: rpc.Time(t.LastMessage),
		ResolvedAt: rpc.TimePtr(t.ResolvedAt), ClosedAt: rpc.TimePtr(t.ClosedAt), CreatedAt: rpc.Time(t.CreatedAt), UpdatedAt: rpc.Time(t.UpdatedAt)}
	for _, m := range t.Messages {
		out.Messages = append(out.Messages, message(m))
	}
	return out
}

// Return is r in protobuf.
func Return(r support.Return) *supportv1.Return {
	out := &supportv1.Return{Id: string(r.ID), OrderId: string(r.OrderID), SellerOrderId: string(r.SellerOrderID), SellerId: string(r.SellerID),
		CustomerId: string(r.CustomerID), Status: string(r.Status), Comment: r.Comment, Photos: attachments(r.Photos),
		AutoApproved: r.AutoApproved, RejectReason: r.RejectReason, RestockingFee: rpc.Money(r.RestockingFee), Refund: rpc.Money(r.Refund),
		Restocked: r.Restocked, DeliveredAt: rpc.Time(r.DeliveredAt), CreatedAt: rpc.Time(r.CreatedAt), UpdatedAt: rpc.Time(r.UpdatedAt),
		TicketId: string(r.TicketID)}
	for _, l := range r.Lines {
		out.Lines = append(out.Lines, &supportv1.ReturnLine{Sku: l.SKU, ProductId: string(l.ProductID), Title: l.Title, Quantity: l.Quantity,
			Reason: string(l.Reason), UnitPrice: rpc.Money(l.UnitPrice), Sellable: l.Sellable, Damaged: l.Damaged, ExchangeSku: l.ExchangeSKU})
	}
	return out
}
