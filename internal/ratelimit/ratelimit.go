// Package ratelimit counts events per key (a failed login per account, per
// IP, ...) in a sliding window and says when a key is over its limit and for
// how long. Limiter is the seam: Memory keeps the counts in this process; a
// Redis implementation can share them between processes later.
package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Limiter counts events per key within a window.
type Limiter interface {
	// Wait returns zero if key is under its limit, else how long until one
	// more event would be allowed. It does not count an event.
	Wait(ctx context.Context, key string) (time.Duration, error)
	// Take counts one event for key if key is under its limit and returns
	// zero; otherwise it counts nothing and returns how long until it would
	// be allowed. Unlike Wait followed by Add it is atomic, so concurrent
	// callers cannot overshoot the limit.
	Take(ctx context.Context, key string) (time.Duration, error)
	// Add counts one event for key and returns the wait now in force: zero
	// while key is still under its limit after this event.
	Add(ctx context.Context, key string) (time.Duration, error)
	// Reset forgets key's events.
	Reset(ctx context.Context, key string) error
}

// Rule is a limit of Limit events in any Window.
type Rule struct {
	Limit  int
	Window time.Duration
}

// Memory is an in-process sliding-window-log Limiter. It keeps at most
// Rule.Limit timestamps per key and drops keys whose events have all
// expired, so memory is bounded by the number of keys active in a window.
type Memory struct {
	rule Rule
	now  func() time.Time

	mu      sync.Mutex
	keys    map[string][]time.Time
	ops     int
	maxKeys int
}

var _ Limiter = (*Memory)(nil)

// NewMemory returns a limiter applying rule. A nil now uses time.Now. A
// rule with Limit < 1 or Window <= 0 never limits.
func NewMemory(rule Rule, now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{rule: rule, now: now, keys: make(map[string][]time.Time), maxKeys: 1 << 20}
}

func (m *Memory) disabled() bool { return m.rule.Limit < 1 || m.rule.Window <= 0 }

// live returns key's events still inside the window, pruning older ones.
func (m *Memory) live(key string, now time.Time) []time.Time {
	ts := m.keys[key]
	cut := 0
	for cut < len(ts) && !ts[cut].After(now.Add(-m.rule.Window)) {
		cut++
	}
	if cut > 0 {
		ts = append(ts[:0:0], ts[cut:]...)
		if len(ts) == 0 {
			delete(m.keys, key)
		} else {
			m.keys[key] = ts
		}
	}
	return ts
}

func (m *Memory) wait(ts []time.Time, now time.Time) time.Duration {
	if len(ts) < m.rule.Limit {
		return 0
	}
	// The oldest event that keeps the key at its limit must leave the window.
	d := ts[len(ts)-m.rule.Limit].Add(m.rule.Window).Sub(now)
	return max(d, time.Millisecond)
}

// Wait implements Limiter.
func (m *Memory) Wait(_ context.Context, key string) (time.Duration, error) {
	if m.disabled() {
		return 0, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	return m.wait(m.live(key, now), now), nil
}

// Add implements Limiter.
func (m *Memory) Add(_ context.Context, key string) (time.Duration, error) {
	if m.disabled() {
		return 0, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now)
	ts := append(m.live(key, now), now)
	if len(ts) > m.rule.Limit {
		ts = ts[len(ts)-m.rule.Limit:]
	}
	m.keys[key] = ts
	return m.wait(ts, now), nil
}

// Take implements Limiter.
func (m *Memory) Take(_ context.Context, key string) (time.Duration, error) {
	if m.disabled() {
		return 0, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now)
	ts := m.live(key, now)
	if d := m.wait(ts, now); d > 0 {
		return d, nil
	}
	m.keys[key] = append(ts, now)
	return 0, nil
}

// Reset implements Limiter.
func (m *Memory) Reset(_ context.Context, key string) error {
	m.mu.Lock()
	delete(m.keys, key)
	m.mu.Unlock()
	return nil
}

// sweep drops expired keys every so often, and forgets everything if the
// map is still over its cap (a flood of distinct keys must not exhaust
// memory; losing counts then is the lesser harm).
func (m *Memory) sweep(now time.Time) {
	m.ops++
	if m.ops < 1024 && len(m.keys) < m.maxKeys {
		return
	}
	m.ops = 0
	for k := range m.keys {
		m.live(k, now)
	}
	if len(m.keys) >= m.maxKeys {
		clear(m.keys)
	}
}

// Len returns the number of keys with live events (for tests and metrics).
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.keys)
}

// Store makes named limiters: MemoryStore keeps them in this process,
// *Redis in a shared Redis.
type Store interface {
	Limiter(name string, rule Rule) Limiter
	Backoff(name string, rule Backoff) Limiter
}

// MemoryStore makes in-process limiters over a clock (nil: time.Now).
type MemoryStore struct{ Now func() time.Time }

var (
	_ Store = MemoryStore{}
	_ Store = (*Redis)(nil)
)

// Limiter implements Store.
func (m MemoryStore) Limiter(_ string, rule Rule) Limiter { return NewMemory(rule, m.Now) }

// Backoff implements Store.
func (m MemoryStore) Backoff(_ string, rule Backoff) Limiter { return NewMemoryBackoff(rule, m.Now) }
