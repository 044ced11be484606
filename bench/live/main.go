// Command live measures live updates at scale: one server process holding
// N WebSocket clients (each its own user, as a browser tab would be), the
// time from an order's status change to its owner's socket, and the
// server's memory per connection. Everything runs on this machine
// (loopback), in two processes so the clients' memory is not counted:
//
//	go run ./bench/live -clients 10000 -changes 2000
//
// The parent process is the server: the real hub, the real WebSocket door
// (livehttp, with Ed25519 access tokens verified at each handshake, pings
// every 30 s) and the live module's real event consumer, to which each
// status change is handed as an order.status_changed.v1 event (decoded,
// turned into a message, fanned out). It starts itself again as the client
// process, which dials every socket, then asks for status changes of
// random users' orders, a few at a time, and times each until the owner's
// socket has it. Both processes read the same wall clock.
package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/live"
	"github.com/bazaar-market/bazaar/internal/live/livehttp"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/rest"
)

func main() {
	role := flag.String("role", "server", "server (starts the clients itself) or clients")
	url := flag.String("url", "", "the server's base URL (clients)")
	n := flag.Int("clients", 10000, "connected clients, one user each")
	changes := flag.Int("changes", 2000, "status changes to time")
	inflight := flag.Int("inflight", 8, "status changes in flight at once")
	dialers := flag.Int("dialers", 64, "sockets being opened at once")
	flag.Parse()
	log.SetFlags(0)
	var err error
	if *role == "clients" {
		err = clients(*url, *n, *changes, *inflight, *dialers)
	} else {
		err = serve(*n, *changes, *inflight, *dialers)
	}
	if err != nil {
		log.Fatal(err)
	}
}

func userOf(i int) id.User { return id.User(fmt.Sprintf("usr_bench%06d", i)) }

// handlers is the event.Subscriber the live feed subscribes to here: the
// bench hands it events as the bus would.
type handlers map[string]event.Handler

func (hs handlers) Subscribe(_, topic string, h event.Handler) { hs[topic] = h }

// memory is the server's memory, after a collection.
type memory struct {
	Heap       uint64 `json:"heap"`  // live heap objects (HeapInuse)
	Stack      uint64 `json:"stack"` // goroutine stacks (StackInuse)
	RSS        uint64 `json:"rss"`   // resident set (VmRSS)
	Goroutines int    `json:"goroutines"`
	Subs       int    `json:"subs"`
}

func measure(h *live.Hub) memory {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := memory{Heap: ms.HeapInuse, Stack: ms.StackInuse, Goroutines: runtime.NumGoroutine(), Subs: h.Subscribers()}
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for l := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
				kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				m.RSS = kb << 10
			}
		}
	}
	return m
}

// serve runs the server and the client process, and prints the report.
func serve(n, changes, inflight, dialers int) error {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	tokens := auth.NewTokens(key, time.Hour)
	hub := live.NewHub(live.Options{})
	hs := handlers{}
	live.Feed{Hub: hub, Consumer: "live.bench"}.Subscribe(hs)
	statusChanged := hs[order.TopicStatusChanged.Name()]

	r := rest.NewRouter()
	livehttp.New(hub, func(_ context.Context, tok string) (auth.Principal, time.Time, error) { return tokens.VerifyUntil(tok) }, livehttp.Options{}).Routes(r)
	mux := http.NewServeMux()
	mux.Handle("/api/", r)
	mux.HandleFunc("GET /ctl/tokens", func(w http.ResponseWriter, _ *http.Request) {
		out := make([]string, n)
		for i := range out {
			out[i], _, _ = tokens.Issue(auth.Principal{UserID: userOf(i), Role: auth.Customer})
		}
		_ = json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("GET /ctl/memory", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(measure(hub))
	})
	// change hands the live consumer one order.status_changed.v1 event for
	// the user's order and answers the wall-clock time it started.
	var seq atomic.Int64
	mux.HandleFunc("POST /ctl/change", func(w http.ResponseWriter, req *http.Request) {
		u, _ := strconv.Atoi(req.URL.Query().Get("user"))
		oid := id.Order(req.URL.Query().Get("order"))
		p, _ := json.Marshal(order.StatusChanged{OrderID: oid, CustomerID: userOf(u), Status: order.Shipped, PreviousStatus: order.Paid, At: time.Now()})
		start := time.Now()
		e := event.Event{ID: id.Event(fmt.Sprint("evt_bench", seq.Add(1))), Topic: order.TopicStatusChanged.Name(), Aggregate: string(oid), Payload: p, Time: start}
		if err := statusChanged(req.Context(), e); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprint(w, start.UnixNano())
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()

	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(self, "-role", "clients", "-url", "http://"+l.Addr().String(), "-clients", strconv.Itoa(n),
		"-changes", strconv.Itoa(changes), "-inflight", strconv.Itoa(inflight), "-dialers", strconv.Itoa(dialers))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("clients: %w", err)
	}
	var rep report
	if err := json.Unmarshal(out, &rep); err != nil {
		return fmt.Errorf("clients' report %q: %w", out, err)
	}
	per := func(a, b uint64) float64 { return float64(int64(b)-int64(a)) / float64(rep.Connected) / 1024 }
	fmt.Printf("clients connected      %d of %d (in %.1f s)\n", rep.Connected, n, rep.DialSeconds)
	fmt.Printf("status changes timed   %d (%d lost)\n", len(rep.Latencies), rep.Lost)
	fmt.Printf("change -> owner socket p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", q(rep.Latencies, 0.50), q(rep.Latencies, 0.99), q(rep.Latencies, 1))
	fmt.Printf("server per connection  heap %.1f KiB + stacks %.1f KiB; RSS %.1f KiB (goroutines %d -> %d)\n",
		per(rep.Before.Heap, rep.After.Heap), per(rep.Before.Stack, rep.After.Stack), per(rep.Before.RSS, rep.After.RSS),
		rep.Before.Goroutines, rep.After.Goroutines)
	fmt.Printf("server totals          heap %.0f MiB, stacks %.0f MiB, RSS %.0f MiB with %d sockets\n",
		float64(rep.After.Heap)/(1<<20), float64(rep.After.Stack)/(1<<20), float64(rep.After.RSS)/(1<<20), rep.After.Subs)
	return nil
}

// q is the q-quantile of ms (milliseconds), nearest rank.
func q(ms []float64, p float64) float64 {
	if len(ms) == 0 {
		return 0
	}
	s := slices.Clone(ms)
	slices.Sort(s)
	i := int(p*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

type report struct {
	Connected   int       `json:"connected"`
	DialSeconds float64   `json:"dial_seconds"`
	Before      memory    `json:"before"`
	After       memory    `json:"after"`
	Latencies   []float64 `json:"latencies_ms"`
	Lost        int       `json:"lost"`
}

// clients dials n sockets, times the status changes and writes the report
// as JSON to stdout.
func clients(base string, n, changes, inflight, dialers int) error {
	get := func(path string, v any) error {
		res, err := http.Get(base + path)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		return json.NewDecoder(res.Body).Decode(v)
	}
	var toks []string
	if err := get("/ctl/tokens", &toks); err != nil {
		return err
	}
	var rep report
	if err := get("/ctl/memory", &rep.Before); err != nil {
		return err
	}

	// inbox[user] is told the order id and receive time of each message.
	inbox := make([]chan got, n)
	conns := make([]*websocket.Conn, n)
	wsURL := "ws" + strings.TrimPrefix(base, "http") + "/api/v1/live"
	start := time.Now()
	var wg sync.WaitGroup
	var failed atomic.Int64
	sem := make(chan struct{}, dialers)
	for i := range n {
		inbox[i] = make(chan got, 16)
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			c, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{Subprotocols: []string{livehttp.Protocol, livehttp.TokenPrefix + toks[i]}})
			if err != nil {
				if failed.Add(1) <= 3 {
					log.Printf("dial %d: %v", i, err)
				}
				return
			}
			conns[i] = c
			go read(c, inbox[i])
		})
	}
	wg.Wait()
	rep.DialSeconds = time.Since(start).Seconds()
	for _, c := range conns {
		if c != nil {
			rep.Connected++
		}
	}
	time.Sleep(2 * time.Second) // let the handshakes' garbage settle
	if err := get("/ctl/memory", &rep.After); err != nil {
		return err
	}

	// Each change goes to another user (a permutation): two changes in
	// flight never wait on one socket.
	perm := mrand.Perm(n)
	var mu sync.Mutex
	work := make(chan int)
	go func() {
		for k := range changes {
			work <- k
		}
		close(work)
	}()
	for range inflight {
		wg.Go(func() {
			for k := range work {
				u := perm[k%n]
				if conns[u] == nil {
					continue
				}
				oid := fmt.Sprintf("ord_bench%d", k)
				res, err := http.Post(fmt.Sprintf("%s/ctl/change?user=%d&order=%s", base, u, oid), "", nil)
				if err != nil {
					log.Printf("change: %v", err)
					continue
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				ns, _ := strconv.ParseInt(string(b), 10, 64)
				sent := time.Unix(0, ns)
				timeout := time.After(10 * time.Second)
				for done := false; !done; {
					select {
					case g := <-inbox[u]:
						if g.order == oid {
							mu.Lock()
							rep.Latencies = append(rep.Latencies, float64(g.at.Sub(sent).Microseconds())/1000)
							mu.Unlock()
							done = true
						}
					case <-timeout:
						mu.Lock()
						rep.Lost++
						mu.Unlock()
						done = true
					}
				}
			}
		})
	}
	wg.Wait()
	for _, c := range conns {
		if c != nil {
			c.CloseNow()
		}
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	return json.NewEncoder(w).Encode(rep)
}

// got is an order message a client received, and when.
type got struct {
	order string
	at    time.Time
}

// read hands each order message's id and receive time to inbox until c
// closes.
func read(c *websocket.Conn, inbox chan<- got) {
	for {
		_, b, err := c.Read(context.Background())
		at := time.Now()
		if err != nil {
			return
		}
		var m struct {
			Type string `json:"type"`
			Data struct {
				OrderID string `json:"order_id"`
			} `json:"data"`
		}
		if json.Unmarshal(b, &m) == nil && m.Type == "order" {
			select {
			case inbox <- got{m.Data.OrderID, at}:
			default:
			}
		}
	}
}
