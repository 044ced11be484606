package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bazaar-market/bazaar/internal/apperr"
)

// Suggestion limits.
const (
	MaxSuggestLen      = 100
	DefaultSuggestions = 10
	MaxSuggestions     = 20
	suggestProducts    = 20_000 // the best sellers offered as product completions
	suggestEvery       = 5 * time.Minute
	suggestAfterChange = time.Minute
)

// Suggest completes what a shopper is typing with past queries, categories,
// brands and products whose words start with q (any word of them, and
// several words in a row). It answers from memory; when nothing starts with
// q it falls back to a typo-tolerant product search. limit 0 means
// DefaultSuggestions.
func (s *Service) Suggest(ctx context.Context, q string, limit int) ([]Suggestion, error) {
	var f apperr.Fields
	f.Check(utf8.RuneCountInString(q) <= MaxSuggestLen, "q", fmt.Sprintf("must be at most %d characters", MaxSuggestLen))
	if limit == 0 {
		limit = DefaultSuggestions
	}
	f.Check(limit >= 1 && limit <= MaxSuggestions, "limit", fmt.Sprintf("must be an integer from 1 to %d", MaxSuggestions))
	if err := f.Err(); err != nil {
		return nil, err
	}
	words := Tokenize(q)
	if len(words) == 0 {
		return []Suggestion{}, nil
	}
	sg := s.sugg.Load()
	out := sg.lookup(strings.Join(words, " "), limit)
	if len(out) > 0 {
		return out, nil
	}
	// Nothing starts with q: correct words that are one edit from a known
	// word (a transposition counts as one) and try again.
	if fixed, ok := sg.correct(words); ok {
		if out = sg.lookup(strings.Join(fixed, " "), limit); len(out) > 0 {
			return out, nil
		}
	}
	// Still nothing: a product indexed since the suggestions were built?
	return s.fresh.match(words, limit), nil
}

// suggester is an immutable in-memory completion index: every entry is
// reachable from each of its words, so "run" finds "Trail running shoes".
type suggester struct {
	entries []suggestEntry
	refs    []suggestRef        // sorted by key
	cache   sync.Map            // key -> []Suggestion, for prefixes with many matches
	words   map[string]int      // every word of every entry -> entries with it
	dels    map[string][]string // a word with one letter deleted -> words
}

type suggestEntry struct {
	Suggestion
	weight float64
}

type suggestRef struct {
	key   string // the entry's words from one of them on
	entry int32
}

// kindQuota is how many of each kind a list of 10 holds, in display order.
var kindQuota = []struct {
	kind string
	n    int
}{{KindQuery, 3}, {KindCategory, 2}, {KindBrand, 2}, {KindProduct, 3}}

// minCorrect is the shortest word corrected in suggestions.
const minCorrect = 4

func newSuggester(entries []suggestEntry) *suggester {
	sg := &suggester{entries: entries, words: make(map[string]int), dels: make(map[string][]string)}
	for i, e := range entries {
		words := Tokenize(e.Text)
		for j, w := range words {
			sg.refs = append(sg.refs, suggestRef{key: strings.Join(words[j:], " "), entry: int32(i)})
			sg.words[w]++
		}
	}
	slices.SortFunc(sg.refs, func(a, b suggestRef) int { return strings.Compare(a.key, b.key) })
	for w := range sg.words {
		if utf8.RuneCountInString(w) < minCorrect {
			continue
		}
		for _, d := range deletions(w) {
			sg.dels[d] = append(sg.dels[d], w)
		}
	}
	// Short prefixes match much of the list: answer them once, now.
	seen := map[string]bool{}
	for _, r := range sg.refs {
		for n := 1; n <= 2 && n <= len(r.key); n++ {
			if p := r.key[:n]; !seen[p] && utf8.ValidString(p) {
				seen[p] = true
				sg.lookup(p, DefaultSuggestions)
			}
		}
	}
	return sg
}

// deletions returns w with each one letter removed.
func deletions(w string) []string {
	r := []rune(w)
	out := make([]string, 0, len(r))
	for i := range r {
		out = append(out, string(r[:i])+string(r[i+1:]))
	}
	return out
}

// correct replaces each word that is not known (nor, for the last, the
// start of a known word) by the most common known word one edit away. ok is
// false when nothing changed.
func (sg *suggester) correct(words []string) ([]string, bool) {
	out := slices.Clone(words)
	changed := false
	for i, w := range words {
		if _, known := sg.words[w]; known || utf8.RuneCountInString(w) < minCorrect {
			continue
		}
		if i == len(words)-1 && sg.isPrefix(w) {
			continue
		}
		best, bestN := "", 0
		consider := func(c string) {
			if n := sg.words[c]; n > bestN && Distance(w, c) <= 1 {
				best, bestN = c, n
			}
		}
		for _, c := range sg.dels[w] { // w lacks a letter
			consider(c)
		}
		for _, d := range deletions(w) {
			consider(d)                    // w has a letter too many
			for _, c := range sg.dels[d] { // substitutions and transpositions
				consider(c)
			}
		}
		if best != "" {
			out[i], changed = best, true
		}
	}
	return out, changed
}

func (sg *suggester) isPrefix(p string) bool {
	i := sort.Search(len(sg.refs), func(i int) bool { return sg.refs[i].key >= p })
	return i < len(sg.refs) && strings.HasPrefix(sg.refs[i].key, p)
}

// bigRange is the number of matching references above which a lookup's
// answer is cached.
const bigRange = 2000

func (sg *suggester) lookup(key string, limit int) []Suggestion {
	if v, ok := sg.cache.Load(cacheKey(key, limit)); ok {
		return slices.Clone(v.([]Suggestion))
	}
	lo := sort.Search(len(sg.refs), func(i int) bool { return sg.refs[i].key >= key })
	hi := lo
	for hi < len(sg.refs) && strings.HasPrefix(sg.refs[hi].key, key) {
		hi++
	}
	// Best entries per kind: a short list kept sorted, entered only by an
	// entry that beats its last.
	best := make(map[string][]int32)
	seen := make(map[int32]bool)
	for _, r := range sg.refs[lo:hi] {
		if seen[r.entry] {
			continue
		}
		seen[r.entry] = true
		e := sg.entries[r.entry]
		list := best[e.Kind]
		if len(list) >= limit && sg.entries[list[len(list)-1]].weight >= e.weight {
			continue
		}
		at, _ := slices.BinarySearchFunc(list, e.weight, func(x int32, w float64) int { return cmp.Compare(w, sg.entries[x].weight) })
		list = slices.Insert(list, at, r.entry)
		if len(list) > limit {
			list = list[:limit]
		}
		best[e.Kind] = list
	}
	out := []Suggestion{}
	taken := make(map[string]int)
	// First each kind's share, then fill up with what is left, in order.
	for pass := 0; pass < 2 && len(out) < limit; pass++ {
		for _, q := range kindQuota {
			share := max(1, q.n*limit/DefaultSuggestions)
			for _, i := range best[q.kind][taken[q.kind]:] {
				if len(out) >= limit || pass == 0 && taken[q.kind] >= share {
					break
				}
				out = append(out, sg.entries[i].Suggestion)
				taken[q.kind]++
			}
		}
	}
	if hi-lo > bigRange {
		sg.cache.Store(cacheKey(key, limit), slices.Clone(out))
	}
	return out
}

func cacheKey(key string, limit int) string { return fmt.Sprint(limit, "\x00", key) }

// refreshSuggestions rebuilds the completions from the index and the query
// log.
func (s *Service) refreshSuggestions(ctx context.Context) {
	mark := s.fresh.mark()
	sg, err := s.buildSuggester(ctx)
	if err != nil {
		s.log.Warn("search: build suggestions", "err", err)
		return
	}
	s.sugg.Store(sg)
	s.fresh.forgetUpTo(mark)
}

func (s *Service) buildSuggester(ctx context.Context) (*suggester, error) {
	h, err := s.acquire()
	if err != nil {
		return nil, err
	}
	defer h.busy.Done()
	var entries []suggestEntry
	t, err := s.docs.Tree(ctx)
	if err != nil {
		return nil, err
	}
	cats, err := h.idx.Terms("category_ids")
	if err != nil {
		return nil, err
	}
	for _, tc := range cats {
		if c, ok := t.Get(tc.Term); ok {
			entries = append(entries, suggestEntry{Suggestion{Kind: KindCategory, Text: c.Name, Value: string(c.ID)}, float64(tc.Count)})
		}
	}
	brands, err := h.idx.Terms("brand")
	if err != nil {
		return nil, err
	}
	for _, b := range brands {
		entries = append(entries, suggestEntry{Suggestion{Kind: KindBrand, Text: b.Term, Value: b.Term}, float64(b.Count)})
	}
	resp, err := h.idx.Search(ctx, Request{Sort: SortPopular, Limit: suggestProducts})
	if err != nil {
		return nil, err
	}
	combos := make(map[string]float64)
	for i, d := range resp.Docs {
		w := float64(d.Sales) + 1/float64(i+2)
		entries = append(entries, suggestEntry{Suggestion{Kind: KindProduct, Text: d.Title, Value: d.Slug, ID: d.ID}, w})
		if d.Brand != "" && len(d.CategoryPath) > 0 {
			combos[strings.ToLower(d.Brand+" "+d.CategoryPath[len(d.CategoryPath)-1])] += w
		}
	}
	for text, n := range s.queries.top(5000) {
		combos[text] += n * 10
	}
	for text, w := range combos {
		entries = append(entries, suggestEntry{Suggestion{Kind: KindQuery, Text: text}, w})
	}
	slices.SortFunc(entries, func(a, b suggestEntry) int {
		return cmp.Or(strings.Compare(a.Kind, b.Kind), strings.Compare(a.Text, b.Text))
	})
	return newSuggester(entries), nil
}

// queryLog counts the queries shoppers ran that found something.
type queryLog struct {
	mu sync.Mutex
	n  map[string]float64
}

const queryLogMax = 50_000

func (l *queryLog) add(text string, hits uint64) {
	key := strings.Join(Tokenize(text), " ")
	if hits == 0 || key == "" || len(key) > 60 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n == nil {
		l.n = make(map[string]float64)
	}
	l.n[key]++
	if len(l.n) > queryLogMax {
		for k, v := range l.n {
			if v <= 1 {
				delete(l.n, k)
			} else {
				l.n[k] = v / 2
			}
		}
	}
}

// top returns the most frequent queries (asked at least twice).
func (l *queryLog) top(n int) map[string]float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	type kv struct {
		k string
		v float64
	}
	var all []kv
	for k, v := range l.n {
		if v >= 2 {
			all = append(all, kv{k, v})
		}
	}
	slices.SortFunc(all, func(a, b kv) int { return cmp.Or(cmp.Compare(b.v, a.v), strings.Compare(a.k, b.k)) })
	out := make(map[string]float64, min(n, len(all)))
	for _, e := range all[:min(n, len(all))] {
		out[e.k] = e.v
	}
	return out
}
