package ratelimit

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// backend builds the limits under test over a clock.
type backend struct {
	name    string
	buckets func(now func() time.Time) Buckets
	window  func(rule Rule, now func() time.Time) Limiter
	backoff func(rule Backoff, now func() time.Time) Limiter
}

// backends are in memory, on miniredis, and on the real Redis at
// BAZAAR_TEST_REDIS_URL (skipped when unset, a failure under CI=true).
// Every test gets its own key prefix, so tests sharing one Redis do not
// disturb each other.
func backends(t *testing.T) []backend {
	t.Helper()
	bs := []backend{{
		name:    "memory",
		buckets: func(now func() time.Time) Buckets { return NewMemoryBuckets(now) },
		window:  func(rule Rule, now func() time.Time) Limiter { return NewMemory(rule, now) },
		backoff: func(rule Backoff, now func() time.Time) Limiter { return NewMemoryBackoff(rule, now) },
	}}
	mr := miniredis.RunT(t)
	bs = append(bs, redisBackend(t, "miniredis", redis.NewClient(&redis.Options{Addr: mr.Addr()})))
	if url := os.Getenv("BAZAAR_TEST_REDIS_URL"); url != "" {
		c, err := OpenRedis(context.Background(), url)
		if err != nil {
			t.Fatalf("BAZAAR_TEST_REDIS_URL: %v", err)
		}
		bs = append(bs, redisBackend(t, "redis", c))
	} else if os.Getenv("CI") == "true" {
		t.Fatal("BAZAAR_TEST_REDIS_URL is not set; CI must test against a real Redis")
	} else {
		t.Log("BAZAAR_TEST_REDIS_URL not set: not testing against a real Redis")
	}
	return bs
}

func redisBackend(t *testing.T, name string, c *redis.Client) backend {
	t.Cleanup(func() { c.Close() })
	n := 0
	prefix := func() string {
		n++
		return fmt.Sprintf("test:%s:%d:%d:", t.Name(), time.Now().UnixNano(), n)
	}
	return backend{
		name:    name,
		buckets: func(now func() time.Time) Buckets { return NewRedis(c, prefix(), now).Buckets() },
		window:  func(rule Rule, now func() time.Time) Limiter { return NewRedis(c, prefix(), now).Limiter("w", rule) },
		backoff: func(rule Backoff, now func() time.Time) Limiter { return NewRedis(c, prefix(), now).Backoff("f", rule) },
	}
}

func TestBuckets(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			bs := be.buckets(c.now)
			rule := Bucket{Rate: 2, Burst: 3} // 3 at once, then 2 a second
			for i := range 3 {
				r, err := bs.Take(ctx, "k", rule)
				if err != nil {
					t.Fatal(err)
				}
				if !r.Allowed || r.Remaining != 2-i || r.Limit != 3 {
					t.Fatalf("take %d = %+v, want allowed with %d remaining", i, r, 2-i)
				}
			}
			r, err := bs.Take(ctx, "k", rule)
			if err != nil {
				t.Fatal(err)
			}
			if r.Allowed || r.RetryAfter != 500*time.Millisecond || r.Reset != 1500*time.Millisecond {
				t.Fatalf("take over burst = %+v, want refused, retry after 500ms, full in 1.5s", r)
			}
			if r, _ := bs.Take(ctx, "other", rule); !r.Allowed {
				t.Fatalf("another key = %+v, want allowed", r)
			}
			c.add(500 * time.Millisecond)
			if r, _ := bs.Take(ctx, "k", rule); !r.Allowed || r.Remaining != 0 {
				t.Fatalf("after 500ms = %+v, want allowed with 0 remaining", r)
			}
			c.add(10 * time.Second)
			if r, _ := bs.Take(ctx, "k", rule); !r.Allowed || r.Remaining != 2 {
				t.Fatalf("after refill = %+v, want allowed with 2 remaining (capped at the burst)", r)
			}
		})
	}
}

func TestBucketsConcurrent(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			bs := be.buckets(func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) })
			var mu sync.Mutex
			allowed := 0
			var wg sync.WaitGroup
			for range 40 {
				wg.Go(func() {
					r, err := bs.Take(context.Background(), "k", Bucket{Rate: 1, Burst: 10})
					if err != nil {
						t.Error(err)
						return
					}
					if r.Allowed {
						mu.Lock()
						allowed++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if allowed != 10 {
				t.Fatalf("40 concurrent takes from a bucket of 10 allowed %d, want 10", allowed)
			}
		})
	}
}

func TestWindowBackends(t *testing.T) {
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			l := be.window(Rule{Limit: 2, Window: time.Minute}, c.now)
			if d, _ := l.Take(ctx, "a"); d != 0 {
				t.Fatalf("Take 1 = %v, want 0", d)
			}
			c.add(10 * time.Second)
			if d, _ := l.Add(ctx, "a"); d != 50*time.Second {
				t.Fatalf("Add 2 = %v, want 50s", d)
			}
			if d, _ := l.Take(ctx, "a"); d != 50*time.Second {
				t.Fatalf("Take over the limit = %v, want 50s", d)
			}
			if d, _ := l.Wait(ctx, "b"); d != 0 {
				t.Fatalf("Wait(b) = %v, want 0", d)
			}
			c.add(50 * time.Second)
			if d, _ := l.Wait(ctx, "a"); d != 0 {
				t.Fatalf("Wait after the oldest left = %v, want 0", d)
			}
			if err := l.Reset(ctx, "a"); err != nil {
				t.Fatal(err)
			}
			if d, _ := l.Add(ctx, "a"); d != 0 {
				t.Fatalf("Add after Reset = %v, want 0", d)
			}
		})
	}
}

func TestBackoffBackends(t *testing.T) {
	rule := Backoff{Free: 3, Base: time.Second, Max: 8 * time.Second, Forget: time.Hour}
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			l := be.backoff(rule, c.now)
			for i := range 3 {
				if d, _ := l.Take(ctx, "k"); d != 0 {
					t.Fatalf("free failure %d: Take = %v, want 0", i+1, d)
				}
			}
			// Each failure after the free ones doubles the wait, up to Max.
			var got []time.Duration
			for range 6 {
				d, err := l.Take(ctx, "k")
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, d)
				c.add(d)
				if d2, _ := l.Take(ctx, "k"); d2 != 0 {
					t.Fatalf("Take after waiting %v = %v, want 0", d, d2)
				}
			}
			want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second, 8 * time.Second}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("waits = %v, want %v", got, want)
			}
			if d, _ := l.Wait(ctx, "other"); d != 0 {
				t.Fatalf("Wait(other) = %v, want 0", d)
			}
			c.add(time.Hour)
			if d, _ := l.Add(ctx, "k"); d != 0 {
				t.Fatalf("Add an hour later = %v, want 0 (forgotten)", d)
			}
			if err := l.Reset(ctx, "k"); err != nil {
				t.Fatal(err)
			}
		})
	}
}
