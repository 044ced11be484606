package searchbleve

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/search"
)

// A text query as a tree of posting lists, matched and scored without
// Bleve's searchers.
//
// Bleve runs a text query (textQueries, clauseQuery and termQuery in
// query.go) as a tree of searchers: term searchers at the leaves (a word
// in a field, or one typo candidate or completion of a word), and
// disjunctions and conjunctions above them, moved document by document.
// For a word with typo candidates over a million products that costs
// 40-60 ms, most of it in the searchers' heaps and allocations, and a
// conjunction steps every child after each match.
//
// queryTree builds the same tree from the plan, with the candidates and
// completions Bleve would expand to (the snapshot's dictionaries, in the
// same order). Its documents are unions and intersections of the leaves'
// posting bitmaps (nothing visited); its scores are computed term at a
// time for a list of documents known to match, each leaf's postings read
// once per segment, with Bleve's tf-idf arithmetic: the same query norm,
// coordination factors and boosts.
//
// Exactness: Bleve sums a composite's children in the order of their
// document counts (sorted stably when there are up to twelve); the tree
// does the same, so scores are the same to the bit. Over more than ten
// children (the candidates of a typo, the completions of a prefix) Bleve
// sums in the order its heap happens to pop them; the tree sums in the
// dictionary's order, and a score may differ from Bleve's in the last bit
// (TestTreeMatchesBleve allows 1e-12).

type nodeKind uint8

const (
	leafNode nodeKind = iota // a term in a field
	anyNode                  // disjunction: the sum of what matched, x matched/children
	allNode                  // conjunction: the sum, when all matched
	noneNode                 // matches nothing (a word the analyzer drops)
)

// qnode is one searcher of the tree.
type qnode struct {
	kind nodeKind
	kids []*qnode // in Bleve's order

	// Leaves.
	field, term string
	boost       float64
	lists       []segment.PostingsList // per segment; nil where absent
	idf, qw     float64

	count  uint64  // Bleve's Count(): a leaf's documents, else the sum of the children's
	weight float64 // Bleve's Weight(): (boost x idf)^2 for a leaf, else the sum of the children's
}

// maxLeaves bounds the terms one query expands to (a one-letter prefix
// over a large vocabulary); past it, the query is left to Bleve.
const maxLeaves = 4096

var errTooManyLeaves = fmt.Errorf("query expands to more than %d terms", maxLeaves)

// treeBuilder builds the tree of one query on one snapshot.
type treeBuilder struct {
	x        *Index
	snap     *scorch.IndexSnapshot
	segs     []*scorch.SegmentSnapshot
	docTotal uint64
	v        vocab
	leaves   int
}

// queryTree returns the tree of r's text, scored as the two-phase path
// scores it: the conjunction of the clauses, or their disjunction when
// relaxed (a minimum changes what matches, not the scores). clauses are
// the nodes of the plan's clauses, for their documents.
func (x *Index) queryTree(snap *scorch.IndexSnapshot, plan search.Plan, relaxed bool, v vocab) (top *qnode, clauses []*qnode, err error) {
	total, err := snap.DocCount()
	if err != nil {
		return nil, nil, err
	}
	b := &treeBuilder{x: x, snap: snap, segs: snap.Segments(), docTotal: total, v: v}
	for _, c := range plan.Clauses {
		n, err := b.clause(c)
		if err != nil {
			return nil, nil, err
		}
		clauses = append(clauses, n)
	}
	switch {
	case len(clauses) == 0:
		return nil, nil, fmt.Errorf("empty plan")
	case len(clauses) == 1:
		top = clauses[0]
	case relaxed:
		top = composite(anyNode, clauses)
	default:
		top = composite(allNode, clauses)
	}
	// Every composite sets its children's query norm when built; the
	// root's, built last, is the one that stays.
	norm := 1.0 / math.Sqrt(top.weight)
	top.setNorm(norm)
	return top, clauses, nil
}

func (n *qnode) setNorm(norm float64) {
	if n.kind == leafNode {
		n.qw = n.boost * n.idf * norm
	}
	for _, k := range n.kids {
		k.setNorm(norm)
	}
}

// composite is a disjunction or conjunction of kids as Bleve builds it:
// up to ten children sorted by their counts (sort.Sort is stable at that
// size), more (a heap disjunction) in the order given.
func composite(kind nodeKind, kids []*qnode) *qnode {
	n := &qnode{kind: kind, kids: slices.Clone(kids)}
	if kind == allNode || len(kids) <= 10 {
		slices.SortStableFunc(n.kids, func(a, b *qnode) int { return cmp.Compare(a.count, b.count) })
	}
	for _, k := range n.kids {
		n.count += k.count
		n.weight += k.weight
	}
	return n
}

// leaf is a term searcher: term in field with boost.
func (b *treeBuilder) leaf(field, term string, boost float64) (*qnode, error) {
	if b.leaves++; b.leaves > maxLeaves {
		return nil, errTooManyLeaves
	}
	n := &qnode{kind: leafNode, field: field, term: term, boost: boost, lists: make([]segment.PostingsList, len(b.segs))}
	for i, ss := range b.segs {
		pl, err := postingsOf(ss, field, term)
		if err != nil {
			return nil, err
		}
		n.lists[i] = pl
		if pl != nil {
			n.count += pl.Count()
		}
	}
	// scorer.TermQueryScorer.
	n.idf = 1.0 + math.Log(float64(b.docTotal)/float64(n.count+1.0))
	w := n.boost * n.idf
	n.weight = w * w
	return n, nil
}

// clause is clauseQuery's searcher.
func (b *treeBuilder) clause(c search.Clause) (*qnode, error) {
	alts := make([]*qnode, 0, len(c.Alternatives))
	for ai, a := range c.Alternatives {
		boost := 1.0
		if ai > 0 {
			boost = boostSynonym
		}
		terms := make([]*qnode, len(a))
		for i, t := range a {
			n, err := b.word(t, boost/float64(len(a)))
			if err != nil {
				return nil, err
			}
			terms[i] = n
		}
		if len(terms) == 1 {
			alts = append(alts, terms[0])
		} else {
			alts = append(alts, composite(allNode, terms))
		}
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return composite(anyNode, alts), nil
}

// word is termQuery's searcher.
func (b *treeBuilder) word(t search.Term, weight float64) (*qnode, error) {
	var qs []*qnode
	add := func(n *qnode, err error) error {
		if err == nil {
			qs = append(qs, n)
		}
		return err
	}
	if b.v.stop != nil && b.v.stop(t.Word) {
		if err := add(b.leaf("words", t.Word, boostExact*weight)); err != nil {
			return nil, err
		}
	} else {
		if err := add(b.match("title", t.Word, boostTitle*weight)); err != nil {
			return nil, err
		}
		if err := add(b.match("text", t.Word, boostText*weight)); err != nil {
			return nil, err
		}
	}
	if t.Fuzziness > 0 && (b.v.known == nil || !b.v.known(t.Word)) {
		if err := add(b.fuzzy(t.Word, t.Fuzziness, boostFuzzy*weight)); err != nil {
			return nil, err
		}
		for _, w := range transpositions(t.Word) {
			if err := add(b.leaf("words", w, boostFuzzy*weight)); err != nil {
				return nil, err
			}
		}
	}
	if t.Prefix && (b.v.known == nil || !b.v.known(t.Word)) {
		if err := add(b.prefix(t.Word, boostPrefix*weight)); err != nil {
			return nil, err
		}
	}
	return composite(anyNode, qs), nil
}

// match is a MatchQuery's searcher: the word analyzed as the field is, a
// disjunction of its tokens.
func (b *treeBuilder) match(field, word string, boost float64) (*qnode, error) {
	m := b.x.bi.Mapping()
	a := m.AnalyzerNamed(m.AnalyzerNameForPath(field))
	if a == nil {
		return nil, fmt.Errorf("no analyzer for %s", field)
	}
	tokens := a.Analyze([]byte(word))
	if len(tokens) == 0 {
		return &qnode{kind: noneNode}, nil
	}
	kids := make([]*qnode, len(tokens))
	for i, tk := range tokens {
		n, err := b.leaf(field, string(tk.Term), boost)
		if err != nil {
			return nil, err
		}
		kids[i] = n
	}
	return composite(anyNode, kids), nil
}

// fuzzy is searcher.NewFuzzySearcher over the words field: every word of
// the index within fuzziness edits, boosted by 1/(edits+1).
func (b *treeBuilder) fuzzy(word string, fuzziness int, boost float64) (*qnode, error) {
	fd, _, err := b.snap.FieldDictFuzzyAutomaton("words", word, fuzziness, "")
	if err != nil {
		return nil, err
	}
	return b.expansion(fd, word, func(e *index.DictEntry) float64 { return boost * (1 / float64(e.EditDistance+1)) })
}

// prefix is searcher.NewTermPrefixSearcher over the words field.
func (b *treeBuilder) prefix(word string, boost float64) (*qnode, error) {
	fd, err := b.snap.FieldDictPrefix("words", []byte(word))
	if err != nil {
		return nil, err
	}
	return b.expansion(fd, word, func(*index.DictEntry) float64 { return boost })
}

// expansion is a multi-term searcher over the words field: a disjunction
// of the terms fd lists, each with boostOf, or the word alone when fd
// lists nothing else. It closes fd.
func (b *treeBuilder) expansion(fd index.FieldDict, word string, boostOf func(*index.DictEntry) float64) (*qnode, error) {
	var terms []string
	var boosts []float64
	e, err := fd.Next()
	for ; err == nil && e != nil; e, err = fd.Next() {
		if len(terms) >= maxLeaves {
			err = errTooManyLeaves
			break
		}
		terms = append(terms, e.Term)
		boosts = append(boosts, boostOf(e))
	}
	if cerr := fd.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if len(terms) == 0 || (len(terms) == 1 && terms[0] == word) {
		return b.leaf("words", word, boostOf(&index.DictEntry{}))
	}
	kids := make([]*qnode, len(terms))
	for i, t := range terms {
		n, err := b.leaf("words", t, boosts[i])
		if err != nil {
			return nil, err
		}
		kids[i] = n
	}
	return composite(anyNode, kids), nil
}

// docs returns the documents n matches in segment si, read only (it may
// be a posting list's own bitmap); nil for none.
func (n *qnode) docs(si int) (*roaring.Bitmap, error) {
	switch n.kind {
	case noneNode:
		return nil, nil
	case leafNode:
		pl := n.lists[si]
		if pl == nil {
			return nil, nil
		}
		it := pl.Iterator(false, false, false, nil)
		o, ok := it.(segment.OptimizablePostingsIterator)
		if !ok {
			return nil, fmt.Errorf("postings of %s:%s give no bitmap", n.field, n.term)
		}
		if d, one := o.DocNum1Hit(); one {
			return roaring.BitmapOf(uint32(d)), nil
		}
		return o.ActualBitmap(), nil
	}
	bms := make([]*roaring.Bitmap, 0, len(n.kids))
	for _, k := range n.kids {
		bm, err := k.docs(si)
		if err != nil {
			return nil, err
		}
		if bm == nil || bm.IsEmpty() {
			if n.kind == allNode {
				return nil, nil
			}
			continue
		}
		bms = append(bms, bm)
	}
	switch {
	case len(bms) == 0:
		return nil, nil
	case len(bms) == 1:
		return bms[0], nil
	case n.kind == allNode:
		return roaring.FastAnd(bms...), nil
	}
	return roaring.FastOr(bms...), nil
}

// globalDocs returns the documents n matches in the snapshot, numbered
// as the snapshot numbers them.
func (n *qnode) globalDocs(snap *scorch.IndexSnapshot) (*roaring.Bitmap, error) {
	out := roaring.New()
	var running uint64
	for si, ss := range snap.Segments() {
		off := running
		running += ss.Segment().Count()
		if off > math.MaxUint32 || running > math.MaxUint32 {
			return nil, fmt.Errorf("document numbers past %d do not fit a bitmap", uint64(math.MaxUint32))
		}
		local, err := n.docs(si)
		if err != nil {
			return nil, err
		}
		if local != nil && !local.IsEmpty() {
			out.Or(roaring.AddOffset(local, uint32(off)))
		}
	}
	return out, nil
}

// treeBufs are one scoring's buffers, pooled: a segment-sized index from
// document to candidate and per-level score and count arrays.
type treeBufs struct {
	idx    []int32 // candidate index + 1 by local document number; zero otherwise
	scores [][]float64
	counts [][]uint16
}

var treeBufPool = sync.Pool{New: func() any { return new(treeBufs) }}

// treeScorer scores one segment's candidates.
type treeScorer struct {
	ctx   context.Context
	si    int
	cands []uint64 // local document numbers, ascending
	bufs  *treeBufs
	idxOK bool
	steps uint64
}

// level returns the zeroed arrays of depth d.
func (t *treeScorer) level(d int) ([]float64, []uint16) {
	b := t.bufs
	for len(b.scores) <= d {
		b.scores = append(b.scores, nil)
		b.counts = append(b.counts, nil)
	}
	n := len(t.cands)
	if cap(b.scores[d]) < n {
		b.scores[d] = make([]float64, n)
		b.counts[d] = make([]uint16, n)
	}
	s, c := b.scores[d][:n], b.counts[d][:n]
	clear(s)
	clear(c)
	return s, c
}

// index fills idx for the segment's candidates (once per segment).
func (t *treeScorer) index(segDocs uint64) {
	if t.idxOK {
		return
	}
	b := t.bufs
	if uint64(cap(b.idx)) < segDocs {
		b.idx = make([]int32, segDocs)
	}
	b.idx = b.idx[:segDocs]
	for i, d := range t.cands {
		b.idx[d] = int32(i + 1)
	}
	t.idxOK = true
}

// unindex clears what index set.
func (t *treeScorer) unindex() {
	if t.idxOK {
		for _, d := range t.cands {
			t.bufs.idx[d] = 0
		}
		t.idxOK = false
	}
}

// eval scores n for every candidate at depth d: scores, and a non-zero
// count where n matched.
func (t *treeScorer) eval(n *qnode, d int, segDocs uint64) ([]float64, []uint16, error) {
	s, c := t.level(d)
	switch n.kind {
	case noneNode:
		return s, c, nil
	case leafNode:
		err := t.walk(n, segDocs, func(ci int, v float64) { s[ci] = v; c[ci] = 1 })
		return s, c, err
	}
	for _, k := range n.kids {
		switch k.kind {
		case noneNode:
		case leafNode:
			if err := t.walk(k, segDocs, func(ci int, v float64) { s[ci] += v; c[ci]++ }); err != nil {
				return nil, nil, err
			}
		default:
			ks, kc, err := t.eval(k, d+1, segDocs)
			if err != nil {
				return nil, nil, err
			}
			for ci, m := range kc {
				if m != 0 {
					s[ci] += ks[ci]
					c[ci]++
				}
			}
		}
	}
	total := len(n.kids)
	for ci, m := range c {
		switch {
		case m == 0:
		case n.kind == allNode:
			if int(m) != total {
				c[ci] = 0
			}
		default:
			// scorer.DisjunctionQueryScorer.
			s[ci] = s[ci] * (float64(m) / float64(total))
		}
	}
	return s, c, nil
}

// walk calls fn with each candidate having leaf n and its score: moving
// the postings to each candidate when they are few, else reading them in
// order.
func (t *treeScorer) walk(n *qnode, segDocs uint64, fn func(ci int, score float64)) error {
	pl := n.lists[t.si]
	if pl == nil {
		return nil
	}
	it := pl.Iterator(true, true, false, nil)
	score := func(freq uint64, norm float64) float64 { return termScore(freq, norm, n.idf, n.qw) }
	if uint64(len(t.cands))*8 < pl.Count() {
		// Advance returns the first posting at or after a candidate and
		// moves past it: when that posting is past the candidate, it is
		// kept for the candidates that follow.
		var pend struct {
			ok   bool
			num  uint64
			freq uint64
			norm float64
		}
		for ci, d := range t.cands {
			if pend.ok && d < pend.num {
				continue
			}
			if !pend.ok || d > pend.num {
				if t.steps++; t.steps&4095 == 0 {
					if err := t.ctx.Err(); err != nil {
						return err
					}
				}
				p, err := it.Advance(d)
				if err != nil {
					return err
				}
				if p == nil {
					return nil
				}
				pend.ok, pend.num, pend.freq, pend.norm = true, p.Number(), p.Frequency(), normOf(p)
			}
			if pend.num == d {
				fn(ci, score(pend.freq, pend.norm))
				pend.ok = false
			}
		}
		return nil
	}
	t.index(segDocs)
	idx := t.bufs.idx
	p, err := it.Next()
	for ; err == nil && p != nil; p, err = it.Next() {
		if t.steps++; t.steps&4095 == 0 {
			if err := t.ctx.Err(); err != nil {
				return err
			}
		}
		if ci := idx[p.Number()]; ci > 0 {
			fn(int(ci-1), score(p.Frequency(), normOf(p)))
		}
	}
	return err
}

// score offers every document of list (global numbers, ascending) that
// top matches to rk with its score.
func (top *qnode) score(ctx context.Context, snap *scorch.IndexSnapshot, loc *locator, list []uint64, rk *ranker) error {
	bufs := treeBufPool.Get().(*treeBufs)
	defer treeBufPool.Put(bufs)
	var cands []uint64
	start := 0
	for si, ss := range snap.Segments() {
		off, segDocs := loc.offsets[si], ss.Segment().Count()
		cands = cands[:0]
		for start < len(list) && list[start] < off+segDocs {
			cands = append(cands, list[start]-off)
			start++
		}
		if len(cands) == 0 {
			continue
		}
		t := &treeScorer{ctx: ctx, si: si, cands: cands, bufs: bufs}
		s, c, err := t.eval(top, 0, segDocs)
		t.unindex()
		if err != nil {
			return err
		}
		sc := loc.cols[si]
		for ci, m := range c {
			if m != 0 {
				rk.offer(s[ci], sc, int(cands[ci]), off+cands[ci])
			}
		}
	}
	return nil
}

// termScore is scorer.TermQueryScorer.Score: a term's score in one
// document from its frequency and the field's norm, with the term's idf
// and query weight, in Bleve's order of operations.
func termScore(freq uint64, norm, idf, qw float64) float64 {
	var tf float64
	if freq < uint64(len(sqrtCache)) {
		tf = sqrtCache[freq]
	} else {
		tf = math.Sqrt(float64(freq))
	}
	s := tf * norm * idf
	if qw != 1.0 {
		s = s * qw
	}
	return s
}

// normOf is p.Norm(): zap stores a field's length and returns
// float32(1/sqrt(length)); a table of the common lengths saves the square
// root and division for every posting read.
func normOf(p segment.Posting) float64 {
	if n, ok := p.(interface{ NormUint64() uint64 }); ok {
		if l := n.NormUint64(); l < uint64(len(normTable)) {
			return normTable[l]
		}
	}
	return p.Norm()
}

// normTable is zap's norm by field length (zapx v15-v17 Posting.Norm).
var normTable = func() []float64 {
	out := make([]float64, 4096)
	for i := range out {
		out[i] = float64(float32(1.0 / math.Sqrt(float64(i))))
	}
	return out
}()

// filterTree is filters(r) as a tree of term leaves, for their documents:
// categories, brands, seller, stock and attributes are terms. ok is false
// when a filter is a range (prices, ratings): those are left to Bleve.
// nil when r has no filter.
func (x *Index) filterTree(snap *scorch.IndexSnapshot, r search.Request) (n *qnode, ok bool, err error) {
	if r.PriceMin != nil || r.PriceMax != nil || r.RatingMin != nil && *r.RatingMin > 0 {
		return nil, false, nil
	}
	b := &treeBuilder{x: x, snap: snap, segs: snap.Segments()}
	var parts []*qnode
	anyOf := func(field string, vals []string) error {
		kids := make([]*qnode, len(vals))
		for i, v := range vals {
			l, err := b.leaf(field, v, 1)
			if err != nil {
				return err
			}
			kids[i] = l
		}
		parts = append(parts, composite(anyNode, kids))
		return nil
	}
	if len(r.CategoryIDs) > 0 {
		if err := anyOf("category_ids", id.Strings(r.CategoryIDs)); err != nil {
			return nil, false, err
		}
	}
	if len(r.BrandKeys) > 0 {
		if err := anyOf("brand_key", r.BrandKeys); err != nil {
			return nil, false, err
		}
	}
	if r.SellerID != "" {
		if err := anyOf("seller_id", []string{string(r.SellerID)}); err != nil {
			return nil, false, err
		}
	}
	if r.InStock {
		// A BoolFieldQuery(true) is the term "T".
		if err := anyOf("in_stock", []string{"T"}); err != nil {
			return nil, false, err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(r.Attrs)) {
		vals := r.Attrs[name]
		terms := make([]string, len(vals))
		for i, v := range vals {
			terms[i] = AttrTerm(name, v)
		}
		if err := anyOf("attrs", terms); err != nil {
			return nil, false, err
		}
	}
	if len(parts) == 0 {
		return nil, true, nil
	}
	return composite(allNode, parts), true, nil
}
