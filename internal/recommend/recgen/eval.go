package recgen

import (
	"context"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bazaar-market/bazaar/internal/recommend/recmodel"
)

// Models are the models the evaluation measures, in the order it reports
// them.
var Models = []string{"popularity", "trending", "also_bought", "also_viewed", "similar", "for_you"}

// EvalOptions tunes Evaluate.
type EvalOptions struct {
	// Model tunes the model measured.
	Model recmodel.Options
	// Users caps how many held-out shoppers are asked (spread evenly over
	// them); 0 for 10,000, negative for all.
	Users int
	// Seeds is how many of a shopper's latest items seed the item-to-item
	// models (also_bought, also_viewed, similar); 0 for 5.
	Seeds int
	// Workers ask the models in parallel; 0 for the generator's.
	Workers int
	// Progress gets a line now and then on long runs (nil for none).
	Progress io.Writer
}

// Result is one model's scores.
type Result struct {
	Model    string
	Recall   float64       // recall@20: the share of what the shopper went on to buy or cart found in the top 20
	NDCG     float64       // NDCG@10, binary relevance
	Coverage float64       // distinct items recommended (top 20) / catalogue
	Query    time.Duration // average time to ask the model for one shopper
}

// Report is an evaluation's outcome.
type Report struct {
	Products, Shoppers         int
	Weeks, HeldOut             int
	Seed                       uint64
	TrainEvents, HeldOutEvents int    // events fed to the model, events held out
	Users                      int    // held-out shoppers asked
	Heap                       uint64 // live heap after training: the model, the catalogue and the evaluation's own
	Generate, Feed, Train      time.Duration
	Evaluate                   time.Duration
	Results                    []Result
}

// Result returns the result of model name.
func (r Report) Result(name string) Result {
	for _, x := range r.Results {
		if x.Model == name {
			return x
		}
	}
	return Result{Model: name}
}

const k20, k10 = 20, 10

// Evaluate feeds the training weeks to a new model, trains it, and asks
// every model for the top 20 of the held-out shoppers who have a training
// history and went on to buy or cart something they had not bought before;
// what they already bought in training is left out of the lists (as the
// service does).
func Evaluate(ctx context.Context, g *Generator, opts EvalOptions) (Report, error) {
	if opts.Users == 0 {
		opts.Users = 10_000
	}
	if opts.Seeds == 0 {
		opts.Seeds = 5
	}
	if opts.Workers <= 0 {
		opts.Workers = g.cfg.Workers
	}
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	cfg := g.Config()
	rep := Report{Products: len(cfg.Products), Shoppers: cfg.Shoppers, Weeks: cfg.Weeks, HeldOut: cfg.HeldOut, Seed: cfg.Seed}

	m := recmodel.New(opts.Model)
	for i := range cfg.Products {
		m.SetProduct(g.ModelProduct(i))
	}
	trainWeeks := cfg.Weeks - cfg.HeldOut
	active := make([]bool, cfg.Shoppers)
	bought := map[uint32][]uint32{} // in training
	relevant := map[uint32][]uint32{}
	for w := range cfg.Weeks {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		t0 := time.Now()
		evs := g.Week(w)
		rep.Generate += time.Since(t0)
		t0 = time.Now()
		for _, e := range evs {
			if w < trainWeeks {
				m.Add(e)
				active[e.User] = true
				if e.Kind == recmodel.Purchase {
					bought[e.User] = append(bought[e.User], e.Item)
				}
				rep.TrainEvents++
				continue
			}
			rep.HeldOutEvents++
			if (e.Kind == recmodel.Purchase || e.Kind == recmodel.Cart) && !slices.Contains(relevant[e.User], e.Item) {
				relevant[e.User] = append(relevant[e.User], e.Item)
			}
		}
		rep.Feed += time.Since(t0)
		fmt.Fprintf(progress, "recommend eval: week %d/%d, %d events (%s)\n", w+1, cfg.Weeks, len(evs), map[bool]string{true: "training", false: "held out"}[w < trainWeeks])
	}
	t0 := time.Now()
	if err := m.Train(ctx); err != nil {
		return rep, fmt.Errorf("train: %w", err)
	}
	rep.Train = time.Since(t0)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rep.Heap = ms.HeapAlloc
	fmt.Fprintf(progress, "recommend eval: trained in %v; live heap %d MB\n", rep.Train.Round(time.Millisecond), rep.Heap>>20)

	// The shoppers asked: active in training, with something new held out.
	var users []uint32
	for u, items := range relevant {
		items = slices.DeleteFunc(items, func(it uint32) bool { return slices.Contains(bought[u], it) })
		relevant[u] = items
		if active[u] && len(items) > 0 {
			users = append(users, u)
		}
	}
	slices.Sort(users)
	if opts.Users > 0 && len(users) > opts.Users {
		picked := make([]uint32, opts.Users)
		for i := range picked {
			picked[i] = users[i*len(users)/opts.Users]
		}
		users = picked
	}
	rep.Users = len(users)

	split := g.Split()
	maxBought := 0
	for _, b := range bought {
		maxBought = max(maxBought, len(b))
	}
	popular := m.Popular(k20 + maxBought)
	trending := m.Trending(recmodel.NoItem, split, k20+maxBought)
	ask := map[string]func(u uint32, seeds []uint32, n int) []recmodel.Scored{
		"popularity": func(uint32, []uint32, int) []recmodel.Scored { return popular },
		"trending":   func(uint32, []uint32, int) []recmodel.Scored { return trending },
		"also_bought": func(_ uint32, seeds []uint32, n int) []recmodel.Scored {
			return merge(seeds, n, m.AlsoBought)
		},
		"also_viewed": func(_ uint32, seeds []uint32, n int) []recmodel.Scored {
			return merge(seeds, n, m.AlsoViewed)
		},
		"similar": func(_ uint32, seeds []uint32, n int) []recmodel.Scored {
			return merge(seeds, n, m.Similar)
		},
		"for_you": func(u uint32, _ []uint32, n int) []recmodel.Scored { return m.ForYou(u, nil, split, n) },
	}

	type acc struct {
		recall, ndcg float64
		took         time.Duration
		seen         map[uint32]struct{}
	}
	accs := make([][]acc, opts.Workers) // per worker, per model
	var done atomic.Int64
	t0 = time.Now()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(10 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				n := done.Load()
				fmt.Fprintf(progress, "recommend eval: shoppers %d/%d (%.0f%%), %.0f/s\n", n, len(users), 100*float64(n)/float64(max(len(users), 1)), float64(n)/time.Since(t0).Seconds())
			}
		}
	})
	parallel(opts.Workers, opts.Workers, func(lo, hi int) {
		for wk := lo; wk < hi; wk++ {
			a := make([]acc, len(Models))
			for i := range a {
				a[i].seen = map[uint32]struct{}{}
			}
			accs[wk] = a
			for i := wk; i < len(users); i += opts.Workers {
				if ctx.Err() != nil {
					return
				}
				u := users[i]
				var seeds []uint32
				for _, e := range m.History(u) {
					if e.Kind != recmodel.Return && (e.Kind != recmodel.Rate || e.Value > 3) {
						seeds = append(seeds, e.Item)
						if len(seeds) == opts.Seeds {
							break
						}
					}
				}
				for mi, name := range Models {
					q := time.Now()
					list := ask[name](u, seeds, k20+len(bought[u]))
					a[mi].took += time.Since(q)
					top := topExcluding(list, bought[u], k20)
					r, n := score(top, relevant[u])
					a[mi].recall += r
					a[mi].ndcg += n
					for _, it := range top {
						a[mi].seen[it] = struct{}{}
					}
				}
				done.Add(1)
			}
		}
	})
	close(stop)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	rep.Evaluate = time.Since(t0)
	for mi, name := range Models {
		res := Result{Model: name}
		seen := map[uint32]struct{}{}
		for _, a := range accs {
			if a == nil {
				continue
			}
			res.Recall += a[mi].recall
			res.NDCG += a[mi].ndcg
			res.Query += a[mi].took
			for it := range a[mi].seen {
				seen[it] = struct{}{}
			}
		}
		if rep.Users > 0 {
			res.Recall /= float64(rep.Users)
			res.NDCG /= float64(rep.Users)
			res.Query /= time.Duration(rep.Users)
		}
		res.Coverage = float64(len(seen)) / float64(max(rep.Products, 1))
		rep.Results = append(rep.Results, res)
	}
	return rep, nil
}

// merge asks f about each seed (newest first) and adds up the scores, each
// seed counting less the older it is.
func merge(seeds []uint32, n int, f func(item uint32, n int) []recmodel.Scored) []recmodel.Scored {
	sum := map[uint32]float32{}
	for rank, s := range seeds {
		decay := float32(1 / (1 + 0.3*float64(rank)))
		for _, c := range f(s, n) {
			sum[c.Item] += c.Score * decay
		}
	}
	out := make([]recmodel.Scored, 0, len(sum))
	for it, s := range sum {
		out = append(out, recmodel.Scored{Item: it, Score: s, Because: recmodel.NoItem})
	}
	slices.SortFunc(out, func(a, b recmodel.Scored) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return int(a.Item) - int(b.Item)
	})
	return out[:min(len(out), n)]
}

// topExcluding keeps the first n items of list not in exclude.
func topExcluding(list []recmodel.Scored, exclude []uint32, n int) []uint32 {
	out := make([]uint32, 0, n)
	for _, s := range list {
		if len(out) == n {
			break
		}
		if !slices.Contains(exclude, s.Item) && !slices.Contains(out, s.Item) {
			out = append(out, s.Item)
		}
	}
	return out
}

// score is recall@20 and NDCG@10 of top against the relevant items.
func score(top, relevant []uint32) (recall, ndcg float64) {
	hits := 0
	var dcg, idcg float64
	for i, it := range top {
		if slices.Contains(relevant, it) {
			hits++
			if i < k10 {
				dcg += 1 / math.Log2(float64(i+2))
			}
		}
	}
	for i := range min(len(relevant), k10) {
		idcg += 1 / math.Log2(float64(i+2))
	}
	return float64(hits) / float64(len(relevant)), dcg / idcg
}

// Markdown writes the report: what was measured, then a table with a row
// per model.
func (r Report) Markdown(w io.Writer) error {
	var err error
	p := func(format string, args ...any) {
		if err == nil {
			_, err = fmt.Fprintf(w, format, args...)
		}
	}
	p("%d products, %d shoppers, %d weeks (the last %d held out), seed %d: %d training events, %d held-out events; %d held-out shoppers asked.\n",
		r.Products, r.Shoppers, r.Weeks, r.HeldOut, r.Seed, r.TrainEvents, r.HeldOutEvents, r.Users)
	p("Generated in %v, fed to the model in %v, trained in %v (live heap then %d MB), asked in %v.\n\n",
		r.Generate.Round(time.Millisecond), r.Feed.Round(time.Millisecond), r.Train.Round(time.Millisecond), r.Heap>>20, r.Evaluate.Round(time.Millisecond))
	p("| model | recall@20 | ndcg@10 | coverage | ms/shopper |\n| --- | ---: | ---: | ---: | ---: |\n")
	for _, x := range r.Results {
		p("| %s | %.4f | %.4f | %.5f | %.3f |\n", x.Model, x.Recall, x.NDCG, x.Coverage, float64(x.Query.Microseconds())/1000)
	}
	return err
}
