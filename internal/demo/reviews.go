package demo

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/review"
)

// reviewers are the demo reviews' authors, as shown.
var reviewers = []string{"Priya S.", "Marcus L.", "Hana K.", "Diego R.", "Amara O.", "Tom B.", "Lena W.", "Sam C.", "Ines M.", "Kofi A."}

// reviewTexts are titles and bodies by rating (index 0 is one star).
var reviewTexts = [5][]struct{ title, body string }{
	{{"Disappointed", "It stopped working after a week and the seller took days to answer."},
		{"Not as described", "The {item} looked nothing like the photos. Sent it back."}},
	{{"Meh", "The {item} does the job, but it feels cheaper than the price suggests."},
		{"Could be better", "Arrived on time, but the finish on my {item} was scratched."}},
	{{"Decent for the price", "Nothing special, nothing wrong. The {item} is fine for everyday use."},
		{"Okay", "Does what it says. I expected a little more from {brand}."}},
	{{"Very good", "Solid {item}, well made. Would buy from this store again."},
		{"Happy with it", "Good quality for the money; delivery was quick and well packed."},
		{"Recommended", "My second one from {brand}. Consistent quality."}},
	{{"Love it", "Exactly what I wanted. The {item} is even better in person."},
		{"Excellent", "Great quality and it arrived a day early. Five stars."},
		{"Perfect", "I use my {item} every day. Worth every cent."},
		{"Best purchase this year", "Compared three brands before choosing {brand} and I am glad I did."}},
}

// reviewBase is when the demo reviews are dated from (they go back up to a
// year), so the demo data is the same on every run.
var reviewBase = time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)

// Reviews generates the demo reviews of product p (stored as productID):
// none for about a quarter of the products, else one to seven, mostly
// favourable, the same every time. They are not verified purchases.
func Reviews(p Product, productID id.Product) []review.Review {
	h := fnv.New64a()
	h.Write([]byte(p.Variants[0].SKU))
	r := rand.New(rand.NewPCG(h.Sum64(), 7))
	if r.IntN(4) == 0 {
		return nil
	}
	n := 1 + r.IntN(7)
	first := r.IntN(len(reviewers))
	lean := r.IntN(3) // some products are loved more than others
	out := make([]review.Review, 0, n)
	for i := range n {
		stars := 5 - r.IntN(2+lean)
		if r.IntN(10) == 0 {
			stars = 1 + r.IntN(3) // and every product has its critics
		}
		stars = max(1, min(5, stars))
		texts := reviewTexts[stars-1]
		t := texts[r.IntN(len(texts))]
		body := strings.NewReplacer("{item}", shortTitle(p.Title), "{brand}", p.Brand).Replace(t.body)
		at := reviewBase.Add(-time.Duration(r.IntN(365*24)) * time.Hour)
		who := (first + i) % len(reviewers)
		out = append(out, review.Review{
			ID:         id.Review(fmt.Sprintf("rev_demo%s%02d", strings.ToLower(strings.ReplaceAll(p.Variants[0].SKU, "-", "")), i)),
			ProductID:  productID,
			CustomerID: id.User(fmt.Sprintf("usr_demoreviewer%02d", who)),
			Author:     reviewers[who],
			Rating:     stars,
			Title:      t.title,
			Body:       body,
			Status:     review.Published,
			CreatedAt:  at,
			UpdatedAt:  at,
		})
	}
	return out
}

// shortTitle is a title without its format: "Code and Craft (Paperback)"
// reads "Code and Craft".
func shortTitle(title string) string {
	if i := strings.Index(title, " ("); i > 0 {
		return title[:i]
	}
	return title
}
