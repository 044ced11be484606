package demo

import (
	"bytes"
	"image/png"
	"testing"
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
