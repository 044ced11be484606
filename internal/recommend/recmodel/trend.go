package recmodel

import (
	"math"
	"slices"
)

// trending keeps time-decayed and all-time popularity. A decayed score is
// stored "forward": an event of weight w at time t adds w*2^((t-t0)/h), so
// every score decays by the same factor and their order never changes with
// the clock; scores only grow, so a top list per category, updated on each
// event, stays exact without rescans.
type trending struct {
	halfLife float64
	k        int
	t0       int64     // the reference time of score
	started  bool      // t0 is set
	score    []float64 // by item, forward-decayed
	pop      []float64 // by item, all-time
	all      topList   // of score, every item
	byCat    map[uint32]*topList
	popList  topList // of pop
}

// topList holds the items of the k best scores of a table; the scores only
// grow, so offering an item whose score grew keeps it exact.
type topList struct{ items []uint32 }

// init sets the half-life (seconds) and the top lists' length.
func (t *trending) init(halfLife float64, k int) {
	t.halfLife, t.k = halfLife, k
	t.byCat = map[uint32]*topList{}
}

// grow makes room for n items.
func (t *trending) grow(n int) {
	if n > len(t.score) {
		t.score = append(t.score, make([]float64, n-len(t.score))...)
		t.pop = append(t.pop, make([]float64, n-len(t.pop))...)
	}
}

// add counts weight w (> 0) for item, in categories cats, at time at.
func (t *trending) add(item uint32, cats []uint32, w float64, at int64) {
	if !t.started {
		t.t0, t.started = at, true
	}
	x := float64(at-t.t0) / t.halfLife
	if x > 512 {
		t.rebase(at)
		x = 0
	}
	t.score[item] += w * math.Exp2(x)
	t.pop[item] += w
	t.all.offer(item, t.score, t.k)
	t.popList.offer(item, t.pop, t.k)
	for _, c := range cats {
		l := t.byCat[c]
		if l == nil {
			l = &topList{}
			t.byCat[c] = l
		}
		l.offer(item, t.score, t.k)
	}
}

// rebase moves t0 to at, scaling every score down, before the factors
// overflow; the order, and so the lists, do not change.
func (t *trending) rebase(at int64) {
	f := math.Exp2(-float64(at-t.t0) / t.halfLife)
	for i := range t.score {
		t.score[i] *= f
	}
	t.t0 = at
}

// recategorise moves item from the lists of old categories to those of cats.
func (t *trending) recategorise(item uint32, old, cats []uint32) {
	for _, c := range old {
		if l := t.byCat[c]; l != nil && !slices.Contains(cats, c) {
			l.remove(item)
		}
	}
	if t.score[item] <= 0 {
		return
	}
	for _, c := range cats {
		l := t.byCat[c]
		if l == nil {
			l = &topList{}
			t.byCat[c] = l
		}
		l.offer(item, t.score, t.k)
	}
}

// trending answers the n best of category (NoItem for all) as of now.
// Beyond the kept list's length it scans every item.
func (t *trending) trending(category uint32, now int64, n int, products []*Product) []Scored {
	if n <= 0 {
		return nil
	}
	f := math.Exp2(-float64(now-t.t0) / t.halfLife)
	var items []uint32
	switch l := t.byCat[category]; {
	case n > t.k:
		for i, s := range t.score {
			if s > 0 && (category == NoItem || i < len(products) && products[i] != nil && slices.Contains(products[i].Categories, category)) {
				items = append(items, uint32(i))
			}
		}
	case category == NoItem:
		items = t.all.items
	case l != nil:
		items = l.items
	}
	out := make([]Scored, 0, len(items))
	for _, it := range items {
		out = append(out, Scored{Item: it, Score: float32(t.score[it] * f), Because: NoItem})
	}
	return top(out, n)
}

// popular answers the n items of most all-time weight.
func (t *trending) popular(n int) []Scored {
	if n <= 0 {
		return nil
	}
	items := t.popList.items
	if n > t.k {
		items = nil
		for i, s := range t.pop {
			if s > 0 {
				items = append(items, uint32(i))
			}
		}
	}
	out := make([]Scored, 0, len(items))
	for _, it := range items {
		out = append(out, Scored{Item: it, Score: float32(t.pop[it]), Because: NoItem})
	}
	return top(out, n)
}

// offer puts item in the list if its score is among the k best.
func (l *topList) offer(item uint32, score []float64, k int) {
	mi, ms := -1, 0.0
	for i, it := range l.items {
		if it == item {
			return
		}
		if s := score[it]; mi < 0 || s < ms {
			mi, ms = i, s
		}
	}
	if len(l.items) < k {
		l.items = append(l.items, item)
		return
	}
	if score[item] > ms {
		l.items[mi] = item
	}
}

// remove takes item out of the list.
func (l *topList) remove(item uint32) {
	if i := slices.Index(l.items, item); i >= 0 {
		l.items = slices.Delete(l.items, i, i+1)
	}
}
