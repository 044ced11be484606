package page_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/page"
)

func TestCursorRoundTripAndRejectsForgeries(t *testing.T) {
	type pos struct {
		ID string `json:"id"`
		N  int64  `json:"n"`
	}
	c := page.EncodeCursor(pos{ID: "prd_1", N: 7})
	var got pos
	if err := page.DecodeCursor(c, &got); err != nil || got != (pos{ID: "prd_1", N: 7}) {
		t.Errorf("DecodeCursor(EncodeCursor(x)) = %+v, %v; want the same value", got, err)
	}
	for _, bad := range []string{"!!", page.EncodeCursor(map[string]int{"other": 1}), strings.Repeat("A", 600)} {
		err := page.DecodeCursor(bad, &got)
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.KindInvalid || e.Code != "validation_failed" || len(e.Fields) != 1 || e.Fields[0].Field != "cursor" {
			t.Errorf("DecodeCursor(%.20q) = %v, want validation_failed on the cursor field", bad, err)
		}
	}
}

func TestLimit(t *testing.T) {
	for _, tt := range []struct {
		n, want int
		ok      bool
	}{
		{0, page.DefaultLimit, true}, {1, 1, true}, {page.MaxLimit, page.MaxLimit, true},
		{-1, -1, false}, {page.MaxLimit + 1, page.MaxLimit + 1, false},
	} {
		var f apperr.Fields
		got := page.Limit(&f, tt.n)
		if got != tt.want || (f.Err() == nil) != tt.ok {
			t.Errorf("Limit(%d) = %d, fields %v; want %d, ok %v", tt.n, got, f, tt.want, tt.ok)
		}
		if !tt.ok && (len(f) != 1 || f[0].Field != "limit" || f[0].Message != page.LimitRule) {
			t.Errorf("Limit(%d) fields = %v, want one %q on limit", tt.n, f, page.LimitRule)
		}
	}
}

// TestPageJSON: the shape every list answers with.
func TestPageJSON(t *testing.T) {
	for _, tt := range []struct {
		p    page.Page[string]
		want string
	}{
		{page.Page[string]{Items: []string{}}, `{"items":[]}`},
		{page.Page[string]{Items: []string{"a"}, NextCursor: "c"}, `{"items":["a"],"next_cursor":"c"}`},
	} {
		b, err := json.Marshal(tt.p)
		if err != nil || string(b) != tt.want {
			t.Errorf("Marshal(%+v) = %s, %v; want %s", tt.p, b, err, tt.want)
		}
	}
}

// FuzzDecodeCursor: a forged cursor is a validation error, never a panic.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(page.EncodeCursor(map[string]any{"id": "prd_1", "n": 3}))
	f.Add("e30")
	f.Add("!!")
	f.Fuzz(func(t *testing.T, s string) {
		var v struct {
			ID string `json:"id"`
			N  int64  `json:"n"`
		}
		if err := page.DecodeCursor(s, &v); err != nil && !apperr.Is(err, apperr.KindInvalid) {
			t.Errorf("DecodeCursor(%q) = %v, want nil or invalid", s, err)
		}
	})
}
