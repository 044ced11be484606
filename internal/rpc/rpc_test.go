package rpc_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/rpc"
)

// details decodes a connect error's details by type.
func details(t *testing.T, ce *connect.Error) (info *errdetails.ErrorInfo, br *errdetails.BadRequest, retry *errdetails.RetryInfo) {
	t.Helper()
	for _, d := range ce.Details() {
		v, err := d.Value()
		if err != nil {
			t.Fatalf("detail %s: %v", d.Type(), err)
		}
		switch x := v.(type) {
		case *errdetails.ErrorInfo:
			info = x
		case *errdetails.BadRequest:
			br = x
		case *errdetails.RetryInfo:
			retry = x
		}
	}
	return info, br, retry
}

func TestErrorMapsEveryKind(t *testing.T) {
	tests := []struct {
		err    error
		code   connect.Code
		reason string
		status string
		msg    string
	}{
		{apperr.Invalid("validation_failed", "bad", apperr.FieldError{Field: "sku", Message: "is required"}), connect.CodeInvalidArgument, "validation_failed", "400", "bad"},
		{apperr.Unauthorized("unauthenticated", "sign in"), connect.CodeUnauthenticated, "unauthenticated", "401", "sign in"},
		{apperr.Forbidden("admins only"), connect.CodePermissionDenied, "forbidden", "403", "admins only"},
		{fmt.Errorf("read: %w", apperr.NotFound("order %s not found", "ord_1")), connect.CodeNotFound, "not_found", "404", "order ord_1 not found"},
		{apperr.Conflict("already_paid", "paid"), connect.CodeFailedPrecondition, "already_paid", "409", "paid"},
		{apperr.Unprocessable("key_reused", "reused"), connect.CodeFailedPrecondition, "key_reused", "422", "reused"},
		{apperr.RateLimited(1500*time.Millisecond, "slow down"), connect.CodeResourceExhausted, "rate_limited", "429", "slow down"},
		{apperr.New(apperr.KindTooLarge, "body_too_large", "big"), connect.CodeResourceExhausted, "body_too_large", "413", "big"},
		{apperr.New(apperr.KindUnavailable, "down", "down"), connect.CodeUnavailable, "down", "503", "down"},
		{apperr.New(apperr.KindUnsupportedMedia, "unsupported_media_type", "png only"), connect.CodeInvalidArgument, "unsupported_media_type", "415", "png only"},
		{errors.New("pq: connection refused at 10.0.0.3"), connect.CodeInternal, "internal", "500", "internal error"},
	}
	for _, tt := range tests {
		ce := rpc.Error(context.Background(), tt.err)
		info, br, retry := details(t, ce)
		if ce.Code() != tt.code || ce.Message() != tt.msg {
			t.Errorf("Error(%v) = %v %q, want %v %q", tt.err, ce.Code(), ce.Message(), tt.code, tt.msg)
		}
		if info == nil || info.GetReason() != tt.reason || info.GetDomain() != rpc.Domain || info.GetMetadata()["status"] != tt.status {
			t.Errorf("Error(%v) ErrorInfo = %v, want reason %s, status %s", tt.err, info, tt.reason, tt.status)
		}
		if (br != nil) != (tt.reason == "validation_failed") {
			t.Errorf("Error(%v) BadRequest = %v", tt.err, br)
		}
		if (retry != nil) != (tt.code == connect.CodeResourceExhausted && tt.status == "429") {
			t.Errorf("Error(%v) RetryInfo = %v", tt.err, retry)
		}
	}
	_, br, _ := details(t, rpc.Error(context.Background(), tests[0].err))
	if v := br.GetFieldViolations(); len(v) != 1 || v[0].GetField() != "sku" || v[0].GetDescription() != "is required" {
		t.Errorf("BadRequest violations = %v, want sku: is required", v)
	}
	_, _, retry := details(t, rpc.Error(context.Background(), tests[6].err))
	if d := retry.GetRetryDelay().AsDuration(); d != 1500*time.Millisecond {
		t.Errorf("RetryInfo delay = %v, want 1.5s", d)
	}
	if ce := rpc.Error(context.Background(), context.Canceled); ce.Code() != connect.CodeCanceled {
		t.Errorf("Error(context.Canceled) = %v, want Canceled", ce.Code())
	}
}

func TestIsRPC(t *testing.T) {
	tests := []struct {
		method, path, ct string
		want             bool
	}{
		{"POST", "/bazaar.order.v1.OrderService/GetOrder", "application/grpc", true},
		{"POST", "/bazaar.order.v1.OrderService/GetOrder", "application/grpc-web+proto", true},
		{"POST", "/bazaar.order.v1.OrderService/WatchOrder", "application/connect+json", true},
		{"POST", "/bazaar.order.v1.OrderService/GetOrder", "application/json", true},
		{"POST", "/grpc.health.v1.Health/Check", "application/proto", true},
		{"POST", "/api/v1/order", "application/json", false},
		{"GET", "/api/v1/order", "", false},
		{"PUT", "/bazaar.order.v1.OrderService/GetOrder", "application/json", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, tt.path, nil)
		if tt.ct != "" {
			r.Header.Set("Content-Type", tt.ct)
		}
		if got := rpc.IsRPC(r); got != tt.want {
			t.Errorf("IsRPC(%s %s %s) = %v, want %v", tt.method, tt.path, tt.ct, got, tt.want)
		}
	}
}

// TestWriteError checks a middleware's refusal answers in the request's
// protocol: gRPC status in trailers (HTTP 200), a Connect JSON error with
// the HTTP status of its code.
func TestWriteError(t *testing.T) {
	err := apperr.Unauthorized("invalid_token", "the access token is not valid")

	r := httptest.NewRequest("POST", "/bazaar.order.v1.OrderService/GetOrder", strings.NewReader(""))
	r.Header.Set("Content-Type", "application/grpc")
	w := httptest.NewRecorder()
	rpc.WriteError(w, r, err)
	res := w.Result()
	st := res.Header.Get("Grpc-Status") + res.Trailer.Get("Grpc-Status") // trailers-only or trailers
	if res.StatusCode != http.StatusOK || st != "16" {
		t.Errorf("gRPC WriteError = %d, grpc-status %q (header %v, trailer %v); want 200 with grpc-status 16 (Unauthenticated)",
			res.StatusCode, st, res.Header, res.Trailer)
	}

	r = httptest.NewRequest("POST", "/bazaar.order.v1.OrderService/GetOrder", strings.NewReader("{}"))
	r.Header.Set("Content-Type", "application/json")
	w = httptest.NewRecorder()
	rpc.WriteError(w, r, err)
	if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), `"code":"unauthenticated"`) ||
		!strings.Contains(w.Body.String(), "the access token is not valid") {
		t.Errorf("Connect WriteError = %d %s, want 401 with code unauthenticated", w.Code, w.Body)
	}
}
