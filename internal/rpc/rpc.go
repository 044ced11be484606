// Package rpc is what every gRPC door shares: the one mapping from
// apperr kinds to gRPC / Connect codes with the machine code in the error's
// details, the interceptor that applies it, and the conversions of money,
// times and page tokens to and from their protobuf shapes. The handlers
// themselves live in each module's <module>rpc package and are served by
// connectrpc.com/connect, so one port answers gRPC, gRPC-Web and Connect.
package rpc

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// Domain is the ErrorInfo domain of every error this API answers.
const Domain = "bazaar.dev"

var codeOf = map[apperr.Kind]connect.Code{
	apperr.KindInvalid:          connect.CodeInvalidArgument,
	apperr.KindUnauthorized:     connect.CodeUnauthenticated,
	apperr.KindForbidden:        connect.CodePermissionDenied,
	apperr.KindNotFound:         connect.CodeNotFound,
	apperr.KindConflict:         connect.CodeFailedPrecondition,
	apperr.KindUnprocessable:    connect.CodeFailedPrecondition,
	apperr.KindRateLimited:      connect.CodeResourceExhausted,
	apperr.KindTooLarge:         connect.CodeResourceExhausted,
	apperr.KindUnavailable:      connect.CodeUnavailable,
	apperr.KindUnsupportedMedia: connect.CodeInvalidArgument,
}

// Code returns the gRPC code of err's kind: Internal for an unclassified
// error.
func Code(err error) connect.Code {
	if c, ok := codeOf[apperr.KindOf(err)]; ok {
		return c
	}
	return connect.CodeInternal
}

// Error converts err to the error a client sees: the code of its kind, its
// safe message, and details google.rpc.ErrorInfo (reason: the machine code
// problem+json's "code" has; metadata: the HTTP status REST answers and the
// request ID), google.rpc.BadRequest with the field violations, and
// google.rpc.RetryInfo when rate-limited. An unclassified error is Internal
// "internal error" and is logged with the request ID. An error that already
// is a *connect.Error (the protocol's own) passes unchanged.
func Error(ctx context.Context, err error) *connect.Error {
	if err == nil {
		return nil
	}
	var ce *connect.Error
	if errors.As(err, &ce) && apperr.KindOf(err) == apperr.KindInternal {
		return ce
	}
	if errors.Is(err, context.Canceled) {
		return connect.NewError(connect.CodeCanceled, errors.New("the client went away"))
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return connect.NewError(connect.CodeDeadlineExceeded, errors.New("the deadline passed"))
	}
	status := rest.Status(err)
	reqID := rest.RequestID(ctx)
	e, ok := apperr.As(err)
	if !ok || status == http.StatusInternalServerError {
		rest.Logger(ctx).ErrorContext(ctx, "internal error", "protocol", "rpc", "err", err)
		ce = connect.NewError(connect.CodeInternal, errors.New("internal error"))
		addDetail(ce, &errdetails.ErrorInfo{Reason: "internal", Domain: Domain,
			Metadata: meta(http.StatusInternalServerError, reqID)})
		return ce
	}
	ce = connect.NewError(Code(err), errors.New(e.Message))
	addDetail(ce, &errdetails.ErrorInfo{Reason: e.Code, Domain: Domain, Metadata: meta(status, reqID)})
	if len(e.Fields) > 0 {
		br := &errdetails.BadRequest{}
		for _, f := range e.Fields {
			br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: f.Field, Description: f.Message})
		}
		addDetail(ce, br)
	}
	if e.RetryAfter > 0 {
		addDetail(ce, &errdetails.RetryInfo{RetryDelay: durationpb.New(e.RetryAfter)})
	}
	return ce
}

func meta(status int, reqID string) map[string]string {
	m := map[string]string{"status": strconv.Itoa(status)}
	if reqID != "" {
		m["request_id"] = reqID
	}
	return m
}

func addDetail(ce *connect.Error, m proto.Message) {
	if d, err := connect.NewErrorDetail(m); err == nil {
		ce.AddDetail(d)
	}
}
