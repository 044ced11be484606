package account

import (
	"context"
	"strings"
	"testing"
)

func TestPasswordHashVerify(t *testing.T) {
	ctx := context.Background()
	h := newHasher(0)
	enc, err := h.Hash(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("Hash = %q, want an argon2id PHC string with OWASP parameters", enc)
	}
	if enc2, _ := h.Hash(ctx, "correct horse"); enc2 == enc {
		t.Errorf("two hashes of one password are equal: salts are not random")
	}
	parts := strings.Split(enc, "$")
	tampered := strings.Join(append(parts[:5:5], strings.Repeat("A", len(parts[5]))), "$")
	tests := []struct {
		password, encoded string
		want              bool
		wantErr           bool
	}{
		{"correct horse", enc, true, false},
		{"correct horsE", enc, false, false},
		{"", enc, false, false},
		{"correct horse", tampered, false, false},
		{"correct horse", "", false, false}, // the dummy hash: never matches
		{"correct horse", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", false, true},
		{"correct horse", "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", false, true}, // 4 GiB: refused
		{"correct horse", "plaintext", false, true},
	}
	for _, tt := range tests {
		got, err := h.Verify(ctx, tt.password, tt.encoded)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("Verify(%q, %.30q) = %v, %v; want %v, err %v", tt.password, tt.encoded, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestHasherCapsConcurrency(t *testing.T) {
	h := newHasher(1)
	h.sem <- struct{}{} // the only slot is busy
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(ctx, "password1"); err == nil {
		t.Errorf("Hash with a full semaphore and a cancelled context succeeded")
	}
}

func TestSlugify(t *testing.T) {
	tests := map[string]string{
		"Acme Corp":               "acme-corp",
		"  Café  Ünïcode!! ":      "cafe-unicode",
		"Tom & Jerry's 2nd Shop":  "tom-jerry-s-2nd-shop",
		"日本の店":                    "store",
		strings.Repeat("ab ", 40): strings.TrimSuffix(strings.Repeat("ab-", 20), "-"),
	}
	for in, want := range tests {
		if got := slugify(in); got != want {
			t.Errorf("slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidEmail(t *testing.T) {
	tests := map[string]bool{
		"ana@example.com":          true,
		"a.b+tag@mail.example.org": true,
		"":                         false,
		"ana":                      false,
		"ana@localhost":            false,
		"Ana <ana@example.com>":    false,
		"ana@example.com.":         false,
		"a@b@example.com":          false,
		strings.Repeat("a", 250) + "@example.com": false,
	}
	for in, want := range tests {
		if got := validEmail(in); got != want {
			t.Errorf("validEmail(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestIPBucket(t *testing.T) {
	tests := map[string]string{
		"192.0.2.7":            "192.0.2.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"::ffff:192.0.2.7":     "192.0.2.7",
		"not-an-ip":            "not-an-ip",
	}
	for in, want := range tests {
		if got := ipBucket(in); got != want {
			t.Errorf("ipBucket(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAddressValidation(t *testing.T) {
	ok := AddressInput{Name: "H", Line1: "1 Main", City: "X", Country: " gb ", Phone: "+44 (20) 7946-0958"}
	if err := ok.normalize(); err != nil || ok.Country != "GB" {
		t.Errorf("normalize(valid) = %v, country %q", err, ok.Country)
	}
	for _, bad := range []AddressInput{
		{Name: "H", Line1: "1", City: "X", Country: "ZZ"},
		{Name: "H", Line1: "1", City: "X", Country: "USA"},
		{Name: "H", Line1: "1", City: "X", Country: "US", Phone: "call me"},
		{Name: "H\x00", Line1: "1", City: "X", Country: "US"},
		{Name: strings.Repeat("n", 101), Line1: "1", City: "X", Country: "US"},
	} {
		if err := bad.normalize(); err == nil {
			t.Errorf("normalize(%+v) = nil, want a validation error", bad)
		}
	}
}
