package live

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/unit"
)

// Type says what a message is about, and so which data the client should
// refetch.
type Type string

// Message types.
const (
	TypeNotification Type = "notification" // a new in-app notification of the user
	TypeOrder        Type = "order"        // one of the user's orders changed
	TypeShipment     Type = "shipment"     // a parcel of the user's (or one the partner delivers) moved
	TypeSellerOrder  Type = "seller_order" // a seller's order: new, or its parcel moved
	TypeReset        Type = "reset"        // messages were missed: refetch everything shown
	TypeHello        Type = "hello"        // sent once the subscription is open: its ID is the stream position
)

// Message is one frame sent to a client, as JSON.
type Message struct {
	ID   string          `json:"id"` // "<epoch>.<sequence>", increasing within a process's life
	Type Type            `json:"type"`
	Data json.RawMessage `json:"data"`
}

// Reason says why the hub ended a subscription.
type Reason int

// Reasons a subscription ends.
const (
	ReasonNone     Reason = iota // still open, or closed by its owner
	ReasonSlow                   // its send queue was full: the client does not keep up
	ReasonShutdown               // the hub is closing (the process is stopping)
)

// Errors of Subscribe.
var (
	ErrClosed = apperr.New(apperr.KindUnavailable, "live_unavailable", "live updates are shutting down; reconnect in a moment")
)

// Options tune a Hub.
type Options struct {
	// Backlog is how many recent messages are kept per user for clients
	// that reconnect (256).
	Backlog int
	// BacklogAge is how long a message is kept for them (15 minutes).
	BacklogAge time.Duration
	// Queue is each subscription's send queue (64 messages); a
	// subscription whose queue is full is dropped (ReasonSlow).
	Queue int
	// MaxPerUser caps one user's open subscriptions (8).
	MaxPerUser int
	// Now is the clock (time.Now).
	Now func() time.Time
}

// Hub fans messages out to each user's subscriptions. It never blocks on a
// subscriber. It is safe for concurrent use.
type Hub struct {
	opts  Options
	epoch string

	mu     sync.Mutex
	seq    uint64
	users  map[id.User]*user
	closed bool
	subs   int
}

// user is one user's subscriptions and backlog.
type user struct {
	subs    map[*Sub]struct{}
	backlog []stored // oldest first
	evicted uint64   // the highest sequence dropped from backlog
	since   uint64   // the sequence when this state was made: nothing before it is kept
	idle    time.Time
}

type stored struct {
	seq   uint64
	at    time.Time
	frame []byte
}

// NewHub returns a hub with a new epoch.
func NewHub(opts Options) *Hub {
	if opts.Backlog <= 0 {
		opts.Backlog = 256
	}
	if opts.BacklogAge <= 0 {
		opts.BacklogAge = 15 * time.Minute
	}
	if opts.Queue <= 0 {
		opts.Queue = 64
	}
	if opts.MaxPerUser <= 0 {
		opts.MaxPerUser = 8
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Hub{opts: opts, epoch: newEpoch(), users: map[id.User]*user{}}
}

// newEpoch is 8 random base-32 characters.
func newEpoch() string {
	const digits = "0123456789abcdefghjkmnpqrstvwxyz"
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = digits[b[i]&31]
	}
	return string(b)
}

// Epoch is this hub's epoch, the first part of every message ID.
func (h *Hub) Epoch() string { return h.epoch }

func (h *Hub) idOf(seq uint64) string { return h.epoch + "." + strconv.FormatUint(seq, 10) }

// parseID splits a message ID; ok is false when it is not of this hub's
// epoch or not well formed.
func (h *Hub) parseID(s string) (uint64, bool) {
	epoch, n, found := strings.Cut(s, ".")
	if !found || epoch != h.epoch {
		return 0, false
	}
	seq, err := strconv.ParseUint(n, 10, 64)
	return seq, err == nil
}

// frame encodes one message.
func frame(msgID string, t Type, data []byte) []byte {
	b, _ := json.Marshal(Message{ID: msgID, Type: t, Data: data})
	return b
}

// Publish sends a message of type t with data (encoded as JSON) to every
// open subscription of u and keeps it in u's backlog (when u has connected
// within the backlog's age). It returns the message's ID. A subscription
// whose queue is full is dropped.
func (h *Hub) Publish(u id.User, t Type, data any) (string, error) {
	if u == "" {
		return "", errors.New("live: publish to no user")
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return "", fmt.Errorf("live: encode %s message: %w", t, err)
	}
	now := h.opts.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	msgID := h.idOf(h.seq)
	f := frame(msgID, t, raw)
	st := h.users[u]
	if st == nil {
		// Nobody of u connected to this process lately: no client can
		// ask for this message (one that comes back with an older id is
		// reset: see Sweep), so it is not kept.
		return msgID, nil
	}
	st.backlog = append(st.backlog, stored{seq: h.seq, at: now, frame: f})
	h.trim(st, now)
	st.idle = now
	for s := range st.subs {
		select {
		case s.send <- f:
		default:
			h.drop(st, s, ReasonSlow)
		}
	}
	return msgID, nil
}

// trim drops the messages over the backlog's size or age.
func (h *Hub) trim(st *user, now time.Time) {
	cut := 0
	if over := len(st.backlog) - h.opts.Backlog; over > 0 {
		cut = over
	}
	for cut < len(st.backlog) && now.Sub(st.backlog[cut].at) > h.opts.BacklogAge {
		cut++
	}
	if cut == 0 {
		return
	}
	st.evicted = st.backlog[cut-1].seq
	n := copy(st.backlog, st.backlog[cut:])
	clear(st.backlog[n:])
	st.backlog = st.backlog[:n]
}

// Sub is one open subscription: a client's connection.
type Sub struct {
	// User is whose messages it receives.
	User id.User
	// Replay are the frames to send before any from C: what the client
	// missed (or a reset), then a hello whose ID is the position C starts
	// after.
	Replay [][]byte

	hub    *Hub
	send   chan []byte
	done   chan struct{}
	reason Reason // set before done is closed
	gone   bool   // under hub.mu: no longer in the hub
}

// C delivers the subscription's messages, encoded as JSON frames.
func (s *Sub) C() <-chan []byte { return s.send }

// Done is closed when the hub ends the subscription; Reason says why.
func (s *Sub) Done() <-chan struct{} { return s.done }

// Reason says why the hub ended the subscription (after Done is closed).
func (s *Sub) Reason() Reason {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	return s.reason
}

// Close ends the subscription (the client went away). It is safe to call
// more than once and after the hub dropped it.
func (s *Sub) Close() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if st := h.users[s.User]; st != nil && !s.gone {
		h.drop(st, s, ReasonNone)
		st.idle = h.opts.Now()
	}
}

// drop removes s from st and closes its done channel (h.mu held).
func (h *Hub) drop(st *user, s *Sub, r Reason) {
	if s.gone {
		return
	}
	s.gone = true
	s.reason = r
	delete(st.subs, s)
	h.subs--
	close(s.done)
}

// TooMany is Subscribe's error when the user has MaxPerUser subscriptions
// open already.
func TooMany(limit int) error {
	return apperr.RateLimited(5*time.Second, "too many live connections are open for this user (at most %d); close a tab or wait", limit)
}

// Subscribe opens a subscription for u. after is the ID of the last
// message the client saw ("" for a first connection): the messages for u
// since then are replayed, or, when they cannot all be (another epoch, or
// evicted from the backlog), a reset. It fails with a rate-limit error when
// u has MaxPerUser subscriptions open, and ErrClosed once the hub is closed.
func (h *Hub) Subscribe(u id.User, after string) (*Sub, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	st := h.users[u]
	if st != nil && len(st.subs) >= h.opts.MaxPerUser {
		return nil, TooMany(h.opts.MaxPerUser)
	}
	if st == nil {
		st = &user{subs: map[*Sub]struct{}{}, since: h.seq}
		h.users[u] = st
	}
	s := &Sub{User: u, hub: h, send: make(chan []byte, h.opts.Queue), done: make(chan struct{})}
	pos := h.idOf(h.seq)
	if after != "" {
		seq, ok := h.parseID(after)
		switch {
		case !ok || seq > h.seq || seq < st.evicted || seq < st.since:
			// Another process's (or life's) ID, or messages after it are
			// gone (evicted, or sent while u's state was forgotten): the
			// client must refetch.
			s.Replay = append(s.Replay, frame(pos, TypeReset, []byte("{}")))
		default:
			for _, m := range st.backlog {
				if m.seq > seq {
					s.Replay = append(s.Replay, m.frame)
				}
			}
		}
	}
	s.Replay = append(s.Replay, frame(pos, TypeHello, []byte("{}")))
	st.subs[s] = struct{}{}
	h.subs++
	return s, nil
}

// Subscribers counts the open subscriptions.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.subs
}

// Sweep drops the backlog messages past their age and forgets users with
// no subscription and nothing kept, so the hub's memory follows its
// active users.
func (h *Hub) Sweep() {
	now := h.opts.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	for u, st := range h.users {
		h.trim(st, now)
		if len(st.subs) == 0 && len(st.backlog) == 0 && now.Sub(st.idle) > h.opts.BacklogAge {
			// A client of this user that comes back with an ID from
			// before is reset: its state starts again (since) then.
			delete(h.users, u)
		}
	}
}

// Close ends every subscription (ReasonShutdown) and refuses new ones.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for _, st := range h.users {
		for s := range st.subs {
			h.drop(st, s, ReasonShutdown)
		}
	}
}

// Jobs returns the hub's sweeper, which runs in every process (each has
// its own hub).
func (h *Hub) Jobs() []unit.Job {
	return []unit.Job{{Name: "live.sweep", Every: time.Minute, Tick: func(context.Context) error {
		h.Sweep()
		return nil
	}}}
}
