// Package cataloggen makes a realistic synthetic marketplace catalog for
// load tests, benchmarks and relevance tests: hundreds of sellers, a
// category tree four levels deep, brands, attribute sets per category,
// variants, prices with a log-normal spread, descriptions built from the
// attributes, and long-tailed ratings and sales. The same Config always
// gives the same catalog (product i depends only on the seed and i, so
// products can be made in any order and in parallel).
//
// Seed loads it through catalogsql's bulk import (no outbox events): rebuild
// the search index afterwards.
package cataloggen

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// Config says what to generate.
type Config struct {
	Products int
	Seed     uint64
	Sellers  int // 0: one per 2,500 products, at least 5 and at most 400
}

// SellerCount is the number of sellers the config makes.
func (c Config) SellerCount() int {
	if c.Sellers > 0 {
		return c.Sellers
	}
	return min(max(c.Products/2500, 5), 400)
}

// Generator makes the catalog of one Config.
type Generator struct {
	cfg    Config
	cats   []catalog.Category
	leaves []Leaf
	rank   []int // leaves in order of popularity, shuffled by the seed
}

// Leaf is a leaf category with the kind of products in it.
type Leaf struct {
	Kind       int         // index in Kinds
	Audience   string      // "", or one of Audiences
	CategoryID id.Category // as generated (Seed maps it to the stored ID)
	Slug       string
}

// Meta is the ground truth about a generated product, for relevance tests.
type Meta struct {
	Leaf      int // index in Leaves()
	Kind      int // index in Kinds
	Audience  string
	Brand     string
	Color     string
	Adjective string
}

// Signal is what reviews and sales say about a generated product, as the
// search module ranks by it (search.Signal has the same fields, so
// search.Signal(sig) converts one).
type Signal struct {
	ProductID   id.Product
	Rating      float64 // average, 0..5
	RatingCount int64
	Sales       int64
}

// Generated is one product with what reviews and sales say about it.
type Generated struct {
	Product catalog.Product
	Signal  Signal
	// Stars are the product's ratings, how many of 1 to 5 stars (index 0
	// is one star): Signal's rating is their average, its count their sum.
	Stars [5]int64
	Meta  Meta
	// SellerIndex is the product's seller among Sellers().
	SellerIndex int
}

// epoch is the generated catalog's "now": products were created in the
// two years before it.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// New prepares a generator.
func New(cfg Config) *Generator {
	g := &Generator{cfg: cfg}
	made := map[string]id.Category{} // path key -> category ID
	var ensure func(path []string) id.Category
	ensure = func(path []string) id.Category {
		key := strings.Join(path, "/")
		if cid, ok := made[key]; ok {
			return cid
		}
		var parent *id.Category
		if len(path) > 1 {
			p := ensure(path[:len(path)-1])
			parent = &p
		}
		slug := catalog.Slugify(strings.Join(path, " "), 80, "category")
		c := catalog.Category{ID: id.Category(makeID("cat", hash64("category", key), 0)), Name: path[len(path)-1], Slug: "gen-" + slug,
			ParentID: parent, Position: len(made), CreatedAt: epoch.Add(-800 * 24 * time.Hour), UpdatedAt: epoch.Add(-800 * 24 * time.Hour)}
		if len(c.Slug) > 80 {
			c.Slug = c.Slug[:80]
		}
		made[key] = c.ID
		g.cats = append(g.cats, c)
		return c.ID
	}
	for k, kind := range Kinds {
		auds := []string{""}
		if kind.Audiences {
			auds = Audiences
		}
		for _, a := range auds {
			// Clothing > Men > Tops > T-shirts
			path := append([]string{}, kind.Path[:1]...)
			if a != "" {
				path = append(path, a)
			}
			path = append(path, kind.Path[1:]...)
			path = append(path, kind.Leaf)
			cid := ensure(path)
			g.leaves = append(g.leaves, Leaf{Kind: k, Audience: a, CategoryID: cid, Slug: g.cats[len(g.cats)-1].Slug})
			if g.cats[len(g.cats)-1].ID != cid { // leaf existed already
				for _, c := range g.cats {
					if c.ID == cid {
						g.leaves[len(g.leaves)-1].Slug = c.Slug
					}
				}
			}
		}
	}
	g.rank = rand.New(rand.NewPCG(cfg.Seed, 0x1eaf)).Perm(len(g.leaves))
	return g
}

// Config returns the generator's config.
func (g *Generator) Config() Config { return g.cfg }

// Categories returns the category tree, parents before children.
func (g *Generator) Categories() []catalog.Category {
	return append([]catalog.Category(nil), g.cats...)
}

// Leaves returns the leaf categories products go into.
func (g *Generator) Leaves() []Leaf { return append([]Leaf(nil), g.leaves...) }

// SellerSpec is a generated store and its owner's account.
type SellerSpec struct {
	Email, Password, Owner, Name string
}

// Sellers returns the stores of the generated marketplace.
func (g *Generator) Sellers() []SellerSpec {
	out := make([]SellerSpec, g.cfg.SellerCount())
	for i := range out {
		r := rand.New(rand.NewPCG(g.cfg.Seed^0x5e11e7, uint64(i)))
		name := sellerFirst[r.IntN(len(sellerFirst))] + " " + sellerSecond[r.IntN(len(sellerSecond))]
		out[i] = SellerSpec{
			Email:    fmt.Sprintf("seller-%d-%04d@sellers.bazaar.example", g.cfg.Seed, i),
			Password: fmt.Sprintf("gen-%016x", hash64("password", fmt.Sprint(g.cfg.Seed, i))),
			Owner:    fmt.Sprintf("Generated Seller %d", i),
			Name:     name,
		}
	}
	return out
}

// Product makes product i (0 <= i < Products). sellerIDs are the stored IDs
// of Sellers() in order; catIDs maps generated category IDs to stored ones
// (nil when they are the same).
func (g *Generator) Product(i int, sellerIDs []id.Seller, catIDs map[id.Category]id.Category) Generated {
	r := rand.New(rand.NewPCG(g.cfg.Seed, uint64(i)))
	// Leaves are not equally popular: a gentle power law.
	li := g.rank[zipf(r, len(g.leaves), 0.6)]
	leaf := g.leaves[li]
	kind := Kinds[leaf.Kind]
	m := Meta{Leaf: li, Kind: leaf.Kind, Audience: leaf.Audience}
	m.Brand = kind.Brands[zipf(r, len(kind.Brands), 0.8)]
	m.Adjective = kind.Adjectives[r.IntN(len(kind.Adjectives))]
	attrs := map[string]string{}
	for _, a := range kind.Attrs {
		attrs[a.Name] = a.Values[zipf(r, len(a.Values), 0.5)]
	}
	m.Color = attrs["color"]

	// Title: Brand Adjective [Color] [Men's] Noun [Model]
	words := []string{m.Brand, titleCase(m.Adjective)}
	if m.Color != "" && r.Float64() < 0.7 {
		words = append(words, titleCase(m.Color))
	}
	if leaf.Audience != "" {
		words = append(words, possessive(leaf.Audience))
	}
	words = append(words, titleCase(kind.Noun))
	if r.Float64() < 0.35 {
		words = append(words, fmt.Sprintf("%c%d", 'A'+rune(r.IntN(26)), 10+r.IntN(990)))
	}
	title := strings.Join(words, " ")

	created := epoch.Add(-time.Duration(r.Int64N(int64(730 * 24 * time.Hour)))).Truncate(time.Second)
	p := catalog.Product{
		ID:          id.Product(makeID("prd", g.cfg.Seed, uint64(i))),
		SellerID:    pick(sellerIDs, zipf(r, max(len(sellerIDs), 1), 0.7)),
		Title:       title,
		Brand:       m.Brand,
		CategoryID:  leaf.CategoryID,
		Attributes:  attrs,
		Status:      catalog.Active,
		Images:      []catalog.Image{},
		CreatedAt:   created,
		UpdatedAt:   created,
		Description: describe(r, title, kind, m, attrs),
	}
	if cid, ok := catIDs[p.CategoryID]; ok {
		p.CategoryID = cid
	}
	p.Slug = trimSlug(catalog.Slugify(title, 80, "product"), 60) + "-" + strconv.FormatUint(g.cfg.Seed, 36) + "g" + strconv.FormatInt(int64(i), 36)

	// Price: log-normal around the kind's median, ending in .99.
	base := float64(kind.Median) * math.Exp(r.NormFloat64()*0.45)
	nv := 1
	if len(kind.Option.Values) > 0 {
		nv = 1 + zipf(r, min(4, len(kind.Option.Values)), 0.3)
	}
	first := 0
	if len(kind.Option.Values) > nv {
		first = r.IntN(len(kind.Option.Values) - nv + 1)
	}
	for j := range nv {
		amount := roundPrice(base * (1 + 0.08*float64(j)))
		v := catalog.Variant{
			ID:      id.Variant(makeID("var", g.cfg.Seed^0xa11a, uint64(i)*128+uint64(j))),
			SKU:     fmt.Sprintf("G%s-%s-%d", strconv.FormatUint(g.cfg.Seed, 36), strconv.FormatInt(int64(i), 36), j+1),
			Options: map[string]string{},
			Price:   money.New(amount, "USD"),
		}
		if len(kind.Option.Values) > 0 {
			v.Options[kind.Option.Name] = kind.Option.Values[first+j]
		}
		p.Variants = append(p.Variants, v)
		if j == 0 || amount < p.PriceMin.Amount {
			p.PriceMin = v.Price
		}
		if j == 0 || amount > p.PriceMax.Amount {
			p.PriceMax = v.Price
		}
	}

	sig := Signal{ProductID: p.ID}
	var stars [5]int64
	if r.Float64() < 0.65 {
		n := min(int64(math.Exp(2+1.3*r.NormFloat64()))+1, 20000)
		target := min(max(4.1+0.55*r.NormFloat64(), 1), 5)
		stars = starsAround(target, n)
		sig.RatingCount, sig.Rating = n, averageOf(stars)
	}
	if r.Float64() < 0.75 {
		sig.Sales = min(int64(math.Exp(3+1.6*r.NormFloat64())), 1_000_000)
	}
	return Generated{Product: p, Signal: sig, Stars: stars, Meta: m, SellerIndex: zipfIndexOf(p.SellerID, sellerIDs)}
}

// starsAround spreads n ratings over the two whole stars around target,
// so that their average is target to within 1/n.
func starsAround(target float64, n int64) [5]int64 {
	var out [5]int64
	lo := int(math.Floor(target))
	if lo >= 5 {
		out[4] = n
		return out
	}
	hi := int64(math.Round((target - float64(lo)) * float64(n)))
	out[lo-1], out[lo] = n-hi, hi
	return out
}

// averageOf is the average of star counts, in hundredths of a star as the
// review module rounds it (review.SummaryOf).
func averageOf(stars [5]int64) float64 {
	var n, sum int64
	for i, k := range stars {
		n += k
		sum += int64(i+1) * k
	}
	if n == 0 {
		return 0
	}
	return math.Round(float64(sum)/float64(n)*100) / 100
}

func zipfIndexOf(id id.Seller, ids []id.Seller) int {
	for i, x := range ids {
		if x == id {
			return i
		}
	}
	return -1
}

var fillers = []string{
	"Backed by a one year warranty.",
	"Ships in recyclable packaging.",
	"A customer favourite season after season.",
	"Designed to last and easy to care for.",
	"Great as a gift.",
	"Carefully checked before it leaves the warehouse.",
}

func describe(r *rand.Rand, title string, k Kind, m Meta, attrs map[string]string) string {
	var b strings.Builder
	b.WriteString(title)
	b.WriteString(". ")
	fmt.Fprintf(&b, "This %s %s from %s", m.Adjective, k.Noun, m.Brand)
	if m.Audience != "" {
		fmt.Fprintf(&b, " is made for %s", strings.ToLower(m.Audience))
	}
	b.WriteString(".")
	for _, a := range k.Attrs {
		if v := attrs[a.Name]; v != "" && a.Name != "color" {
			fmt.Fprintf(&b, " %s: %s.", titleCase(a.Name), v)
		}
	}
	if m.Color != "" {
		fmt.Fprintf(&b, " Colour: %s.", m.Color)
	}
	f1 := k.Features[r.IntN(len(k.Features))]
	f2 := k.Features[r.IntN(len(k.Features))]
	if f1 == f2 {
		fmt.Fprintf(&b, " Features %s.", f1)
	} else {
		fmt.Fprintf(&b, " Features %s and %s.", f1, f2)
	}
	b.WriteString(" ")
	b.WriteString(fillers[r.IntN(len(fillers))])
	return b.String()
}

// OnHand is the stock the generated marketplace has of a SKU: most have
// some, about one in six none. It depends only on the SKU.
func OnHand(sku string) int64 {
	h := hash64("stock", sku)
	if h%6 == 0 {
		return 0
	}
	return int64(1 + (h>>8)%200)
}

func possessive(s string) string {
	if strings.HasSuffix(s, "s") {
		return s + "'"
	}
	return s + "'s"
}

func pick(ids []id.Seller, i int) id.Seller {
	if len(ids) == 0 {
		return "sel_unknown"
	}
	return ids[i%len(ids)]
}

// zipf picks an index in [0, n) with probability falling as 1/(i+1)^s.
func zipf(r *rand.Rand, n int, s float64) int {
	u := r.Float64() // drawn even when n is 1, so later draws do not depend on n
	if n <= 1 {
		return 0
	}
	// inverse transform on the continuous approximation
	if s == 1 {
		s = 0.999
	}
	a := 1 - s
	x := math.Pow(u*(math.Pow(float64(n)+1, a)-1)+1, 1/a) - 1
	return min(int(x), n-1)
}

func roundPrice(v float64) int64 {
	if v < 100 {
		return 99
	}
	return int64(math.Round(v/100))*100 - 1
}

func titleCase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		rs := []rune(w)
		rs[0] = unicode.ToUpper(rs[0])
		words[i] = string(rs)
	}
	return strings.Join(words, " ")
}

func trimSlug(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.Trim(s, "-")
}

func hash64(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// makeID makes an ID of the same shape as id.New (prefix, 26 Crockford
// base32 characters of 128 bits) from a seed and a number, so the generated
// catalog is the same on every run.
//
// Like id.New's, the IDs grow with n (the first 48 bits count from a base
// made from the seed), so a bulk load appends to the primary key indexes
// instead of inserting all over them.
func makeID(prefix string, seed, n uint64) string {
	var u [16]byte
	base := hash64(prefix, strconv.FormatUint(seed, 10)) >> 24 // 40 bits: room for 2^48 - 2^40 IDs above it
	binary.BigEndian.PutUint64(u[:8], (base+n)<<16|hash64(prefix, strconv.FormatUint(n, 10))&0xffff)
	binary.BigEndian.PutUint64(u[8:], seed*0x9e3779b97f4a7c15^n)
	return id.FromBytes(prefix, u)
}
