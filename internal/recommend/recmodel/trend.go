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
	k        int       // the length of a category's list
	kAll     int       // the length of the overall lists, 5k
	t0       int64     // the reference time of score
	started  bool      // t0 is set
	score    []float64 // by item, forward-decayed
	pop      []float64 // by item, all-time
	all      topList   // of score, every item
	byCat    map[uint32]*topList
	popList  topList // of pop
}

// topList holds the items of the k best scores of a table, with a copy of
// their scores (so a list is scanned without touching the table); the
// scores only grow, so offering an item whose score grew keeps it exact.
type topList struct{ items []entry }

// entry is an item of a top list and its score.
type entry struct {
	Item uint32
	S    float64
}

// init sets the half-life (seconds) and the top lists' length.
func (t *trending) init(halfLife float64, k int) {
	t.halfLife, t.k, t.kAll = halfLife, k, 5*k
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
	t.all.offer(item, t.score[item], t.kAll)
	t.popList.offer(item, t.pop[item], t.kAll)
	for _, c := range cats {
		l := t.byCat[c]
		if l == nil {
			l = &topList{}
			t.byCat[c] = l
		}
		l.offer(item, t.score[item], t.k)
	}
}

// rebase moves t0 to at, scaling every score down, before the factors
// overflow; the order, and so the lists, do not change.
func (t *trending) rebase(at int64) {
	f := math.Exp2(-float64(at-t.t0) / t.halfLife)
	for i := range t.score {
		t.score[i] *= f
	}
	for _, l := range t.byCat {
		l.scale(f)
	}
	t.all.scale(f)
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
		l.offer(item, t.score[item], t.k)
	}
}

// trending answers the n best of category (NoItem for all) as of now, at
// most the kept list's length (a bounded answer: no query scans the
// catalogue).
func (t *trending) trending(category uint32, now int64, n int) []Scored {
	if n <= 0 {
		return nil
	}
	f := math.Exp2(-float64(now-t.t0) / t.halfLife)
	var items []entry
	if category == NoItem {
		items = t.all.items
	} else if l := t.byCat[category]; l != nil {
		items = l.items
	}
	out := make([]Scored, 0, n+1)
	for _, e := range items {
		out = pushBest(out, Scored{Item: e.Item, Score: float32(e.S * f), Because: NoItem}, n)
	}
	return top(out, n)
}

// popular answers the n items of most all-time weight, at most the kept
// list's length.
func (t *trending) popular(n int) []Scored {
	if n <= 0 {
		return nil
	}
	items := t.popList.items
	out := make([]Scored, 0, n+1)
	for _, e := range items {
		out = pushBest(out, Scored{Item: e.Item, Score: float32(e.S), Because: NoItem}, n)
	}
	return top(out, n)
}

// offer puts item, of score s, in the list if among the k best.
func (l *topList) offer(item uint32, s float64, k int) {
	mi := -1
	for i, e := range l.items {
		if e.Item == item {
			l.items[i].S = s
			return
		}
		if mi < 0 || e.S < l.items[mi].S {
			mi = i
		}
	}
	if len(l.items) < k {
		l.items = append(l.items, entry{Item: item, S: s})
		return
	}
	if s > l.items[mi].S {
		l.items[mi] = entry{Item: item, S: s}
	}
}

// scale multiplies the scores by f.
func (l *topList) scale(f float64) {
	for i := range l.items {
		l.items[i].S *= f
	}
}

// remove takes item out of the list.
func (l *topList) remove(item uint32) {
	for i, e := range l.items {
		if e.Item == item {
			l.items = slices.Delete(l.items, i, i+1)
			return
		}
	}
}
