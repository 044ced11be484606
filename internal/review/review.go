package review

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Status is whether a review is shown.
type Status string

// Review statuses.
const (
	Published Status = "published"
	Hidden    Status = "hidden" // by moderation
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == Published || s == Hidden }

// Limits of a review's text.
const (
	MaxTitle = 120
	MaxBody  = 5000
)

// Review is one customer's rating of one product, with optional text.
type Review struct {
	ID         id.Review  `json:"id"`
	ProductID  id.Product `json:"product_id"`
	CustomerID id.User    `json:"-"` // never shown: reviews are public
	// Author is the name shown: the customer's first name and the initial
	// of their last, as they were when the review was written.
	Author           string    `json:"author"`
	Rating           int       `json:"rating"`
	Title            string    `json:"title"`
	Body             string    `json:"body"`
	VerifiedPurchase bool      `json:"verified_purchase"`
	Status           Status    `json:"status"`
	ModerationNote   string    `json:"moderation_note,omitempty"` // shown to the author and staff only
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Input is what a customer writes: a rating from 1 to 5 stars, an
// optional title and an optional body.
type Input struct {
	Rating int    `json:"rating"`
	Title  string `json:"title"`
	Body   string `json:"body"`
}

// clean trims the input and checks it; the error names every bad field.
func (in *Input) clean() error {
	in.Title = strings.TrimSpace(in.Title)
	in.Body = strings.TrimSpace(in.Body)
	var f apperr.Fields
	f.Check(in.Rating >= 1 && in.Rating <= 5, "rating", "must be a whole number of stars from 1 to 5")
	f.Check(utf8.RuneCountInString(in.Title) <= MaxTitle, "title", "must be at most 120 characters")
	f.Check(utf8.RuneCountInString(in.Body) <= MaxBody, "body", "must be at most 5000 characters")
	f.Check(utf8.ValidString(in.Title) && !hasControl(in.Title), "title", "must be plain text on one line")
	f.Check(utf8.ValidString(in.Body), "body", "must be valid text")
	return f.Err()
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// ModerationInput hides a review or shows it again.
type ModerationInput struct {
	Status Status `json:"status"`
	Reason string `json:"reason"`
}

// Summary is a product's aggregate: how many ratings (published reviews
// and ratings imported without text), their average (0 without any), how
// many gave each star count, and how many are written reviews (the list).
type Summary struct {
	ProductID id.Product     `json:"product_id"`
	Average   float64        `json:"average"`
	Count     int            `json:"count"`
	Histogram map[string]int `json:"histogram"` // "1" to "5"
	Reviews   int            `json:"reviews"`   // published reviews: what Reviews lists
	Seq       int64          `json:"-"`
}

// Imported is a product's ratings loaded without text: how many of 1 to 5
// stars (index 0 is one star).
type Imported struct {
	ProductID id.Product
	Stars     Stars
}

// Stars holds how many published reviews gave 1 to 5 stars (index 0 is 1 star).
type Stars [5]int

// SummaryOf builds a product's Summary from its star counts, written of
// them published reviews.
func SummaryOf(productID id.Product, stars Stars, written int, seq int64) Summary {
	s := Summary{ProductID: productID, Histogram: map[string]int{}, Reviews: written, Seq: seq}
	sum := 0
	for i, n := range stars {
		s.Histogram[string(rune('1'+i))] = n
		s.Count += n
		sum += (i + 1) * n
	}
	if s.Count > 0 {
		s.Average = math.Round(float64(sum)/float64(s.Count)*100) / 100
	}
	return s
}

// Page is one page of a product's reviews, with the product's summary.
type Page struct {
	Items      []Review `json:"items"`
	NextCursor string   `json:"next_cursor,omitempty"`
	Summary    Summary  `json:"summary"`
}

// Filter narrows the moderation list; zero fields match everything.
type Filter struct {
	Status    Status
	ProductID id.Product
}

// Moderated is a review as moderators list it: with its product and its
// author's account ID.
type Moderated struct {
	Review
	CustomerID   id.User `json:"customer_id"`
	ProductTitle string  `json:"product_title"` // empty if the product is gone
	ProductSlug  string  `json:"product_slug,omitempty"`
}

// Cursor is a position in a list of reviews, newest first.
type Cursor struct {
	CreatedAt int64     `json:"c"`
	ID        id.Review `json:"i"`
}

// displayName is how an author is shown: "Ada L." for "Ada Lovelace",
// "Ada" for "Ada", "A customer" when the account has no name.
func displayName(name string) string {
	parts := strings.Fields(name)
	switch len(parts) {
	case 0:
		return "A customer"
	case 1:
		return parts[0]
	}
	last, _ := utf8.DecodeRuneInString(parts[len(parts)-1])
	return parts[0] + " " + strings.ToUpper(string(last)) + "."
}
