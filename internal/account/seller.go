package account

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
)

// SellerStatus says whether a store may trade.
type SellerStatus string

const (
	SellerActive    SellerStatus = "active"
	SellerSuspended SellerStatus = "suspended"
)

// Seller is a store on the marketplace, owned by one user with the seller role.
type Seller struct {
	ID          id.Seller    `json:"id"`
	UserID      id.User      `json:"user_id"`
	Name        string       `json:"name"`
	Slug        string       `json:"slug"`
	Description string       `json:"description"`
	Status      SellerStatus `json:"status"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

// Valid reports whether s is a known status.
func (s SellerStatus) Valid() bool { return s == SellerActive || s == SellerSuspended }

// NewSeller is what a seller gives to open its store.
type NewSeller struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

const maxDescription = 2000

func (in *NewSeller) normalize() error {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	var f apperr.Fields
	checkName(&f, "name", in.Name, true, maxName)
	if utf8.RuneCountInString(in.Description) > maxDescription {
		f.Add("description", "must be at most 2000 characters")
	}
	return f.Err()
}

const maxSlug = 60

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// slugify makes a URL slug from a store name: lower-case ASCII letters and
// digits separated by single hyphens, at most 60 characters. Accents are
// removed ("Café" -> "cafe"); a name with no Latin letters or digits gets
// "store".
func slugify(name string) string {
	var b strings.Builder
	dash := false
loop:
	for _, r := range norm.NFD.String(strings.ToLower(name)) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			sep := dash && b.Len() > 0
			if b.Len()+1+boolInt(sep) > maxSlug {
				break loop
			}
			if sep {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	if b.Len() == 0 {
		return "store"
	}
	return b.String()
}
