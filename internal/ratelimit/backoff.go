package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Backoff is a rule of exponential backoff per failure: a key's first Free
// failures cost nothing, each one after makes the key wait Base, then
// 2×Base, 4×Base ... up to Max, counted from its latest failure. A key
// without a failure for Forget starts afresh.
type Backoff struct {
	Free   int
	Base   time.Duration
	Max    time.Duration
	Forget time.Duration
}

// Delay is the wait a key owes after n failures, from its latest one.
func (b Backoff) Delay(n int) time.Duration {
	if n < b.Free || b.Base <= 0 {
		return 0
	}
	d := b.Base
	for i := b.Free; i < n && d < b.Max; i++ {
		d *= 2
	}
	if b.Max > 0 && d > b.Max {
		d = b.Max
	}
	return d
}

func (b Backoff) wait(n int, last, now time.Time) time.Duration {
	d := last.Add(b.Delay(n)).Sub(now)
	if d <= 0 {
		return 0
	}
	return max(d, time.Millisecond)
}

type failures struct {
	n    int
	last time.Time
}

// MemoryBackoff is an in-process Limiter applying a Backoff: Add and Take
// count a failure; Reset (after a success) forgets the key.
type MemoryBackoff struct {
	rule Backoff
	now  func() time.Time

	mu   sync.Mutex
	keys map[string]failures
	ops  int
}

var _ Limiter = (*MemoryBackoff)(nil)

// NewMemoryBackoff returns a Limiter applying rule. A nil now uses time.Now.
func NewMemoryBackoff(rule Backoff, now func() time.Time) *MemoryBackoff {
	if now == nil {
		now = time.Now
	}
	if rule.Forget <= 0 {
		rule.Forget = time.Hour
	}
	return &MemoryBackoff{rule: rule, now: now, keys: make(map[string]failures)}
}

func (m *MemoryBackoff) get(key string, now time.Time) failures {
	f, ok := m.keys[key]
	if ok && now.Sub(f.last) >= m.rule.Forget {
		delete(m.keys, key)
		return failures{}
	}
	return f
}

// Wait implements Limiter.
func (m *MemoryBackoff) Wait(_ context.Context, key string) (time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	f := m.get(key, now)
	return m.rule.wait(f.n, f.last, now), nil
}

// Take implements Limiter: while key owes no wait it counts a failure
// (undone by Reset on success) and returns zero.
func (m *MemoryBackoff) Take(_ context.Context, key string) (time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	f := m.get(key, now)
	if d := m.rule.wait(f.n, f.last, now); d > 0 {
		return d, nil
	}
	m.put(key, failures{n: f.n + 1, last: now}, now)
	return 0, nil
}

// Add implements Limiter.
func (m *MemoryBackoff) Add(_ context.Context, key string) (time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	f := m.get(key, now)
	f = failures{n: f.n + 1, last: now}
	m.put(key, f, now)
	return m.rule.wait(f.n, f.last, now), nil
}

// Reset implements Limiter.
func (m *MemoryBackoff) Reset(_ context.Context, key string) error {
	m.mu.Lock()
	delete(m.keys, key)
	m.mu.Unlock()
	return nil
}

func (m *MemoryBackoff) put(key string, f failures, now time.Time) {
	m.ops++
	if m.ops >= 1024 || len(m.keys) >= 1<<20 {
		m.ops = 0
		for k := range m.keys {
			m.get(k, now)
		}
		if len(m.keys) >= 1<<20 {
			clear(m.keys)
		}
	}
	m.keys[key] = f
}
