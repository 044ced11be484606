package recmodel

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// content is the TF-IDF index of the products' content: words of the text
// (lowercased, plural s stripped), the leaf category and its ancestors, the
// brand, and the price band (a bucket of log1.5(price), with half weight on
// the two bands beside it). The price bands only weigh in the final
// cosine: they have no postings, so sharing a band alone makes no neighbour.
type content struct {
	ids     map[string]uint32 // feature -> id
	df      []int32           // by feature: products having it
	idfs    []float32         // by feature: its IDF when its df last changed
	post    [][]uint32        // by feature: the products, oldest first
	price   []bool            // by feature: a price band, which has no postings
	vec     [][]feature       // by item: its features, by id
	docs    int
	w       map[uint32]float32 // features' scratch
	key     []byte             // id's scratch
	scratch sync.Pool          // of *accumulator
}

// feature is a feature of a product and its weight before IDF.
type feature struct {
	ID uint32
	W  float32
}

// The caps of a Similar query: postings scanned per feature (the newest)
// and in all, and candidates rescored exactly.
const (
	scanPerFeature = 1000
	scanBudget     = 6000
	rescore        = 100
)

// The weights of the kinds of feature, before IDF.
const (
	wLeaf     = 2
	wCategory = 1
	wBrand    = 1.5
	wPrice    = 1
)

// accumulator is a Similar query's scratch: partial scores by item, and
// the items touched.
type accumulator struct {
	acc     []float32
	touched []uint32
}

// init makes the index empty.
func (c *content) init() { c.ids = map[string]uint32{} }

// features returns p's features, by id, giving new ones ids. It reuses
// the index's scratch (callers hold the model's write lock).
func (c *content) features(p *Product) []feature {
	if c.w == nil {
		c.w = map[uint32]float32{}
	}
	clear(c.w)
	for _, t := range tokens(p.Text) {
		c.w[c.id('w', t)]++
	}
	for k, tf := range c.w {
		c.w[k] = 1 + float32(math.Log(float64(tf)))
	}
	for i, cat := range p.Categories {
		f := float32(wCategory)
		if i == len(p.Categories)-1 {
			f = wLeaf
		}
		c.w[c.id('c', strconv.FormatUint(uint64(cat), 10))] = f
	}
	if b := strings.ToLower(strings.TrimSpace(p.Brand)); b != "" {
		c.w[c.id('b', b)] = wBrand
	}
	if p.Price > 0 {
		band := int(math.Floor(math.Log(float64(p.Price)) / math.Log(1.5)))
		for d := -1; d <= 1; d++ {
			f := float32(wPrice)
			if d != 0 {
				f /= 2
			}
			c.w[c.id('p', strconv.Itoa(band+d))] = f
		}
	}
	out := make([]feature, 0, len(c.w))
	for id, v := range c.w {
		out = append(out, feature{ID: id, W: v})
	}
	slices.SortFunc(out, func(a, b feature) int { return int(a.ID) - int(b.ID) })
	return out
}

// id returns the id of feature kind:name, giving it the next one if new.
func (c *content) id(kind byte, name string) uint32 {
	c.key = append(append(append(c.key[:0], kind), ':'), name...)
	if id, ok := c.ids[string(c.key)]; ok {
		return id
	}
	id := uint32(len(c.df))
	c.ids[string(c.key)] = id
	c.df = append(c.df, 0)
	c.idfs = append(c.idfs, 0)
	c.post = append(c.post, nil)
	c.price = append(c.price, kind == 'p')
	return id
}

// stop are words too common in product text to say anything.
var stop = map[string]bool{"the": true, "and": true, "for": true, "with": true, "of": true, "in": true,
	"to": true, "a": true, "an": true, "on": true, "is": true, "it": true, "this": true, "your": true,
	"you": true, "or": true, "by": true, "at": true, "from": true, "that": true, "are": true, "be": true}

// tokens splits s into lowercase words of two letters or more, plurals
// stripped (the S-stemmer: -ies to -y, -es after s/x/ch/sh dropped, -s dropped).
func tokens(s string) []string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	out := words[:0]
	for _, w := range words {
		if len(w) < 2 || stop[w] {
			continue
		}
		out = append(out, stem(w))
	}
	return out
}

// stem strips a plural ending.
func stem(w string) string {
	switch {
	case len(w) <= 3:
		return w
	case strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"), strings.HasSuffix(w, "xes"), strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "shes"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
		return w
	case strings.HasSuffix(w, "s"):
		return w[:len(w)-1]
	}
	return w
}

// add indexes p.
func (c *content) add(p *Product) {
	fs := c.features(p)
	if n := int(p.Item) + 1; n > len(c.vec) {
		if n < 2*len(c.vec) {
			n = 2 * len(c.vec)
		}
		c.vec = append(c.vec, make([][]feature, n-len(c.vec))...)
	}
	c.vec[p.Item] = fs
	for _, f := range fs {
		c.df[f.ID]++
		c.setIDF(f.ID)
		if !c.price[f.ID] {
			c.post[f.ID] = append(c.post[f.ID], p.Item)
		}
	}
	c.docs++
}

// remove takes item out of the index.
func (c *content) remove(item uint32) {
	if int(item) >= len(c.vec) || c.vec[item] == nil {
		return
	}
	for _, f := range c.vec[item] {
		c.df[f.ID]--
		c.setIDF(f.ID)
		if c.price[f.ID] {
			continue
		}
		if i := slices.Index(c.post[f.ID], item); i >= 0 {
			c.post[f.ID] = slices.Delete(c.post[f.ID], i, i+1)
		}
	}
	c.vec[item] = nil
	c.docs--
}

// setIDF computes the inverse document frequency of feature f, kept until
// its df changes again (the catalogue's size drifts slowly; a log is too
// dear to take per feature per candidate).
func (c *content) setIDF(f uint32) {
	c.idfs[f] = float32(math.Log(1 + float64(max(c.docs, 1))/float64(max(c.df[f], 1))))
}

// idf is the inverse document frequency of feature f.
func (c *content) idf(f uint32) float32 { return c.idfs[f] }

// similar returns the n items most like item by the cosine of their TF-IDF
// vectors. It scans the postings of item's rarest features first, at most
// scanPerFeature (the newest) of each and budget in all, then rescores the
// best rescore candidates exactly.
func (c *content) similar(item uint32, n, budget int) []Scored {
	if int(item) >= len(c.vec) || c.vec[item] == nil || n <= 0 {
		return nil
	}
	p := c.vec[item]
	q := make([]feature, len(p)) // p's features weighted by IDF, rarest first
	for i, f := range p {
		idf := c.idf(f.ID)
		q[i] = feature{ID: f.ID, W: f.W * idf * idf}
	}
	slices.SortFunc(q, func(a, b feature) int {
		if da, db := c.df[a.ID], c.df[b.ID]; da != db {
			return int(da - db)
		}
		return int(a.ID) - int(b.ID)
	})
	a, _ := c.scratch.Get().(*accumulator)
	if a == nil {
		a = &accumulator{}
	}
	if len(a.acc) < len(c.vec) {
		a.acc = make([]float32, len(c.vec))
	}
	for _, f := range q {
		ps := c.post[f.ID]
		if len(ps) > scanPerFeature {
			ps = ps[len(ps)-scanPerFeature:]
		}
		if len(ps) > budget {
			ps = ps[len(ps)-budget:]
		}
		budget -= len(ps)
		for _, it := range ps {
			if a.acc[it] == 0 {
				a.touched = append(a.touched, it)
			}
			a.acc[it] += f.W
		}
		if budget == 0 {
			break
		}
	}
	best := make([]Scored, 0, rescore+1)
	for _, it := range a.touched {
		if it != item {
			best = pushBest(best, Scored{Item: it, Score: a.acc[it]}, rescore)
		}
		a.acc[it] = 0
	}
	a.touched = a.touched[:0]
	c.scratch.Put(a)
	np := c.norm(p)
	for i := range best {
		v := c.vec[best[i].Item]
		best[i] = Scored{Item: best[i].Item, Score: c.dot(p, v) / (np * c.norm(v)), Because: item}
	}
	return top(best, n)
}

// norm is the length of the TF-IDF vector of fs.
func (c *content) norm(fs []feature) float32 {
	var s float32
	for _, f := range fs {
		x := f.W * c.idf(f.ID)
		s += x * x
	}
	return float32(math.Sqrt(float64(s)))
}

// dot is the dot product of the TF-IDF vectors of a and b (sorted by id).
func (c *content) dot(a, b []feature) float32 {
	var s float32
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i].ID < b[j].ID:
			i++
		case a[i].ID > b[j].ID:
			j++
		default:
			idf := c.idf(a[i].ID)
			s += a[i].W * b[j].W * idf * idf
			i++
			j++
		}
	}
	return s
}

// worse reports whether a ranks below b: a lower score, or an equal score
// and a higher item (top's order).
func worse(a, b Scored) bool {
	return a.Score < b.Score || a.Score == b.Score && a.Item > b.Item
}

// pushBest keeps the k best of the pushed in h, a heap whose root is the
// worst.
func pushBest(h []Scored, s Scored, k int) []Scored {
	if len(h) < k {
		h = append(h, s)
		for i := len(h) - 1; i > 0; {
			p := (i - 1) / 2
			if !worse(h[i], h[p]) {
				break
			}
			h[p], h[i] = h[i], h[p]
			i = p
		}
		return h
	}
	if k == 0 || !worse(h[0], s) {
		return h
	}
	h[0] = s
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && worse(h[l], h[m]) {
			m = l
		}
		if r < len(h) && worse(h[r], h[m]) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	return h
}
