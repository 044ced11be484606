package event

import (
	"context"
	"time"
)

// Sleep waits d, or less if ctx ends first.
func Sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// Retry calls try until it succeeds or ctx ends, waiting first, then
// twice as long after each failure, up to most. onFail, if set, hears of
// each failure and the wait that follows it (not once ctx has ended). It
// returns nil once try succeeded, else ctx's error: the broker drivers'
// loop for a batch whose handler fails.
func Retry(ctx context.Context, first, most time.Duration, try func() error, onFail func(err error, wait time.Duration)) error {
	wait := first
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := try()
		if err == nil {
			return nil
		}
		if onFail != nil && ctx.Err() == nil {
			onFail(err, wait)
		}
		Sleep(ctx, wait)
		wait = min(2*wait, most)
	}
}
