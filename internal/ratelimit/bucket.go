package ratelimit

import (
	"context"
	"math"
	"sync"
	"time"
)

// Bucket is a token bucket: it holds at most Burst tokens and refills at
// Rate tokens per second; each request takes one.
type Bucket struct {
	Rate  float64
	Burst int
}

// Window is how long an empty bucket takes to fill (the w= of the
// RateLimit-Policy header), at least a second.
func (b Bucket) Window() time.Duration {
	if b.Rate <= 0 {
		return time.Second
	}
	return max(time.Second, time.Duration(float64(b.Burst)/b.Rate*float64(time.Second)))
}

// Result is the outcome of one Take from a bucket.
type Result struct {
	Allowed   bool
	Limit     int           // the bucket's burst
	Remaining int           // whole tokens left after this take
	Reset     time.Duration // until the bucket is full again
	// RetryAfter is, when refused, how long until a token is there.
	RetryAfter time.Duration
}

// result computes a Result from the tokens left after a take.
func (b Bucket) result(allowed bool, tokens float64) Result {
	r := Result{Allowed: allowed, Limit: b.Burst, Remaining: int(math.Floor(tokens))}
	if b.Rate > 0 {
		r.Reset = time.Duration((float64(b.Burst) - tokens) / b.Rate * float64(time.Second))
		if !allowed {
			r.RetryAfter = max(time.Millisecond, time.Duration((1-tokens)/b.Rate*float64(time.Second)))
		}
	}
	return r
}

// Buckets takes tokens from named token buckets.
type Buckets interface {
	// Take takes one token from key's bucket of rule b.
	Take(ctx context.Context, key string, b Bucket) (Result, error)
}

// MemoryBuckets keeps token buckets in this process.
type MemoryBuckets struct {
	now func() time.Time

	mu   sync.Mutex
	keys map[string]bucketState
	ops  int
}

type bucketState struct {
	tokens float64
	at     time.Time
	full   time.Time // when it will be full: past that it can be forgotten
}

var _ Buckets = (*MemoryBuckets)(nil)

// NewMemoryBuckets returns in-process buckets. A nil now uses time.Now.
func NewMemoryBuckets(now func() time.Time) *MemoryBuckets {
	if now == nil {
		now = time.Now
	}
	return &MemoryBuckets{now: now, keys: make(map[string]bucketState)}
}

// Take implements Buckets.
func (m *MemoryBuckets) Take(_ context.Context, key string, b Bucket) (Result, error) {
	if b.Burst < 1 {
		return Result{Allowed: true}, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now)
	s, ok := m.keys[key]
	if !ok {
		s = bucketState{tokens: float64(b.Burst), at: now}
	}
	if el := now.Sub(s.at); el > 0 {
		s.tokens = math.Min(float64(b.Burst), s.tokens+el.Seconds()*b.Rate)
		s.at = now
	}
	allowed := s.tokens >= 1
	if allowed {
		s.tokens--
	}
	r := b.result(allowed, s.tokens)
	s.full = now.Add(r.Reset)
	m.keys[key] = s
	return r, nil
}

func (m *MemoryBuckets) sweep(now time.Time) {
	m.ops++
	if m.ops < 4096 && len(m.keys) < 1<<20 {
		return
	}
	m.ops = 0
	for k, s := range m.keys {
		if !now.Before(s.full) {
			delete(m.keys, k) // a full bucket is the same as none
		}
	}
	if len(m.keys) >= 1<<20 {
		clear(m.keys)
	}
}
