package money

import "testing"

func TestValidate(t *testing.T) {
	tests := []struct {
		m    Money
		want bool
	}{
		{New(1999, "USD"), true},
		{New(0, "EUR"), true},
		{New(-1, "USD"), false},
		{New(100, "usd"), false},
		{New(100, "US"), false},
		{New(1e12, "USD"), false},
	}
	for _, tt := range tests {
		if got := tt.m.Validate("price") == nil; got != tt.want {
			t.Errorf("%v.Validate() ok = %v, want %v", tt.m, got, tt.want)
		}
	}
}

func TestAdd(t *testing.T) {
	got, err := New(150, "USD").Add(New(250, "USD"))
	if err != nil || got != New(400, "USD") {
		t.Errorf("Add = %v, %v; want 4.00 USD", got, err)
	}
	if _, err := New(1, "USD").Add(New(1, "EUR")); err == nil {
		t.Error("Add(USD, EUR) succeeded, want currency_mismatch")
	}
	if s := New(-1999, "USD").String(); s != "-19.99 USD" {
		t.Errorf("String() = %q, want -19.99 USD", s)
	}
}
