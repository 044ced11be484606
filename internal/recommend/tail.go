package recommend

import (
	"context"
	"time"

	"github.com/bazaar-market/bazaar/internal/recommend/recmodel"
)

// tailBatch is how many signals one read of the table returns.
const tailBatch = 10000

// gapWait is how long a hole in the signals' sequence is waited for: a
// transaction that took its seq but has not committed yet (PostgreSQL hands
// out seqs before commit) fills it; a rolled-back one never does.
const gapWait = 5 * time.Second

// tailer is where the models are in the signals table. Every signal up to
// done is in the models; those after it that are (seen) too are kept
// apart, so that a hole left by a transaction still in flight is filled when
// it commits rather than skipped.
type tailer struct {
	done    int64
	fence   int64 // the last seq when the load began: every row up to it had committed
	seen    map[int64]bool
	maxSeen int64
	marks   []mark // when each maxSeen was first read, oldest first
}

// mark says that every seq up to upTo had been handed out by at.
type mark struct {
	upTo int64
	at   time.Time
}

func (t *tailer) init() { t.seen = map[int64]bool{} }

// Tail reads the signals added since the last call into the models and
// returns how many it read.
func (s *Service) Tail(ctx context.Context) (int, error) {
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	t := &s.tail
	now := s.opts.Now()
	notBefore := now.Add(-s.opts.Horizon)
	cursor, read := t.done, 0
	for {
		rows, err := s.store.Since(ctx, cursor, notBefore, tailBatch)
		if err != nil {
			return read, err
		}
		for _, r := range rows {
			cursor = r.Seq
			switch {
			case r.Seq <= t.fence:
				t.done = max(t.done, r.Seq)
			case t.seen[r.Seq]:
				continue
			default:
				t.seen[r.Seq] = true
				t.maxSeen = max(t.maxSeen, r.Seq)
			}
			s.add(r.Signal)
		}
		read += len(rows)
		if len(rows) < tailBatch {
			break
		}
		if !s.loaded.Load() && read%(10*tailBatch) == 0 {
			s.log.Info("recommend: loading signals", "signals", read)
		}
	}
	if len(t.marks) == 0 || t.marks[len(t.marks)-1].upTo < t.maxSeen {
		t.marks = append(t.marks, mark{upTo: t.maxSeen, at: now})
	}
	for t.done < t.maxSeen {
		next := t.done + 1
		if t.seen[next] {
			delete(t.seen, next)
			t.done = next
			continue
		}
		for len(t.marks) > 0 && t.marks[0].upTo < next {
			t.marks = t.marks[1:]
		}
		if len(t.marks) == 0 || now.Sub(t.marks[0].at) < gapWait {
			break // a hole that a transaction may still fill
		}
		t.done = next
	}
	return read, nil
}

// add teaches the models one signal.
func (s *Service) add(sg Signal) {
	s.model.Add(recmodel.Event{User: s.users.ID(sg.Subject), Item: s.items.ID(string(sg.ProductID)), Kind: sg.Kind,
		Value: sg.Value, At: sg.At.Unix()})
}
