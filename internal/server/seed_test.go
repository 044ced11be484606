package server_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/bazaar-market/bazaar/internal/demo"
	"github.com/bazaar-market/bazaar/internal/server"
)

func TestSeedIsIdempotentAndLoginsWork(t *testing.T) {
	engines(t, func(t *testing.T, dbURL string) {
		s, base := boot(t, dbURL)
		c := client{t: t, base: base}
		ctx := context.Background()
		var progress bytes.Buffer
		logins, err := s.Seed(ctx, server.SeedOptions{Progress: &progress, PerCategory: 2})
		if err != nil {
			t.Fatalf("Seed: %v", err)
		}
		want := 0
		for _, st := range demo.Stores {
			want += 2 * len(st.Sells)
		}
		if !strings.Contains(progress.String(), "products 40/40 (40 new)") || want != 40 {
			t.Errorf("progress = %q, want 40 new products reported", progress.String())
		}
		roles := map[string]bool{}
		for _, l := range logins {
			tok := c.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": l.Email, "password": l.Password})
			if str(tok, "user", "role") != l.Role {
				t.Errorf("login %s has role %q, want %s", l.Email, str(tok, "user", "role"), l.Role)
			}
			roles[l.Role] = true
		}
		if len(roles) != 5 {
			t.Errorf("demo logins cover roles %v, want all five", roles)
		}
		page := c.must(200, "GET", "/api/v1/product?limit=100", nil)
		if n := len(items(page)); n != 40 {
			t.Errorf("listed %d demo products, want 40", n)
		}
		first := items(page)[0]
		if str(first, "images", "0", "url") == "" {
			t.Errorf("demo product %v has no image", first["id"])
		} else if r := c.do("GET", str(first, "images", "0", "url"), nil); r.status != 200 || r.header.Get("Content-Type") != "image/png" {
			t.Errorf("demo image = %d %s, want a PNG", r.status, r.header.Get("Content-Type"))
		}

		progress.Reset()
		if _, err := s.Seed(ctx, server.SeedOptions{Progress: &progress, PerCategory: 2}); err != nil {
			t.Fatalf("second Seed: %v", err)
		}
		if !strings.Contains(progress.String(), "(0 new)") {
			t.Errorf("second seed progress = %q, want nothing new", progress.String())
		}
		if n := len(items(c.must(200, "GET", "/api/v1/product?limit=100", nil))); n != 40 {
			t.Errorf("after a second seed: %d products, want still 40", n)
		}
	})
}
