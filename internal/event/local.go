package event

import (
	"context"
	"errors"
	"sync"
)

// Local is the in-process broker: Publish hands each batch straight to the
// handlers of every group consuming in this process, all groups at once,
// and returns once each of them has taken it (applied or parked every
// event). It keeps nothing: the outbox is the durable log, and the relay
// marks events relayed only after Publish returns, so a crash re-relays.
type Local struct {
	mu     sync.RWMutex
	groups map[string]*localGroup
}

type localGroup struct {
	topics map[string]bool
	h      func(ctx context.Context, batch []Event) error
}

var _ Broker = (*Local)(nil)

// NewLocal returns an in-process broker.
func NewLocal() *Local { return &Local{groups: map[string]*localGroup{}} }

// Publish delivers events to every group and joins their errors.
func (l *Local) Publish(ctx context.Context, events []Event) error {
	l.mu.RLock()
	groups := make([]*localGroup, 0, len(l.groups))
	for _, g := range l.groups {
		groups = append(groups, g)
	}
	l.mu.RUnlock()
	errs := make([]error, len(groups))
	var wg sync.WaitGroup
	for i, g := range groups {
		batch := make([]Event, 0, len(events))
		for _, e := range events {
			if g.topics[e.Topic] {
				batch = append(batch, e)
			}
		}
		if len(batch) == 0 {
			continue
		}
		wg.Go(func() { errs[i] = g.h(ctx, batch) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Consume registers group until ctx ends.
func (l *Local) Consume(ctx context.Context, group string, topics []string, h func(ctx context.Context, batch []Event) error) error {
	g := &localGroup{topics: map[string]bool{}, h: h}
	for _, t := range topics {
		g.topics[t] = true
	}
	l.mu.Lock()
	l.groups[group] = g
	l.mu.Unlock()
	go func() {
		<-ctx.Done()
		l.mu.Lock()
		if l.groups[group] == g {
			delete(l.groups, group)
		}
		l.mu.Unlock()
	}()
	return nil
}

// Close does nothing.
func (l *Local) Close() error { return nil }
