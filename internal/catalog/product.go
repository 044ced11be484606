package catalog

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// Status is where a product is in its life.
type Status string

const (
	Draft    Status = "draft"    // being prepared; seen by its owner and admins only
	Active   Status = "active"   // listed and purchasable
	Archived Status = "archived" // withdrawn; kept for order history
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == Draft || s == Active || s == Archived }

// Limits on products.
const (
	MaxVariants      = 100
	MaxImages        = 20
	MaxAttributes    = 50
	MaxOptions       = 10
	maxTitleLen      = 200
	maxDescLen       = 20000
	maxBrandLen      = 100
	maxAttrKeyLen    = 64
	maxAttrValueLen  = 500
	maxOptionKeyLen  = 32
	maxOptionValLen  = 64
	maxSKULen        = 64
	maxProductSlugLn = 80
)

// Product is a product as shown to clients and carried in events.
type Product struct {
	ID          id.Product        `json:"id"`
	Slug        string            `json:"slug"`
	SellerID    id.Seller         `json:"seller_id"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Brand       string            `json:"brand"`
	CategoryID  id.Category       `json:"category_id"`
	Category    CategoryRef       `json:"category"`
	Attributes  map[string]string `json:"attributes"`
	Status      Status            `json:"status"`
	PriceMin    money.Money       `json:"price_min"`
	PriceMax    money.Money       `json:"price_max"`
	Variants    []Variant         `json:"variants"`
	Images      []Image           `json:"images"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`

	// Version counts the product's updates; stores use it to detect
	// concurrent writes.
	Version int64 `json:"-"`
}

// Variant is one purchasable version of a product (a SKU).
type Variant struct {
	ID        id.Variant        `json:"id"`
	SKU       string            `json:"sku"`
	Options   map[string]string `json:"options"`
	Price     money.Money       `json:"price"`
	Available int64             `json:"available"` // units in stock, from the inventory: 0 until FillAvailable
}

// Image is a product picture. Its bytes are served at URL.
type Image struct {
	ID          id.Image  `json:"id"`
	URL         string    `json:"url"`
	ContentType string    `json:"content_type"`
	Width       int       `json:"width,omitempty"`
	Height      int       `json:"height,omitempty"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
}

// ImageURL is where an image is served.
func ImageURL(imageID id.Image) string { return "/api/v1/image/" + string(imageID) }

// NewProduct is what a seller sends to create a product. Status defaults to
// draft.
type NewProduct struct {
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Brand       string            `json:"brand"`
	CategoryID  id.Category       `json:"category_id"`
	Attributes  map[string]string `json:"attributes"`
	Status      Status            `json:"status"`
	Variants    []NewVariant      `json:"variants"`
}

// ProductUpdate replaces a product's content. Variants are matched by SKU:
// existing ones keep their ID, new ones are added, omitted ones are removed.
// An empty Status keeps the current one. The slug does not change.
type ProductUpdate = NewProduct

// NewVariant is one variant in a create or update request.
type NewVariant struct {
	SKU     string            `json:"sku"`
	Options map[string]string `json:"options"`
	Price   money.Money       `json:"price"`
}

// cleanProduct validates in and returns it normalised (trimmed strings,
// non-nil maps). It does not check that the category exists.
func cleanProduct(in NewProduct, create bool) (NewProduct, error) {
	var f apperr.Fields
	in.Title = strings.TrimSpace(in.Title)
	n := utf8.RuneCountInString(in.Title)
	f.Check(n > 0, "title", "is required")
	f.Check(n <= maxTitleLen, "title", fmt.Sprintf("must be at most %d characters", maxTitleLen))
	f.Check(!hasControl(in.Title), "title", "must not contain control characters")
	f.Check(utf8.RuneCountInString(in.Description) <= maxDescLen, "description", fmt.Sprintf("must be at most %d characters", maxDescLen))
	in.Brand = strings.TrimSpace(in.Brand)
	f.Check(utf8.RuneCountInString(in.Brand) <= maxBrandLen, "brand", fmt.Sprintf("must be at most %d characters", maxBrandLen))
	f.Check(!hasControl(in.Brand), "brand", "must not contain control characters")
	in.CategoryID = id.Category(strings.TrimSpace(string(in.CategoryID)))
	f.Check(in.CategoryID != "", "category_id", "is required")
	if in.Status == "" && create {
		in.Status = Draft
	}
	f.Check(in.Status == "" || in.Status.Valid(), "status", "must be draft, active or archived")

	if in.Attributes == nil {
		in.Attributes = map[string]string{}
	}
	f.Check(len(in.Attributes) <= MaxAttributes, "attributes", fmt.Sprintf("must have at most %d entries", MaxAttributes))
	for _, k := range slices.Sorted(maps.Keys(in.Attributes)) {
		v := in.Attributes[k]
		field := "attributes." + k
		if !validKey(k, maxAttrKeyLen) {
			f.Add("attributes", fmt.Sprintf("key %q must be 1 to %d characters without control characters", truncate(k, 80), maxAttrKeyLen))
			continue
		}
		f.Check(utf8.RuneCountInString(v) <= maxAttrValueLen && !hasControl(v), field, fmt.Sprintf("must be at most %d characters without control characters", maxAttrValueLen))
	}

	switch {
	case len(in.Variants) == 0:
		f.Add("variants", "needs at least one variant")
	case len(in.Variants) > MaxVariants:
		f.Add("variants", fmt.Sprintf("must have at most %d variants", MaxVariants))
	default:
		skus := make(map[string]bool, len(in.Variants))
		combos := make(map[string]bool, len(in.Variants))
		currency := in.Variants[0].Price.Currency
		for i := range in.Variants {
			v := &in.Variants[i]
			field := fmt.Sprintf("variants[%d]", i)
			v.SKU = strings.TrimSpace(v.SKU)
			switch {
			case !ValidSKU(v.SKU):
				f.Add(field+".sku", "must be 1 to 64 characters of letters, digits, '.', '_' or '-'")
			case skus[v.SKU]:
				f.Add(field+".sku", "is used by another variant of this product")
			}
			skus[v.SKU] = true
			if v.Options == nil {
				v.Options = map[string]string{}
			}
			f.Check(len(v.Options) <= MaxOptions, field+".options", fmt.Sprintf("must have at most %d entries", MaxOptions))
			for k, val := range v.Options {
				if !validKey(k, maxOptionKeyLen) || !validKey(val, maxOptionValLen) {
					f.Add(field+".options", fmt.Sprintf("option names must be 1 to %d characters and values 1 to %d, without control characters", maxOptionKeyLen, maxOptionValLen))
					break
				}
			}
			combo := optionsKey(v.Options)
			if len(in.Variants) > 1 && combos[combo] {
				f.Add(field+".options", "another variant of this product has the same options")
			}
			combos[combo] = true
			if err := v.Price.Validate(field + ".price"); err != nil {
				e, _ := apperr.As(err)
				f = append(f, e.Fields...)
			} else if v.Price.Currency != currency {
				f.Add(field+".price.currency", "all variants of a product must have the same currency")
			}
		}
	}
	return in, f.Err()
}

// ValidSKU reports whether s is 1 to 64 characters of [A-Za-z0-9._-].
func ValidSKU(s string) bool {
	if len(s) == 0 || len(s) > maxSKULen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func validKey(s string, maxLen int) bool {
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	return n > 0 && utf8.RuneCountInString(s) <= maxLen && !hasControl(s)
}

func optionsKey(o map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(o)) {
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(o[k])
		b.WriteByte(0)
	}
	return b.String()
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, unicode.IsControl)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// priceRange returns the lowest and highest variant price.
func priceRange(vs []Variant) (lo, hi money.Money) {
	for i, v := range vs {
		if i == 0 || v.Price.Amount < lo.Amount {
			lo = v.Price
		}
		if i == 0 || v.Price.Amount > hi.Amount {
			hi = v.Price
		}
	}
	return lo, hi
}

// Slugify makes a URL slug from a title: lower-case ASCII letters and digits
// separated by single hyphens, at most maxLen bytes. Latin letters with
// accents lose them; other characters separate words. It returns fallback if
// nothing is left.
func Slugify(s string, maxLen int, fallback string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		r = foldAccent(r)
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case r == '\'' || r == '’':
			// "men's" -> "mens"
		default:
			dash = true
		}
	}
	out := trimSlug(b.String(), maxLen)
	if out == "" {
		return fallback
	}
	return out
}

func trimSlug(s string, maxLen int) string {
	if len(s) > maxLen {
		s = s[:maxLen]
	}
	return strings.Trim(s, "-")
}

func foldAccent(r rune) rune {
	if r < 0xC0 || r > 0x17F {
		return r
	}
	const from = "àáâãäåāăąçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňòóôõöøōŏőŕŗřśŝşšţťŧùúûüũūŭůűųŵýÿŷźżž"
	const to = "aaaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiijklllllnnnnoooooooooorrrsssstttuuuuuuuuuuwyyyzzz"
	i := 0
	for _, f := range from {
		if f == r {
			return rune(to[i])
		}
		i++
	}
	return r
}

// BrandKey is the form brands are matched by: trimmed and lower-case.
func BrandKey(brand string) string { return strings.ToLower(strings.TrimSpace(brand)) }

// TitleKey is the form titles are searched by: lower-case.
func TitleKey(title string) string { return strings.ToLower(title) }
