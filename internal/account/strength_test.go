package account

import (
	"strings"
	"testing"

	"github.com/bazaar-market/bazaar/internal/apperr"
)

func TestWeakPassword(t *testing.T) {
	tests := []struct {
		pw    string
		words []string
		want  string // a fragment of the reason; "" for accepted
	}{
		{"password", nil, "too common"},
		{"PassWord1", nil, "too common"}, // on the list, whatever the case
		{"iloveyou", nil, "too common"},
		{"qwertyuiop", nil, "too common"},
		{"sunshine!!", nil, "with digits or symbols added"},
		{"aaaaaaaaaa", nil, "repeats"},
		{"xyzxyzxyz", nil, "repeats"},
		{"87654321", nil, "too"},
		{"lmnopqrst", nil, "runs through"},
		{"bazaar2026", nil, "site's name"},
		{"gilbert.nash", []string{"gilbert.nash", "Gil"}, "e-mail"},
		{"Gilbert.Nash99", []string{"gilbert.nash", "Gil"}, "e-mail"},
		{"correct horse battery", nil, ""},
		{"demo-customer-pass", []string{"customer"}, ""},
		{"password-123", nil, ""}, // a common word with more than three added characters
		{"Tr0ub4dor&3x", nil, ""},
	}
	for _, tt := range tests {
		got := weakPassword(tt.pw, tt.words...)
		if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("weakPassword(%q, %q) = %q, want %q", tt.pw, tt.words, got, tt.want)
		}
	}
	if n := len(commonPasswords()); n < 10000 {
		t.Errorf("the embedded list has %d passwords, want at least 10000", n)
	}
}

func TestCheckPasswordFieldError(t *testing.T) {
	in := NewUser{Email: "robin@example.com", Password: "football1", Name: "Robin", Role: "customer"}
	err := in.normalize("customer")
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.KindInvalid || len(e.Fields) != 1 || e.Fields[0].Field != "password" ||
		!strings.HasPrefix(e.Fields[0].Message, "is too common") {
		t.Fatalf("normalize(football1) = %v, want a password field error \"is too common ...\"", err)
	}
	in.Password = "Robin2026!"
	if err := in.normalize("customer"); err == nil {
		t.Fatal("normalize(Robin2026!) = nil, want a field error")
	}
}
