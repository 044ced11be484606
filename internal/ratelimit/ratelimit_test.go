package ratelimit

import (
	"context"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestMemorySlidingWindow(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	m := NewMemory(Rule{Limit: 3, Window: time.Minute}, c.now)

	type step struct {
		advance  time.Duration
		op       string // "add", "wait", "reset"
		key      string
		wantWait time.Duration
	}
	steps := []step{
		{0, "wait", "a", 0},
		{0, "add", "a", 0},                               // a@0
		{10 * time.Second, "add", "a", 0},                // a@10
		{10 * time.Second, "add", "a", 40 * time.Second}, // a@20: at limit, oldest (0) leaves at 60
		{0, "wait", "a", 40 * time.Second},
		{0, "wait", "b", 0}, // keys are independent
		{39 * time.Second, "wait", "a", time.Second},
		{time.Second, "wait", "a", 0},      // t=60: event at 0 left the window
		{0, "add", "a", 10 * time.Second},  // a@10,20,60 -> 10 leaves at 70
		{0, "take", "a", 10 * time.Second}, // refused, not counted
		{10 * time.Second, "take", "a", 0}, // t=70: 10 left; a@20,60,70
		{0, "take", "a", 10 * time.Second},
		{0, "reset", "a", 0},
		{0, "wait", "a", 0},
		{0, "take", "c", 0},
		{0, "take", "c", 0},
		{0, "take", "c", 0},
		{0, "take", "c", time.Minute},
	}
	for i, s := range steps {
		c.add(s.advance)
		var got time.Duration
		var err error
		switch s.op {
		case "add":
			got, err = m.Add(ctx, s.key)
		case "wait":
			got, err = m.Wait(ctx, s.key)
		case "take":
			got, err = m.Take(ctx, s.key)
		case "reset":
			err = m.Reset(ctx, s.key)
		}
		if err != nil {
			t.Fatalf("step %d: %s(%q): %v", i, s.op, s.key, err)
		}
		if got != s.wantWait {
			t.Errorf("step %d: %s(%q) = %v, want %v", i, s.op, s.key, got, s.wantWait)
		}
	}
}

func TestMemoryKeepsAtMostLimitPerKeyAndForgetsExpiredKeys(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Unix(0, 0)}
	m := NewMemory(Rule{Limit: 2, Window: time.Second}, c.now)
	for range 100 {
		if _, err := m.Add(ctx, "k"); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(m.keys["k"]); n != 2 {
		t.Errorf("events kept for k = %d, want 2", n)
	}
	c.add(2 * time.Second)
	if d, _ := m.Wait(ctx, "k"); d != 0 {
		t.Errorf("Wait after window = %v, want 0", d)
	}
	if n := m.Len(); n != 0 {
		t.Errorf("Len after expiry = %d, want 0", n)
	}
}

func TestMemoryCapsKeys(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(Rule{Limit: 5, Window: time.Hour}, nil)
	m.maxKeys = 10
	for i := range 25 {
		_, _ = m.Add(ctx, string(rune('a'+i)))
	}
	if n := m.Len(); n > 10 {
		t.Errorf("Len = %d, want at most 10", n)
	}
}

func TestMemoryDisabledRuleNeverLimits(t *testing.T) {
	m := NewMemory(Rule{}, nil)
	for range 10 {
		if d, _ := m.Add(context.Background(), "k"); d != 0 {
			t.Fatalf("Add with zero rule = %v, want 0", d)
		}
	}
}

func TestMemoryTakeIsAtomic(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(Rule{Limit: 5, Window: time.Hour}, nil)
	var mu sync.Mutex
	allowed := 0
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if d, _ := m.Take(ctx, "k"); d == 0 {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if allowed != 5 {
		t.Errorf("concurrent Take allowed %d, want 5", allowed)
	}
}

func TestMemoryConcurrent(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(Rule{Limit: 50, Window: time.Hour}, nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				_, _ = m.Add(ctx, "k")
				_, _ = m.Wait(ctx, "k")
			}
		})
	}
	wg.Wait()
	if d, _ := m.Wait(ctx, "k"); d <= 0 {
		t.Errorf("Wait after 800 events with limit 50 = %v, want > 0", d)
	}
}
