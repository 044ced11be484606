package recmodel

import (
	"math"
	"slices"
)

// cooc counts how often two items occur in the same shopper's recent
// history (item-to-item collaborative filtering), keeping at most 2k
// neighbours per item.
type cooc struct {
	k    int
	rows [][]neighbour // by item
	n    []float32     // by item: the shoppers' windows it was counted in
}

// neighbour is a co-occurring item and the count of the pair.
type neighbour struct {
	Item uint32
	C    float32
}

// grow makes room for n items.
func (c *cooc) grow(n int) {
	if n > len(c.rows) {
		c.rows = append(c.rows, make([][]neighbour, n-len(c.rows))...)
		c.n = append(c.n, make([]float32, n-len(c.n))...)
	}
}

// pair counts e's item with the distinct items of kind k in u's history
// that are at most window seconds older, the newest max of them. An item
// already in the window was counted there and is not counted again, so one
// shopper's repeated views add nothing.
func (c *cooc) pair(u *shopper, e Event, k Kind, window int64, max int) {
	var with [64]uint32
	others := with[:0]
	for i := len(u.hist) - 1; i >= 0; i-- {
		x := u.hist[i]
		if x.At < e.At-window {
			break
		}
		if x.Kind != k {
			continue
		}
		if x.Item == e.Item {
			return
		}
		if len(others) < max && !slices.Contains(others, x.Item) {
			others = append(others, x.Item)
		}
	}
	for _, o := range others {
		c.inc(e.Item, o, 1)
		c.inc(o, e.Item, 1)
	}
	c.n[e.Item]++
}

// unpair takes back what u's purchase of e.Item counted: a returned item
// was not bought together with the others.
func (c *cooc) unpair(u *shopper, e Event, window int64) {
	var with [64]uint32
	others := with[:0]
	bought := false
	for i := len(u.hist) - 1; i >= 0; i-- {
		x := u.hist[i]
		if x.At < e.At-window {
			break
		}
		switch {
		case x.Kind == Return && x.Item == e.Item:
			return // already taken back
		case x.Kind != Purchase:
		case x.Item == e.Item:
			bought = true
		case len(others) < cap(with) && !slices.Contains(others, x.Item):
			others = append(others, x.Item)
		}
	}
	if !bought {
		return
	}
	for _, o := range others {
		c.inc(e.Item, o, -1)
		c.inc(o, e.Item, -1)
	}
	c.n[e.Item] = max(0, c.n[e.Item]-1)
}

// inc adds d to the count of (a, b). A row longer than 2k is pruned to
// its k best, so the pairs seen once in a popular item's row make room.
func (c *cooc) inc(a, b uint32, d float32) {
	row := c.rows[a]
	for i := range row {
		if row[i].Item == b {
			row[i].C += d
			if row[i].C <= 0 {
				c.rows[a] = slices.Delete(row, i, i+1)
			}
			return
		}
	}
	if d <= 0 {
		return
	}
	if len(row) >= 2*c.k {
		slices.SortFunc(row, func(x, y neighbour) int {
			switch {
			case x.C > y.C:
				return -1
			case x.C < y.C:
				return 1
			}
			return int(x.Item) - int(y.Item)
		})
		row = row[:c.k]
	}
	if row == nil {
		row = make([]neighbour, 0, 4)
	}
	c.rows[a] = append(row, neighbour{Item: b, C: d})
}

// neighbours ranks item's co-occurring items by shrunk cosine:
// c/sqrt(n_a*n_b) * c/(c+shrink).
func (c *cooc) neighbours(item uint32, n int, shrink float64) []Scored {
	if int64(item) >= int64(len(c.rows)) || n <= 0 {
		return nil
	}
	row := c.rows[item]
	out := make([]Scored, 0, len(row))
	na := float64(c.n[item])
	for _, x := range row {
		nb := float64(c.n[x.Item])
		cnt := float64(x.C)
		if na <= 0 || nb <= 0 || cnt <= 0 {
			continue
		}
		s := cnt / math.Sqrt(na*nb) * cnt / (cnt + shrink)
		out = append(out, Scored{Item: x.Item, Score: float32(s), Because: item})
	}
	return top(out, n)
}
