package search

import (
	"slices"
	"strings"
	"sync"

	"github.com/bazaar-market/bazaar/internal/id"
)

// freshMax is how many recently indexed products Suggest knows about
// before the suggestions are rebuilt.
const freshMax = 2000

// freshProducts remembers the products indexed since the suggestions were
// last built, so a product listed a moment ago is offered as soon as it is
// searchable, without a search of the index on a keystroke.
type freshProducts struct {
	mu    sync.Mutex
	items []freshProduct // oldest first, at most freshMax
	seq   uint64         // of the last one added
}

type freshProduct struct {
	s     Suggestion
	words []string
	seq   uint64
}

// add remembers docs (a product seen again replaces its older entry).
func (f *freshProducts) add(docs []Doc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range docs {
		f.items = slices.DeleteFunc(f.items, func(p freshProduct) bool { return p.s.ID == d.ID })
		f.seq++
		f.items = append(f.items, freshProduct{
			s:     Suggestion{Kind: KindProduct, Text: d.Title, Value: d.Slug, ID: d.ID},
			words: Tokenize(d.Title + " " + d.Brand),
			seq:   f.seq,
		})
	}
	if n := len(f.items) - freshMax; n > 0 {
		f.items = slices.Delete(f.items, 0, n)
	}
}

// remove forgets products (deleted from the index).
func (f *freshProducts) remove(ids []id.Product) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = slices.DeleteFunc(f.items, func(p freshProduct) bool { return slices.Contains(ids, p.s.ID) })
}

// mark returns the position a suggester build starts from.
func (f *freshProducts) mark() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seq
}

// forgetUpTo drops the products added up to mark: a suggester built after
// mark holds them.
func (f *freshProducts) forgetUpTo(mark uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = slices.DeleteFunc(f.items, func(p freshProduct) bool { return p.seq <= mark })
}

// match returns up to limit products, newest first, having for every query
// word a word that starts with it.
func (f *freshProducts) match(words []string, limit int) []Suggestion {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []Suggestion{}
	for i := len(f.items) - 1; i >= 0 && len(out) < limit; i-- {
		p := f.items[i]
		if all(words, func(q string) bool {
			return slices.ContainsFunc(p.words, func(w string) bool { return strings.HasPrefix(w, q) })
		}) {
			out = append(out, p.s)
		}
	}
	return out
}

func all(xs []string, ok func(string) bool) bool {
	for _, x := range xs {
		if !ok(x) {
			return false
		}
	}
	return true
}
