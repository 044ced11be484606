package search_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bazaar-market/bazaar/internal/catalog/cataloggen"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/search"
	"github.com/bazaar-market/bazaar/internal/search/searchbleve"
	"github.com/bazaar-market/bazaar/internal/search/searchtest"
)

// judged is a query with graded relevance from the generator's ground
// truth: grade(meta) is 0 for irrelevant products.
type judged struct {
	kind  string // what the query tests
	q     string
	grade func(m cataloggen.Meta) int
}

// genStock is the generated marketplace's stock.
type genStock struct{}

func (genStock) Available(ctx context.Context, skus []string) (map[string]int64, error) {
	out := make(map[string]int64, len(skus))
	for _, s := range skus {
		out[s] = cataloggen.OnHand(s)
	}
	return out, nil
}

// TestRelevance indexes a generated catalog and checks NDCG@10 over a
// judged query set (category words, brand + type + colour, misspellings,
// synonyms, attributes) and that no query with relevant products finds
// nothing.
func TestRelevance(t *testing.T) {
	const products = 4000
	g := cataloggen.New(cataloggen.Config{Products: products, Seed: 42, Sellers: 20})
	cat := searchtest.NewCatalog()
	ids := make(map[id.Category]id.Category) // generated category ID -> fake's
	for _, c := range g.Categories() {
		var parent id.Category
		if c.ParentID != nil {
			parent = ids[*c.ParentID]
		}
		ids[c.ID] = cat.AddCategory(c.Name, parent)
	}
	sellers := make([]id.Seller, 20)
	for i := range sellers {
		sellers[i] = id.Seller(fmt.Sprintf("sel_%02d", i))
	}
	meta := make(map[string]cataloggen.Meta, products)
	signals := searchtest.Signals{}
	for i := range products {
		gp := g.Product(i, sellers, ids)
		cat.PutProduct(gp.Product)
		meta[string(gp.Product.ID)] = gp.Meta
		signals[gp.Product.ID] = search.Signal(gp.Signal)
	}
	svc, err := search.New(cat, genStock{}, nil, signals, search.Options{Dir: filepath.Join(t.TempDir(), "search"), Open: searchbleve.Open})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if _, err := svc.Reindex(context.Background(), nil); err != nil {
		t.Fatal(err)
	}

	queries := judgedQueries(g, meta)
	var sum float64
	zero, evaluated := 0, 0
	byKind := map[string][]float64{}
	for _, j := range queries {
		relevant := 0
		var grades []int
		for _, m := range meta {
			if gr := j.grade(m); gr > 0 {
				relevant++
				grades = append(grades, gr)
			}
		}
		if relevant == 0 {
			continue
		}
		r, err := svc.Search(context.Background(), search.Query{Text: j.q, Limit: 10})
		if err != nil {
			t.Fatalf("Search(%q): %v", j.q, err)
		}
		if r.Total == 0 {
			zero++
			t.Errorf("%s query %q found nothing; %d products are relevant", j.kind, j.q, relevant)
		}
		var got []int
		for _, h := range r.Items {
			got = append(got, j.grade(meta[string(h.ID)]))
		}
		n := ndcg(got, grades, 10)
		sum += n
		evaluated++
		byKind[j.kind] = append(byKind[j.kind], n)
		if n < 0.6 {
			var titles []string
			for _, h := range r.Items[:min(3, len(r.Items))] {
				titles = append(titles, h.Title)
			}
			t.Logf("low NDCG@10 %.2f for %s query %q: top %q", n, j.kind, j.q, titles)
		}
	}
	mean := sum / float64(evaluated)
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range byKind {
			if !yield(k) {
				return
			}
		}
	}) {
		t.Logf("%-12s %3d queries, mean NDCG@10 %.3f", k, len(byKind[k]), meanOf(byKind[k]))
	}
	t.Logf("all          %3d queries, mean NDCG@10 %.3f, zero-result queries %d", evaluated, mean, zero)
	if mean < 0.85 {
		t.Errorf("mean NDCG@10 = %.3f, want >= 0.85", mean)
	}
	if zero > 0 {
		t.Errorf("%d queries with relevant products found nothing, want 0", zero)
	}
}

func meanOf(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// ndcg is the normalised discounted cumulative gain at k of the grades of
// the results, against the ideal ordering of all relevant grades.
func ndcg(got, all []int, k int) float64 {
	dcg := func(gs []int) float64 {
		s := 0.0
		for i, g := range gs[:min(k, len(gs))] {
			s += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i)+2)
		}
		return s
	}
	ideal := slices.Clone(all)
	slices.SortFunc(ideal, func(a, b int) int { return b - a })
	if d := dcg(ideal); d > 0 {
		return dcg(got) / d
	}
	return 0
}

func judgedQueries(g *cataloggen.Generator, meta map[string]cataloggen.Meta) []judged {
	kindOf := func(leaf string) int {
		for i, k := range cataloggen.Kinds {
			if k.Leaf == leaf {
				return i
			}
		}
		panic(leaf)
	}
	ofKinds := func(primary int, also ...int) func(cataloggen.Meta) int {
		return func(m cataloggen.Meta) int {
			switch {
			case m.Kind == primary:
				return 2
			case slices.Contains(also, m.Kind):
				return 1
			}
			return 0
		}
	}
	var qs []judged
	// Category words, and the same with a typo.
	for k, kind := range cataloggen.Kinds {
		q := strings.ToLower(kind.Leaf)
		qs = append(qs, judged{"category", q, ofKinds(k)})
		if typo := misspell(q, k); typo != q {
			qs = append(qs, judged{"typo", typo, ofKinds(k)})
		}
		qs = append(qs, judged{"noun", kind.Noun, ofKinds(k)})
	}
	// Audience + category.
	for _, leaf := range []string{"Running shoes", "Jeans", "Jackets", "T-shirts", "Hoodies"} {
		k := kindOf(leaf)
		for _, a := range cataloggen.Audiences {
			qs = append(qs, judged{"audience", strings.ToLower(a) + "'s " + strings.ToLower(leaf), func(m cataloggen.Meta) int {
				switch {
				case m.Kind == k && m.Audience == a:
					return 2
				case m.Kind == k:
					return 1
				}
				return 0
			}})
		}
	}
	// Synonyms.
	syn := []struct {
		q            string
		primary      string
		alsoRelevant []string
	}{
		{"tee", "T-shirts", nil}, {"tees", "T-shirts", nil}, {"tshirt", "T-shirts", nil},
		{"trainers", "Sneakers", []string{"Running shoes"}}, {"notebook computer", "Laptops", nil},
		{"tv", "Televisions", nil}, {"couch", "Sofas", nil}, {"jumper", "Sweaters", nil},
		{"cell phone", "Smartphones", []string{"Phone cases"}}, {"hooded sweatshirt", "Hoodies", nil},
		{"earphones", "Headphones", []string{"Earbuds"}},
	}
	for _, s := range syn {
		also := []int{}
		for _, a := range s.alsoRelevant {
			also = append(also, kindOf(a))
		}
		qs = append(qs, judged{"synonym", s.q, ofKinds(kindOf(s.primary), also...)})
	}
	// Brand + type + colour, from real products; typos in some.
	r := rand.New(rand.NewPCG(1, 2))
	ids := make([]string, 0, len(meta))
	for id := range meta {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for n := 0; n < 40; n++ {
		m := meta[ids[r.IntN(len(ids))]]
		if m.Color == "" {
			continue
		}
		kind := cataloggen.Kinds[m.Kind]
		q := strings.ToLower(m.Brand + " " + m.Color + " " + kind.Noun)
		kk, brand, color := m.Kind, m.Brand, m.Color
		grade := func(x cataloggen.Meta) int {
			if x.Kind != kk {
				return 0
			}
			gr := 1
			if x.Brand == brand {
				gr++
			}
			if x.Color == color {
				gr++
			}
			return gr
		}
		qs = append(qs, judged{"brand+type", q, grade})
		if n%3 == 0 {
			if typo := misspell(q, n); typo != q {
				qs = append(qs, judged{"typo", typo, grade})
			}
		}
	}
	// Attributes: an adjective with the noun.
	for n := 0; n < 15; n++ {
		m := meta[ids[r.IntN(len(ids))]]
		kind := cataloggen.Kinds[m.Kind]
		kk, adj := m.Kind, m.Adjective
		qs = append(qs, judged{"adjective", adj + " " + kind.Noun, func(x cataloggen.Meta) int {
			switch {
			case x.Kind == kk && x.Adjective == adj:
				return 2
			case x.Kind == kk:
				return 1
			}
			return 0
		}})
	}
	return qs
}

// misspell makes one typo (a transposition, a deletion or a substitution)
// in the longest word of q of at least 5 letters.
func misspell(q string, n int) string {
	words := strings.Fields(q)
	best := -1
	for i, w := range words {
		if len(w) >= 5 && (best < 0 || len(w) > len(words[best])) && !strings.ContainsAny(w, "-'") {
			best = i
		}
	}
	if best < 0 {
		return q
	}
	w := []byte(words[best])
	p := 1 + n%(len(w)-2)
	switch n % 3 {
	case 0:
		w[p], w[p+1] = w[p+1], w[p]
	case 1:
		w = append(w[:p], w[p+1:]...)
	default:
		w[p] = "qwertyuiopasdfghjklzxcvbnm"[(int(w[p])+n)%26]
	}
	words[best] = string(w)
	return strings.Join(words, " ")
}
