package searchbleve

import (
	"context"
	"math"

	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"github.com/bazaar-market/bazaar/internal/search"
)

// One word, ranked: the commonest query ("shoes", "black") and the most
// expensive, since every match is scored (200,000 at a million products).
// Bleve scores it through a disjunction of two term searchers (the stem in
// the title and in the text), about 270 ns a document with the facets.
// oneWord reads the posting lists of each segment directly, merges them
// and computes Bleve's tf-idf score itself, the same arithmetic in the same
// order (TestOneWordScoresMatchBleve), at about a third of the cost.

// oneWordTerm is one word of a one-word query (the word typed, or a
// one-word synonym) as termQuery matches it: its stem in the title and in
// the text, with its weight.
type oneWordTerm struct {
	stem   string
	weight float64 // 1 for the word typed, boostSynonym for a synonym
}

// oneWordTerms returns the words to search when r is one plain word ranked
// by relevance with no filter, with at most one one-word synonym: none a
// stop word, each a word of the index or without typo and prefix
// expansions. ok is false otherwise. (Two alternatives at most: Bleve adds
// more in an order this code cannot know, and floating-point sums depend
// on it.)
func (x *Index) oneWordTerms(r search.Request, v vocab) (terms []oneWordTerm, ok bool) {
	if len(r.Plan.Clauses) != 1 || len(r.Plan.Clauses[0].Alternatives) > 2 {
		return nil, false
	}
	for ai, alt := range r.Plan.Clauses[0].Alternatives {
		stem, stop, ok := x.plainWord(alt, v)
		if !ok || stop {
			return nil, false
		}
		w := 1.0
		if ai > 0 {
			w = boostSynonym
		}
		terms = append(terms, oneWordTerm{stem: stem, weight: w})
	}
	return terms, len(terms) > 0
}

// oneWord scores, counts and ranks the documents having any of the terms
// in the title or the text field, as the query termQuery and clauseQuery
// build for them would: per term, a disjunction of the title and the text
// term searchers; over two terms, a disjunction of those.
func (x *Index) oneWord(ctx context.Context, snap *scorch.IndexSnapshot, cols []*segCols, offsets []uint64, terms []oneWordTerm, cnt *counter, rk *ranker) (uint64, error) {
	docTotal, err := snap.DocCount()
	if err != nil {
		return 0, err
	}
	segs := snap.Segments()
	// leaf is one term searcher: a term's stem in one field.
	type leaf struct {
		term  int
		field string
		boost float64
		lists []segment.PostingsList
		idf   float64
		qw    float64 // query weight
	}
	var leaves []leaf
	for ti, t := range terms {
		for _, f := range []struct {
			name  string
			boost float64
		}{{"title", boostTitle}, {"text", boostText}} {
			l := leaf{term: ti, field: f.name, boost: f.boost * t.weight, lists: make([]segment.PostingsList, len(segs))}
			var docTerm uint64
			for i, ss := range segs {
				pl, err := postingsOf(ss, f.name, t.stem)
				if err != nil {
					return 0, err
				}
				l.lists[i] = pl
				if pl != nil {
					docTerm += pl.Count()
				}
			}
			// scorer.TermQueryScorer: tf-idf.
			l.idf = 1.0 + math.Log(float64(docTotal)/float64(docTerm+1.0))
			leaves = append(leaves, l)
		}
	}
	// The query norm: the root's sum of its children's weights, each a
	// sum of its leaves' (boost x idf)^2, grouped as Bleve groups them.
	var sumSq float64
	for ti := range terms {
		var w float64
		for _, l := range leaves {
			if l.term == ti {
				lw := l.boost * l.idf
				w += lw * lw
			}
		}
		sumSq += w
	}
	queryNorm := 1.0 / math.Sqrt(sumSq)
	for i := range leaves {
		leaves[i].qw = leaves[i].boost * leaves[i].idf * queryNorm
	}
	leafScore := func(l *leaf, freq uint64, norm float64) float64 { return termScore(freq, norm, l.idf, l.qw) }

	// cur is a leaf's current posting, read before moving on (an iterator
	// reuses its Posting).
	type cur struct {
		ok   bool
		num  uint64
		freq uint64
		norm float64
	}
	c := make([]cur, len(leaves))
	its := make([]segment.PostingsIterator, len(leaves))
	next := func(i int) error {
		c[i].ok = false
		if its[i] == nil {
			return nil
		}
		p, err := its[i].Next()
		if err != nil || p == nil {
			return err
		}
		c[i] = cur{ok: true, num: p.Number(), freq: p.Frequency(), norm: normOf(p)}
		return nil
	}
	var total uint64
	for si := range segs {
		for i := range leaves {
			its[i] = nil
			if pl := leaves[i].lists[si]; pl != nil {
				its[i] = pl.Iterator(true, true, false, nil)
			}
			if err := next(i); err != nil {
				return 0, err
			}
		}
		sc, off := cols[si], offsets[si]
		for {
			num, any := uint64(0), false
			for i := range c {
				if c[i].ok && (!any || c[i].num < num) {
					num, any = c[i].num, true
				}
			}
			if !any {
				break
			}
			if total&4095 == 0 {
				if err := ctx.Err(); err != nil {
					return 0, err
				}
			}
			// scorer.DisjunctionQueryScorer at each level: the sum of what
			// matched, times the share of the disjuncts that matched.
			var score float64
			matchedTerms := 0
			for ti := range terms {
				var sum float64
				fields := 0
				for i := range leaves {
					if leaves[i].term == ti && c[i].ok && c[i].num == num {
						sum += leafScore(&leaves[i], c[i].freq, c[i].norm)
						fields++
					}
				}
				if fields > 0 {
					score += sum * (float64(fields) / 2.0)
					matchedTerms++
				}
			}
			if len(terms) > 1 {
				score = score * (float64(matchedTerms) / float64(len(terms)))
			}
			for i := range c {
				if c[i].ok && c[i].num == num {
					if err := next(i); err != nil {
						return 0, err
					}
				}
			}
			total++
			li := int(num)
			if cnt != nil {
				cnt.add(sc, li)
			}
			if rk != nil {
				rk.offer(score, sc, li, off+num)
			}
		}
	}
	return total, nil
}

// sqrtCache is scorer.SqrtCache: square roots of small term frequencies.
var sqrtCache = func() []float64 {
	out := make([]float64, 64)
	for i := range out {
		out[i] = math.Sqrt(float64(i))
	}
	return out
}()

// plainWord reports whether an alternative is one plain word as termQuery
// matches it: a word of the index or one without typo and prefix
// expansions. It returns the word itself for a stop word (matched exactly
// in the words field), else its one stem (matched in title and text).
func (x *Index) plainWord(alt []search.Term, v vocab) (stem string, stop, ok bool) {
	if len(alt) != 1 || v.known == nil {
		return "", false, false
	}
	t := alt[0]
	if (t.Fuzziness > 0 || t.Prefix) && !v.known(t.Word) {
		return "", false, false
	}
	if v.stop(t.Word) {
		return t.Word, true, true
	}
	a := x.bi.Mapping().AnalyzerNamed(en.AnalyzerName)
	if a == nil {
		return "", false, false
	}
	tokens := a.Analyze([]byte(t.Word))
	if len(tokens) != 1 {
		return "", false, false
	}
	return string(tokens[0].Term), false, true
}

// postingsOf returns the postings of term in field of one segment, without
// its deleted documents; nil when the segment has no such field.
func postingsOf(ss *scorch.SegmentSnapshot, field, term string) (segment.PostingsList, error) {
	dict, err := ss.Segment().Dictionary(field)
	if err != nil || dict == nil {
		return nil, err
	}
	return dict.PostingsList([]byte(term), ss.Deleted(), nil)
}
