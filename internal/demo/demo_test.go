package demo

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"github.com/bazaar-market/bazaar/internal/review"
)

func TestProductsAreDeterministicAndValid(t *testing.T) {
	total := 0
	skus := map[string]bool{}
	for _, s := range Stores {
		a, b := Products(s, 10), Products(s, 10)
		if len(a) != len(b) || len(a) != 10*len(s.Sells) {
			t.Fatalf("%s: %d and %d products, want %d twice", s.Name, len(a), len(b), 10*len(s.Sells))
		}
		for i := range a {
			if a[i].Title != b[i].Title || a[i].Variants[0].SKU != b[i].Variants[0].SKU || a[i].Variants[0].Price != b[i].Variants[0].Price {
				t.Fatalf("%s product %d differs between runs: %q vs %q", s.Name, i, a[i].Title, b[i].Title)
			}
			if _, ok := kinds[a[i].Category]; !ok {
				t.Errorf("%s sells %q, which has no product kind", s.Name, a[i].Category)
			}
			if len(a[i].Variants) == 0 {
				t.Errorf("%q has no variants", a[i].Title)
			}
			for _, v := range a[i].Variants {
				if skus[v.SKU] {
					t.Errorf("SKU %s generated twice", v.SKU)
				}
				skus[v.SKU] = true
				if v.Price <= 0 || v.OnHand < 0 {
					t.Errorf("%s: price %d, on hand %d", v.SKU, v.Price, v.OnHand)
				}
			}
		}
		total += len(a)
	}
	if total < 150 {
		t.Errorf("%d demo products, want a couple of hundred", total)
	}
}

func TestImageIsAPNG(t *testing.T) {
	p := Products(Stores[0], 1)[0]
	b := Image(p, 64)
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if img.Bounds().Dx() != 64 {
		t.Errorf("width %d, want 64", img.Bounds().Dx())
	}
	if !bytes.Equal(b, Image(p, 64)) {
		t.Error("the same product drew two different images")
	}
}

func TestReviewsAreDeterministicAndValid(t *testing.T) {
	products := Products(Stores[0], 10)
	withReviews := 0
	for _, p := range products {
		a, b := Reviews(p, "prd_x"), Reviews(p, "prd_x")
		if len(a) != len(b) {
			t.Fatalf("Reviews(%q) gave %d then %d reviews", p.Title, len(a), len(b))
		}
		if len(a) > 0 {
			withReviews++
		}
		authors := map[string]bool{}
		for i, r := range a {
			if r != b[i] {
				t.Errorf("Reviews(%q)[%d] = %+v then %+v", p.Title, i, r, b[i])
			}
			if r.Rating < 1 || r.Rating > 5 || r.Title == "" || strings.Contains(r.Body, "{") || r.Status != review.Published || r.VerifiedPurchase {
				t.Errorf("Reviews(%q)[%d] = %+v: want 1-5 stars, a title, a filled body, published, not verified", p.Title, i, r)
			}
			if authors[string(r.CustomerID)] {
				t.Errorf("Reviews(%q): %s reviews twice", p.Title, r.CustomerID)
			}
			authors[string(r.CustomerID)] = true
		}
	}
	if withReviews < len(products)/2 || withReviews == len(products) {
		t.Errorf("%d of %d demo products have reviews, want most but not all", withReviews, len(products))
	}
}
