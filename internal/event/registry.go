package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
)

// decoders holds, per topic and consumer, a strict decoder of the payload
// type the consumer subscribed with (On): CheckPayload runs every published
// payload through every consumer's type.
var decoders = struct {
	sync.Mutex
	m map[string]map[string]func([]byte) error
}{m: map[string]map[string]func([]byte) error{}}

func registerDecoder[T any](consumer string, t Topic[T]) {
	decoders.Lock()
	defer decoders.Unlock()
	if decoders.m[string(t)] == nil {
		decoders.m[string(t)] = map[string]func([]byte) error{}
	}
	decoders.m[string(t)][consumer] = func(b []byte) error {
		d := json.NewDecoder(bytes.NewReader(b))
		d.DisallowUnknownFields()
		var v T
		return d.Decode(&v)
	}
}

// CheckPayload decodes an event's payload into the type of every consumer
// subscribed to its topic through On, refusing unknown fields. It returns
// the consumers that decoded it.
func CheckPayload(e Event) ([]string, error) {
	decoders.Lock()
	byConsumer := decoders.m[e.Topic]
	decoders.Unlock()
	var names []string
	for c, dec := range byConsumer {
		if err := dec(e.Payload); err != nil {
			return nil, fmt.Errorf("%s cannot decode %s event %s: %w", c, e.Topic, e.ID, err)
		}
		names = append(names, c)
	}
	sort.Strings(names)
	return names, nil
}
