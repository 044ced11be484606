package recommend

import (
	"context"
	"fmt"
	"io"

	"github.com/bazaar-market/bazaar/internal/id"
)

// importConsumer is the name ImportOnce records its imports under.
const importConsumer = "recommend.import"

// ImportOnce is Import done at most once per key (the demo seed's history:
// seeding twice does not double it). It loads signals in one transaction
// with the record of key, and reports whether it did (false: key was
// imported before). progress, if not nil, gets a line.
func (s *Service) ImportOnce(ctx context.Context, key string, signals []Signal, progress io.Writer) (bool, error) {
	for i, sg := range signals {
		if err := checkSignal(sg); err != nil {
			return false, fmt.Errorf("import signal %d: %w", i, err)
		}
	}
	// ApplyOnce does not say whether it inserted: the table's last seq
	// does (seeding runs before the server takes signals).
	before, err := s.store.LastSeq(ctx)
	if err != nil {
		return false, err
	}
	if err := s.store.ApplyOnce(ctx, importConsumer, id.Event(key), signals); err != nil {
		return false, fmt.Errorf("import signals %s: %w", key, err)
	}
	after, err := s.store.LastSeq(ctx)
	if err != nil {
		return false, err
	}
	if after == before {
		return false, nil
	}
	if progress != nil {
		fmt.Fprintf(progress, "recommend: imported %d signals (%s)\n", len(signals), key)
	}
	s.wake()
	return true, nil
}
