package graphql

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	gql "github.com/99designs/gqlgen/graphql"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// kinds names each apperr kind as GraphQL extensions.kind does.
var kinds = map[apperr.Kind]string{
	apperr.KindInvalid:          "INVALID_ARGUMENT",
	apperr.KindUnauthorized:     "UNAUTHENTICATED",
	apperr.KindForbidden:        "PERMISSION_DENIED",
	apperr.KindNotFound:         "NOT_FOUND",
	apperr.KindConflict:         "FAILED_PRECONDITION",
	apperr.KindUnprocessable:    "UNPROCESSABLE",
	apperr.KindRateLimited:      "RESOURCE_EXHAUSTED",
	apperr.KindTooLarge:         "PAYLOAD_TOO_LARGE",
	apperr.KindUnavailable:      "UNAVAILABLE",
	apperr.KindUnsupportedMedia: "UNSUPPORTED_MEDIA_TYPE",
}

// presentError gives every error the same extensions problem+json has:
// code (the machine code), kind, status (what REST would answer), fields,
// retry_after and request_id. An unclassified error is "internal error",
// logged with its detail. Errors of GraphQL itself (parse, validation,
// limits, persisted queries) keep their code and are INVALID_ARGUMENT.
func presentError(ctx context.Context, err error) *gqlerror.Error {
	ge := gql.DefaultErrorPresenter(ctx, err)
	ext := map[string]any{"request_id": rest.RequestID(ctx)}
	var ae *apperr.Error
	switch {
	case errors.As(err, &ae) && ae.Kind != apperr.KindInternal:
		ge.Message = ae.Message
		ext["code"], ext["kind"], ext["status"] = ae.Code, kinds[ae.Kind], rest.Status(ae)
		if len(ae.Fields) > 0 {
			ext["fields"] = ae.Fields
		}
		if ae.RetryAfter > 0 {
			ext["retry_after"] = int(ae.RetryAfter.Seconds() + 0.999)
		}
	case graphQLOwn(err):
		// GraphQL's own refusal (parse, validation, a limit, a persisted
		// query): the request is at fault, and the message says how.
		code, _ := ge.Extensions["code"].(string)
		if code == "" {
			code = "GRAPHQL_INVALID"
		}
		ext["code"], ext["kind"], ext["status"] = code, kinds[apperr.KindInvalid], http.StatusBadRequest
	default:
		rest.Logger(ctx).ErrorContext(ctx, "internal error", "path", ge.Path.String(), "err", err)
		ge.Message = "internal error"
		ext["code"], ext["kind"], ext["status"] = "internal", "INTERNAL", http.StatusInternalServerError
	}
	ge.Extensions = ext
	return ge
}

// graphQLOwn reports whether err is an error gqlgen made about the request
// itself: a *gqlerror.Error wrapping nothing. A resolver's error arrives
// wrapped in one, and is not.
func graphQLOwn(err error) bool {
	var ge *gqlerror.Error
	return errors.As(err, &ge) && ge.Err == nil
}

// WriteError answers err as a GraphQL response without data, for middleware
// that refuses a /graphql request before it runs (rate limits, bad tokens,
// bodies too large). The HTTP status is the one REST would answer.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	ge := presentError(r.Context(), err)
	ge.Path = nil
	status, _ := ge.Extensions["status"].(int)
	if ra, ok := ge.Extensions["retry_after"].(int); ok {
		w.Header().Set("Retry-After", strconv.Itoa(ra))
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="bazaar"`)
	}
	w.Header().Set("Content-Type", "application/graphql-response+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []*gqlerror.Error{ge}})
}
