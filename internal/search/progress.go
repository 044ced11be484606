package search

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Progress reports how far a long job (reindexing, seeding) has got: a bar
// on a terminal, a line every few seconds otherwise.
type Progress interface {
	Add(n int)
	Finish()
}

// NewProgress returns a Progress writing to w for a job of total units (-1
// if unknown). A nil w reports nothing.
func NewProgress(w io.Writer, total int, what string) Progress { return newProgress(w, total, what) }

func newProgress(w io.Writer, total int, what string) Progress {
	if w == nil {
		return nopProgress{}
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return &barProgress{bar: progressbar.NewOptions64(int64(total),
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(what),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("products"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		)}
	}
	return &lineProgress{w: w, total: total, what: what, start: time.Now(), last: time.Now()}
}

type nopProgress struct{}

func (nopProgress) Add(int) {}
func (nopProgress) Finish() {}

type barProgress struct{ bar *progressbar.ProgressBar }

func (p *barProgress) Add(n int) { _ = p.bar.Add(n) }
func (p *barProgress) Finish()   { _ = p.bar.Finish() }

// lineProgress writes a plain line at most every 5 seconds.
type lineProgress struct {
	mu    sync.Mutex
	w     io.Writer
	total int
	what  string
	n     int
	start time.Time
	last  time.Time
}

func (p *lineProgress) Add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n += n
	if time.Since(p.last) >= 5*time.Second {
		p.last = time.Now()
		p.line()
	}
}

func (p *lineProgress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.line()
}

func (p *lineProgress) line() {
	rate := float64(p.n) / max(time.Since(p.start).Seconds(), 0.001)
	if p.total > 0 {
		fmt.Fprintf(p.w, "%s: %d/%d (%.0f%%), %.0f/s\n", p.what, p.n, p.total, 100*float64(p.n)/float64(p.total), rate)
		return
	}
	fmt.Fprintf(p.w, "%s: %d, %.0f/s\n", p.what, p.n, rate)
}
