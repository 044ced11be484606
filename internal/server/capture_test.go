package server

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseCapture reads BAZAAR_PAYMENT_CAPTURE: automatic by default,
// manual for every gateway, or per gateway; anything else is refused.
func TestParseCapture(t *testing.T) {
	gws := []string{"test", "stripe", "razorpay"}
	for _, tt := range []struct {
		in   string
		want map[string]bool
	}{
		{"", map[string]bool{}},
		{"automatic", map[string]bool{}},
		{" Manual ", map[string]bool{"test": true, "stripe": true, "razorpay": true}},
		{"stripe:manual", map[string]bool{"stripe": true}},
		{"stripe:manual, razorpay:automatic", map[string]bool{"stripe": true, "razorpay": false}},
	} {
		got, err := parseCapture(tt.in, gws)
		if err != nil || !cmp.Equal(got, tt.want) {
			t.Errorf("parseCapture(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"later", "stripe", "paypal:manual", "stripe:sometimes", "stripe:manual,"} {
		if got, err := parseCapture(bad, gws); err == nil {
			t.Errorf("parseCapture(%q) = %v, want an error", bad, got)
		}
	}
}
