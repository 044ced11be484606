package id

import (
	"sort"
	"testing"
)

func TestNewIsPrefixedSortableAndUnique(t *testing.T) {
	const n = 2000
	ids := make([]string, n)
	seen := make(map[string]bool, n)
	for i := range ids {
		ids[i] = New("ord")
		if !Valid(ids[i], "ord") {
			t.Fatalf("Valid(%q, ord) = false, want true", ids[i])
		}
		if seen[ids[i]] {
			t.Fatalf("New returned %q twice", ids[i])
		}
		seen[ids[i]] = true
	}
	if !sort.StringsAreSorted(ids) {
		t.Errorf("IDs made in sequence are not sorted: %v ... %v", ids[0], ids[n-1])
	}
}

func TestValid(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{New("ord"), true},
		{"usr_", false},
		{"ord_01jd8x4k6f7e2v9q3m5n8p0r1s", true},
		{"ord_01jd8x4k6f7e2v9q3m5n8p0r1u", false}, // u is not Crockford
		{"usr_01jd8x4k6f7e2v9q3m5n8p0r1s", false},
		{"42", false},
	}
	for _, tt := range tests {
		if got := Valid(tt.in, "ord"); got != tt.want {
			t.Errorf("Valid(%q, ord) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestTypedIDs(t *testing.T) {
	o := Make[Order]()
	if !Valid(string(o), "ord") {
		t.Fatalf("Make[Order]() = %q, want an ord_ ID", o)
	}
	if got, ok := Parse[Order](string(o)); !ok || got != o {
		t.Errorf("Parse[Order](%q) = %q, %v; want it back", o, got, ok)
	}
	if _, ok := Parse[Product](string(o)); ok {
		t.Errorf("Parse[Product](%q) accepted an order ID", o)
	}
	if got := Strings([]Order{"a", "b"}); len(got) != 2 || got[1] != "b" {
		t.Errorf("Strings = %v", got)
	}
}
