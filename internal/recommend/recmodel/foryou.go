package recmodel

import "slices"

// The shape of ForYou's candidate generation.
const (
	seedsMax          = 12   // history and session items used as seeds
	perSeed           = 20   // co-occurring neighbours taken per seed
	similarSeeds      = 2    // the newest seeds also give similar items,
	perSimilarSeed    = 10   // this many,
	similarBudget     = 2000 // scanning at most this many postings
	favCategories     = 2    // favourite leaf categories whose trending join,
	favWeight         = 0.3  // weighed this much,
	overallCandidates = 50   // and the best of trending overall,
	overallWeight     = 0.1  // weighed this much
	seedDecay         = 0.25 // the seed of rank r weighs 1/(1+seedDecay*r)
	factorWeight      = 1    // the factor dot product's weight against the candidate score
)

// ForYou returns up to n items for user, mixed with session (the items of
// the shopper's latest views, newest first, which may not be in its history
// yet), as of now. A shopper with no history gets trending.
//
// It never scores the whole catalogue: the candidates are the neighbours
// (bought and viewed with) and the similar items of the seeds (session
// first, then the history, newest first, each weighed down by its rank),
// and the trending items of the seeds' favourite categories. A candidate's
// score is its best seed's weighed score, plus the factors' predicted
// preference when the user and the item were trained; Because is that seed.
// Items of the history and the session are never proposed; when too few
// candidates remain, trending fills the list.
func (m *Model) ForYou(user uint32, session []uint32, now int64, n int) []Scored {
	if n <= 0 {
		return nil
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var seeds []uint32
	exclude := map[uint32]bool{}
	for _, s := range session {
		if !exclude[s] {
			exclude[s] = true
			seeds = append(seeds, s)
		}
	}
	if int(user) < len(m.users) && m.users[user] != nil {
		h := m.users[user].hist
		neg := map[uint32]bool{}
		for _, w := range m.users[user].w {
			if w.W < 0 {
				neg[w.Item] = true
			}
		}
		for i := len(h) - 1; i >= 0; i-- {
			it := h[i].Item
			if exclude[it] {
				continue
			}
			exclude[it] = true
			if !neg[it] && weight(Event{Kind: h[i].Kind, Value: h[i].Value}) > 0 {
				seeds = append(seeds, it)
			}
		}
	}
	if len(seeds) > seedsMax {
		seeds = seeds[:seedsMax]
	}
	best := map[uint32]Scored{}
	offer := func(c Scored, f float32) {
		if exclude[c.Item] || c.Item == NoItem {
			return
		}
		c.Score *= f
		if b, ok := best[c.Item]; !ok || c.Score > b.Score {
			best[c.Item] = c
		}
	}
	cats := map[uint32]float32{}
	for rank, s := range seeds {
		f := float32(1 / (1 + seedDecay*float64(rank)))
		for _, c := range m.bought.neighbours(s, perSeed, m.opts.Shrink) {
			offer(c, f)
		}
		for _, c := range m.viewed.neighbours(s, perSeed, m.opts.Shrink) {
			offer(c, 0.8*f)
		}
		if rank < similarSeeds {
			for _, c := range m.content.similar(s, perSimilarSeed, similarBudget) {
				offer(c, 0.5*f)
			}
		}
		if int(s) < len(m.products) && m.products[s] != nil && len(m.products[s].Categories) > 0 {
			cats[m.products[s].Categories[len(m.products[s].Categories)-1]] += f
		}
	}
	favs := make([]uint32, 0, len(cats))
	for c := range cats {
		favs = append(favs, c)
	}
	slices.SortFunc(favs, func(a, b uint32) int {
		if cats[a] != cats[b] {
			if cats[a] > cats[b] {
				return -1
			}
			return 1
		}
		return int(a) - int(b)
	})
	if len(favs) > favCategories {
		favs = favs[:favCategories]
	}
	if len(seeds) > 0 {
		favs = append(favs, NoItem) // and trending overall
	}
	for _, c := range favs {
		w, k := float32(favWeight), perSeed
		if c == NoItem {
			w, k = overallWeight, overallCandidates
		}
		hot := m.trend.trending(c, now, k)
		if len(hot) > 0 && hot[0].Score > 0 {
			for _, t := range hot {
				t.Score /= hot[0].Score // the list's best scores 1
				offer(t, w)
			}
		}
	}
	xu := m.fac.user(user)
	if xu == nil && int(user) < len(m.users) && m.users[user] != nil {
		xu = m.fac.foldIn(m.users[user].w, m.opts.Alpha, m.opts.Lambda)
	}
	if xu != nil {
		for it, c := range best {
			c.Score += factorWeight * m.fac.score(xu, it)
			best[it] = c
		}
	}
	out := make([]Scored, 0, len(best))
	for _, c := range best {
		out = append(out, c)
	}
	out = top(out, n)
	if len(out) < n {
		for _, t := range m.trend.trending(NoItem, now, n+len(exclude)+len(out)) {
			if len(out) == n {
				break
			}
			if _, ok := best[t.Item]; ok || exclude[t.Item] {
				continue
			}
			out = append(out, Scored{Item: t.Item, Score: 0, Because: NoItem})
		}
	}
	return out
}
