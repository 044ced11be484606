package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/search"
)

// live measures how long a new product takes to become searchable: it
// creates products through the bench server (catalog service -> outbox ->
// relay -> search) and polls the search API. -n products, each given at
// most 10 s.
func live(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("live", flag.ExitOnError)
	base := fs.String("url", "http://127.0.0.1:8090", "bench server (loopback only)")
	n := fs.Int("n", 20, "products to create")
	_ = fs.Parse(args)
	u, err := url.Parse(*base)
	if err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost") {
		return fmt.Errorf("-url must be a loopback address")
	}
	c := &http.Client{Timeout: 30 * time.Second}
	var lat []time.Duration
	for i := range *n {
		word := fmt.Sprintf("zq%dx%d", time.Now().UnixNano()%1_000_000, i)
		start := time.Now()
		resp, err := c.Post(*base+"/bench/product?"+url.Values{"title": {"Livecheck " + word}}.Encode(), "application/json", strings.NewReader("{}"))
		if err != nil {
			return err
		}
		var created map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&created)
		resp.Body.Close()
		if resp.StatusCode != 201 {
			return fmt.Errorf("create product: status %d", resp.StatusCode)
		}
		for {
			var r search.Result
			if err := getJSON(ctx, c, *base+"/api/v1/search?q="+word, &r); err != nil {
				return err
			}
			if r.Total > 0 {
				lat = append(lat, time.Since(start))
				break
			}
			if time.Since(start) > 10*time.Second {
				return fmt.Errorf("product %s not searchable after 10 s", created["id"])
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	slices.Sort(lat)
	fmt.Printf("live updates: %d products, commit to searchable p50 %v, max %v\n", len(lat), lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
	return nil
}
