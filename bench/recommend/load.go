package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bazaar-market/bazaar/internal/catalog/cataloggen"
	"github.com/bazaar-market/bazaar/internal/recommend"
)

// load sends a fixed mix of recommendation GETs to a bench server on this
// machine and prints latency percentiles per kind of list. It stops after
// -n requests or -max time, whichever comes first.
func load(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	base := fs.String("url", "http://127.0.0.1:8092", "bench server (loopback only)")
	n := fs.Int("n", 3600, "requests")
	conc := fs.Int("c", 2, "concurrent clients")
	maxTime := fs.Duration("max", 5*time.Minute, "stop after this long")
	warm := fs.Int("warm", 200, "requests before measuring")
	products := fs.Int("products", 1000000, "products seeded (for the long tail)")
	shoppers := fs.Int("shoppers", 500000, "shoppers seeded")
	s := fs.Uint64("seed", 1, "generator seed of the catalog")
	slow := fs.Int("slow", 0, "then time each request of the mix alone and print the N slowest")
	_ = fs.Parse(args)
	u, err := url.Parse(*base)
	if err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" && u.Hostname() != "::1") {
		return fmt.Errorf("-url must be a loopback address")
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *conc}}
	mix, err := recMix(ctx, client, *base, *products, *shoppers, *s)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *maxTime)
	defer cancel()
	run := func(total int, record bool) map[string][]time.Duration {
		var mu sync.Mutex
		lat := map[string][]time.Duration{}
		i := 0
		var wg sync.WaitGroup
		for range *conc {
			wg.Go(func() {
				for ctx.Err() == nil {
					mu.Lock()
					k := i
					i++
					mu.Unlock()
					if k >= total {
						return
					}
					req := mix[k%len(mix)]
					start := time.Now()
					if err := get(ctx, client, *base+req.path, req.token, nil); err != nil {
						if ctx.Err() == nil {
							fmt.Printf("%s %s: %v\n", req.kind, req.path, err)
						}
						continue
					}
					if record {
						d := time.Since(start)
						mu.Lock()
						lat[req.kind] = append(lat[req.kind], d)
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		return lat
	}
	run(*warm, false)
	var before, after stats
	_ = get(ctx, client, *base+"/bench/stats", "", &before)
	start := time.Now()
	lat := run(*n, true)
	took := time.Since(start)
	_ = get(ctx, client, *base+"/bench/stats", "", &after)
	var all []time.Duration
	fmt.Printf("%-22s %6s %9s %9s %9s %9s\n", "kind", "n", "p50", "p90", "p99", "max")
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range lat {
			if !yield(k) {
				return
			}
		}
	}) {
		all = append(all, lat[k]...)
		printRow(k, lat[k])
	}
	printRow("ALL", all)
	fmt.Printf("%d requests in %v with %d clients: %.0f req/s\n", len(all), took.Round(time.Millisecond), *conc, float64(len(all))/took.Seconds())
	if len(all) > 0 && after.TotalAlloc > 0 {
		fmt.Printf("server: %d garbage collections during the run, %.1f KiB allocated per request\n",
			after.NumGC-before.NumGC, float64(after.TotalAlloc-before.TotalAlloc)/float64(len(all))/1024)
	}
	if *slow > 0 {
		return slowest(ctx, client, *base, mix, *slow)
	}
	return nil
}

// stats is the part of /bench/stats the load reports.
type stats struct {
	NumGC      uint32 `json:"num_gc"`
	TotalAlloc uint64 `json:"total_alloc_bytes"`
}

// request is one GET of the mix, with the bearer token of a signed-in
// shopper if any.
type request struct{ kind, path, token string }

// recMix is the fixed mix: also bought, also viewed and similar for popular
// products (the overall and per-category trending lists) and long-tail ones
// (random products of the catalog), for you for signed-in shoppers (a
// bearer token), known guest sessions and new guests, trending overall and
// per category (a leaf or a root), and a cart of three products; 30 of each,
// shuffled, the same on every run.
func recMix(ctx context.Context, c *http.Client, base string, products, shoppers int, seed uint64) ([]request, error) {
	r := rand.New(rand.NewPCG(14, 14))
	g := cataloggen.New(cataloggen.Config{Products: products, Seed: seed})
	var cats []string
	for _, cat := range g.Categories() {
		cats = append(cats, string(cat.ID))
	}
	var popular []string
	var top recommend.List
	if err := get(ctx, c, base+"/api/v1/recommendation?kind=trending&limit=50", "", &top); err != nil {
		return nil, err
	}
	for _, it := range top.Items {
		popular = append(popular, string(it.ProductID))
	}
	for range 10 {
		var l recommend.List
		if err := get(ctx, c, base+"/api/v1/recommendation?kind=trending&limit=5&category="+cats[r.IntN(len(cats))], "", &l); err != nil {
			return nil, err
		}
		for _, it := range l.Items {
			popular = append(popular, string(it.ProductID))
		}
	}
	if len(popular) == 0 {
		return nil, fmt.Errorf("nothing is trending: seed signals first")
	}
	tail := func() string { return string(g.Product(r.IntN(products), nil, nil).Product.ID) }
	pop := func() string { return popular[r.IntN(len(popular))] }
	var out []request
	add := func(kind, path, token string) { out = append(out, request{kind, path, token}) }
	for range 30 {
		for _, k := range []string{recommend.AlsoBought, recommend.AlsoViewed, recommend.Similar} {
			add(k+"_popular", "/api/v1/product/"+pop()+"/recommendation?kind="+k, "")
			add(k+"_tail", "/api/v1/product/"+tail()+"/recommendation?kind="+k, "")
		}
		// Signed-in shoppers are every fourth one (see shopperSubject).
		u := uint32(r.IntN(shoppers/userEvery) * userEvery)
		var tok struct{ Token string }
		if err := get(ctx, c, base+"/bench/token?user="+string(shopperUser(u)), "", &tok); err != nil {
			return nil, err
		}
		add("for_you_user", "/api/v1/recommendation?kind=for_you", tok.Token)
		guest := uint32(r.IntN(shoppers))
		if guest%userEvery == 0 {
			guest++
		}
		add("for_you_session", "/api/v1/recommendation?kind=for_you&session="+shopperSession(guest), "")
		add("for_you_new_guest", fmt.Sprintf("/api/v1/recommendation?kind=for_you&session=new-guest-%06d", r.IntN(1e6)), "")
		add("trending", "/api/v1/recommendation?kind=trending", "")
		add("trending_category", "/api/v1/recommendation?kind=trending&category="+cats[r.IntN(len(cats))], "")
		add("cart_3", "/api/v1/recommendation?kind=cart&product="+strings.Join([]string{pop(), tail(), pop()}, ","), "")
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out, nil
}

// slowest times each distinct request of mix alone (best of three) and
// prints the n slowest: where to look next.
func slowest(ctx context.Context, c *http.Client, base string, mix []request, n int) error {
	type timed struct {
		request
		d time.Duration
	}
	var out []timed
	for _, r := range mix {
		best := time.Duration(1<<63 - 1)
		for range 3 {
			start := time.Now()
			if err := get(ctx, c, base+r.path, r.token, nil); err != nil {
				return fmt.Errorf("%s: %w", r.path, err)
			}
			best = min(best, time.Since(start))
		}
		out = append(out, timed{r, best})
	}
	slices.SortFunc(out, func(a, b timed) int { return int(b.d - a.d) })
	for _, t := range out[:min(n, len(out))] {
		fmt.Printf("%8.2fms  %-22s %s\n", float64(t.d.Microseconds())/1000, t.kind, t.path)
	}
	return nil
}

func printRow(kind string, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	p := func(q float64) string {
		return fmt.Sprintf("%.2fms", float64(d[min(len(d)-1, int(q*float64(len(d))))].Microseconds())/1000)
	}
	fmt.Printf("%-22s %6d %9s %9s %9s %9s\n", kind, len(d), p(0.50), p(0.90), p(0.99), p(1))
}

// get GETs u (with a bearer token if given) and decodes the body into v
// if not nil; anything but 200 is an error.
func get(ctx context.Context, c *http.Client, u, token string, v any) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	if v == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
