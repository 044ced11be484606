package graphql

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/google/go-cmp/cmp"
)

// TestWriteError answers middleware refusals in GraphQL's shape with REST's
// status and machine code; an unclassified error says only "internal error".
func TestWriteError(t *testing.T) {
	tests := []struct {
		err        error
		status     int
		retryAfter string
		want       map[string]any // the error's message and extensions, request_id aside
	}{
		{apperr.RateLimited(1500*time.Millisecond, "slow down"), 429, "2",
			map[string]any{"message": "slow down", "code": "rate_limited", "kind": "RESOURCE_EXHAUSTED", "status": 429.0, "retry_after": 2.0}},
		{apperr.Invalid("validation_failed", "bad", apperr.FieldError{Field: "first", Message: "too big"}), 400, "",
			map[string]any{"message": "bad", "code": "validation_failed", "kind": "INVALID_ARGUMENT", "status": 400.0,
				"fields": []any{map[string]any{"field": "first", "message": "too big"}}}},
		{apperr.Unauthorized("bad_token", "the access token is not valid"), 401, "",
			map[string]any{"message": "the access token is not valid", "code": "bad_token", "kind": "UNAUTHENTICATED", "status": 401.0}},
		{errors.New("db on fire"), 500, "",
			map[string]any{"message": "internal error", "code": "internal", "kind": "INTERNAL", "status": 500.0}},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		WriteError(w, httptest.NewRequest("POST", "/graphql", nil), tt.err)
		var body struct {
			Errors []struct {
				Message    string
				Extensions map[string]any
			}
		}
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || len(body.Errors) != 1 {
			t.Fatalf("WriteError(%v) body = %s, %v", tt.err, w.Body, err)
		}
		got := map[string]any{"message": body.Errors[0].Message}
		for k, v := range body.Errors[0].Extensions {
			if k != "request_id" {
				got[k] = v
			}
		}
		if w.Code != tt.status || w.Header().Get("Retry-After") != tt.retryAfter {
			t.Errorf("WriteError(%v) = %d Retry-After %q, want %d %q", tt.err, w.Code, w.Header().Get("Retry-After"), tt.status, tt.retryAfter)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("WriteError(%v) error (-want +got):\n%s", tt.err, diff)
		}
	}
}
