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
	"github.com/bazaar-market/bazaar/internal/search"
)

// load sends a fixed mix of searches (or suggestions) to a bench server on
// this machine and prints latency percentiles per kind of query. It stops
// after -n requests or -max time, whichever comes first.
func load(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	base := fs.String("url", "http://127.0.0.1:8090", "bench server (loopback only)")
	n := fs.Int("n", 2100, "requests")
	conc := fs.Int("c", 2, "concurrent clients")
	maxTime := fs.Duration("max", 5*time.Minute, "stop after this long")
	suggest := fs.Bool("suggest", false, "load suggestions instead of searches")
	warm := fs.Int("warm", 100, "requests before measuring")
	slow := fs.Int("slow", 0, "then time each request of the mix alone and print the N slowest")
	_ = fs.Parse(args)
	u, err := url.Parse(*base)
	if err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" && u.Hostname() != "::1") {
		return fmt.Errorf("-url must be a loopback address")
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *conc}}
	var mix []request
	if *suggest {
		mix = suggestMix()
	} else if mix, err = searchMix(ctx, client, *base); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *maxTime)
	defer cancel()
	run := func(total int, record bool) map[string][]time.Duration {
		var mu sync.Mutex
		lat := map[string][]time.Duration{}
		var next sync.Mutex
		i := 0
		var wg sync.WaitGroup
		for range *conc {
			wg.Go(func() {
				for ctx.Err() == nil {
					next.Lock()
					k := i
					i++
					next.Unlock()
					if k >= total {
						return
					}
					req := mix[k%len(mix)]
					start := time.Now()
					if err := get(ctx, client, *base+req.path); err != nil {
						if ctx.Err() == nil {
							fmt.Printf("%s %s: %v\n", req.kind, req.path, err)
						}
						continue
					}
					if record {
						mu.Lock()
						lat[req.kind] = append(lat[req.kind], time.Since(start))
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		return lat
	}
	run(*warm, false)
	start := time.Now()
	lat := run(*n, true)
	took := time.Since(start)
	var all []time.Duration
	fmt.Printf("%-14s %6s %9s %9s %9s %9s\n", "kind", "n", "p50", "p95", "p99", "max")
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
	if *slow > 0 {
		return slowest(ctx, client, *base, mix, *slow)
	}
	return nil
}

// slowest times each distinct request of mix alone (best of three) and
// prints the n slowest: where to look next.
func slowest(ctx context.Context, c *http.Client, base string, mix []request, n int) error {
	type timed struct {
		request
		d time.Duration
	}
	seen := map[string]bool{}
	var out []timed
	for _, r := range mix {
		if seen[r.path] {
			continue
		}
		seen[r.path] = true
		best := time.Duration(1<<63 - 1)
		for range 3 {
			start := time.Now()
			if err := get(ctx, c, base+r.path); err != nil {
				return fmt.Errorf("%s: %w", r.path, err)
			}
			best = min(best, time.Since(start))
		}
		out = append(out, timed{r, best})
	}
	slices.SortFunc(out, func(a, b timed) int { return int(b.d - a.d) })
	for _, t := range out[:min(n, len(out))] {
		u, _ := url.QueryUnescape(t.path)
		fmt.Printf("%8.2fms  %-12s %s\n", float64(t.d.Microseconds())/1000, t.kind, u)
	}
	return nil
}

type request struct{ kind, path string }

func printRow(kind string, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	p := func(q float64) string {
		return fmt.Sprintf("%.2fms", float64(d[min(len(d)-1, int(q*float64(len(d))))].Microseconds())/1000)
	}
	fmt.Printf("%-14s %6d %9s %9s %9s %9s\n", kind, len(d), p(0.50), p(0.95), p(0.99), p(1))
}

func get(ctx context.Context, c *http.Client, u string) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

func getJSON(ctx context.Context, c *http.Client, u string, v any) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s: status %d: %s", u, resp.StatusCode, b)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// searchMix is the fixed query mix: one word, three words, a typo, facets
// on (text in a category, with its attribute facets), filters on, empty
// browse with facets, and a deep page (the 50th page of a popular query).
// Every query computes facets; the mix is the same on every run.
func searchMix(ctx context.Context, c *http.Client, base string) ([]request, error) {
	r := rand.New(rand.NewPCG(7, 7))
	var browse search.Result
	if err := getJSON(ctx, c, base+"/api/v1/search", &browse); err != nil {
		return nil, err
	}
	// Leaf-ish categories: two levels down from the roots.
	var cats []string
	for _, root := range browse.Facets.Category {
		var sub search.Result
		if err := getJSON(ctx, c, base+"/api/v1/search?category="+root.Value, &sub); err != nil {
			return nil, err
		}
		for _, s := range sub.Facets.Category {
			cats = append(cats, s.Value)
		}
	}
	if len(cats) == 0 {
		return nil, fmt.Errorf("the index is empty")
	}
	var brands []string
	for _, b := range browse.Facets.Brand {
		brands = append(brands, b.Value)
	}
	kinds := cataloggen.Kinds
	word := func() string { k := kinds[r.IntN(len(kinds))]; return strings.Fields(k.Noun)[0] }
	var out []request
	q := func(kind string, v url.Values) { out = append(out, request{kind, "/api/v1/search?" + v.Encode()}) }
	for range 30 {
		k := kinds[r.IntN(len(kinds))]
		q("one_word", url.Values{"q": {k.Noun[:strings.IndexByte(k.Noun+" ", ' ')]}})
		color := "black"
		if len(k.Attrs) > 0 && k.Attrs[0].Name == "color" {
			color = k.Attrs[0].Values[r.IntN(len(k.Attrs[0].Values))]
		}
		q("three_words", url.Values{"q": {strings.ToLower(k.Brands[r.IntN(len(k.Brands))]) + " " + color + " " + lastWord(k.Noun)}})
		q("typo", url.Values{"q": {typo(r, k.Leaf)}})
		q("facets", url.Values{"q": {word()}, "category": {cats[r.IntN(len(cats))]}})
		q("filters", url.Values{"q": {word()}, "brand": {brands[r.IntN(len(brands))]}, "price_min": {"1000"}, "price_max": {"50000"},
			"in_stock": {"true"}, "rating_min": {"3"}, "sort": {"price_asc"}})
		q("browse", url.Values{"category": {cats[r.IntN(len(cats))]}})
	}
	// Deep pages: follow the cursor 50 pages into a few broad queries.
	for _, term := range []string{"shoes", "black", "cotton"} {
		v := url.Values{"q": {term}, "limit": {"20"}}
		for range 49 {
			var page search.Result
			if err := getJSON(ctx, c, base+"/api/v1/search?"+v.Encode(), &page); err != nil {
				return nil, err
			}
			if page.NextCursor == "" {
				break
			}
			v.Set("cursor", page.NextCursor)
		}
		for range 10 {
			out = append(out, request{"deep_page", "/api/v1/search?" + v.Encode()})
		}
	}
	// Interleave kinds: the same shuffled order on every run.
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out, nil
}

func lastWord(s string) string {
	f := strings.Fields(s)
	return f[len(f)-1]
}

// typo makes one transposition or deletion in the longest word of s.
func typo(r *rand.Rand, s string) string {
	w := strings.ToLower(lastWord(s))
	if len(w) < 5 {
		return w
	}
	b := []byte(w)
	p := 1 + r.IntN(len(b)-2)
	if r.IntN(2) == 0 {
		b[p], b[p+1] = b[p+1], b[p]
	} else {
		b = append(b[:p], b[p+1:]...)
	}
	return string(b)
}

// suggestMix types words one letter at a time, as a search box does.
func suggestMix() []request {
	var out []request
	words := []string{}
	for _, k := range cataloggen.Kinds {
		words = append(words, k.Noun, strings.ToLower(k.Brands[0])+" "+lastWord(k.Noun))
	}
	for _, w := range words {
		for i := 1; i <= len(w); i++ {
			out = append(out, request{fmt.Sprintf("suggest_%d", min(i, 6)), "/api/v1/search/suggest?" + url.Values{"q": {w[:i]}}.Encode()})
		}
	}
	return out
}
