// Package accountrpc is the account module's gRPC service
// (bazaar.account.v1.AccountService): signing in, registering, refreshing,
// the caller's own user and the admins' user list, through the same service
// calls as accounthttp.
package accountrpc

import (
	"context"
	"net"
	"net/http"

	"connectrpc.com/connect"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	accountv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/account/v1"
	"github.com/bazaar-market/bazaar/internal/gen/bazaar/account/v1/accountv1connect"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/rpc"
)

// Server implements AccountService.
type Server struct{ svc *account.Service }

var _ accountv1connect.AccountServiceHandler = (*Server)(nil)

// New returns the service over svc.
func New(svc *account.Service) *Server { return &Server{svc: svc} }

// Handler returns the service's path and HTTP handler.
func (s *Server) Handler(opts ...connect.HandlerOption) (string, http.Handler) {
	return accountv1connect.NewAccountServiceHandler(s, opts...)
}

// client is who signs in: the peer's address and user agent (an RPC client
// has no remembered-device cookie).
func client(peer connect.Peer, h http.Header) account.Client {
	ip := peer.Addr
	if host, _, err := net.SplitHostPort(peer.Addr); err == nil {
		ip = host
	}
	return account.Client{IP: ip, UserAgent: h.Get("User-Agent")}
}

func (s *Server) Login(ctx context.Context, req *connect.Request[accountv1.LoginRequest]) (*connect.Response[accountv1.LoginResponse], error) {
	ses, err := s.svc.Login(ctx, account.Credentials{Email: req.Msg.GetEmail(), Password: req.Msg.GetPassword()}, client(req.Peer(), req.Header()))
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&accountv1.LoginResponse{Session: session(ses)}), nil
}

func (s *Server) Register(ctx context.Context, req *connect.Request[accountv1.RegisterRequest]) (*connect.Response[accountv1.RegisterResponse], error) {
	m := req.Msg
	ses, err := s.svc.Register(ctx, account.NewUser{Email: m.GetEmail(), Password: m.GetPassword(), Name: m.GetName(), Role: auth.Role(m.GetRole())},
		client(req.Peer(), req.Header()))
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&accountv1.RegisterResponse{Session: session(ses)}), nil
}

func (s *Server) Refresh(ctx context.Context, req *connect.Request[accountv1.RefreshRequest]) (*connect.Response[accountv1.RefreshResponse], error) {
	ses, err := s.svc.Refresh(ctx, req.Msg.GetRefreshToken())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&accountv1.RefreshResponse{Session: session(ses)}), nil
}

func (s *Server) Me(ctx context.Context, _ *connect.Request[accountv1.MeRequest]) (*connect.Response[accountv1.MeResponse], error) {
	u, err := s.svc.Me(ctx)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&accountv1.MeResponse{User: User(u)}), nil
}

// cursor is the keyset position of the user list, as REST's.
type cursor struct {
	After string `json:"after"`
}

func (s *Server) ListUsers(ctx context.Context, req *connect.Request[accountv1.ListUsersRequest]) (*connect.Response[accountv1.ListUsersResponse], error) {
	m := req.Msg
	var f apperr.Fields
	limit := page.Limit(&f, int(m.GetPageSize()))
	if err := f.Err(); err != nil {
		return nil, err
	}
	var c cursor
	if t := m.GetPageToken(); t != "" {
		if err := page.DecodeCursor(t, &c); err != nil {
			return nil, err
		}
	}
	us, err := s.svc.Users(ctx, account.UserFilter{Role: auth.Role(m.GetRole()), Status: account.UserStatus(m.GetStatus()),
		After: c.After, Limit: limit + 1})
	if err != nil {
		return nil, err
	}
	out := &accountv1.ListUsersResponse{}
	if len(us) > limit {
		us = us[:limit]
		out.NextPageToken = page.EncodeCursor(cursor{After: string(us[limit-1].ID)})
	}
	for _, u := range us {
		out.Users = append(out.Users, User(u))
	}
	return connect.NewResponse(out), nil
}

func session(s account.Session) *accountv1.Session {
	return &accountv1.Session{AccessToken: s.AccessToken, RefreshToken: s.RefreshToken, TokenType: s.TokenType,
		ExpiresIn: s.ExpiresIn, User: User(s.User)}
}

// User is u in protobuf.
func User(u account.User) *accountv1.User {
	return &accountv1.User{Id: string(u.ID), Email: u.Email, Name: u.Name, Role: string(u.Role), Status: string(u.Status),
		EmailVerified: u.EmailVerified, CreatedAt: rpc.Time(u.CreatedAt), UpdatedAt: rpc.Time(u.UpdatedAt)}
}
