// Package notifytest runs a real SMTP server for tests: mailpit, which
// also answers what it received through its HTTP API.
package notifytest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Mailpit is a running mailpit: its SMTP port and the base URL of its API.
type Mailpit struct {
	SMTPPort int
	API      string
}

// SMTPURL is the URL notifysmtp sends through (no TLS, no password).
func (m Mailpit) SMTPURL() string { return fmt.Sprintf("smtp://127.0.0.1:%d", m.SMTPPort) }

// findMailpit returns the mailpit binary from $PATH, $GOBIN or
// $(go env GOPATH)/bin; it skips the test (fails it under CI) when there
// is none.
func findMailpit(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	var dirs []string
	if d := os.Getenv("GOBIN"); d != "" {
		dirs = append(dirs, d)
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, d := range filepath.SplitList(strings.TrimSpace(string(out))) {
			dirs = append(dirs, filepath.Join(d, "bin"))
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, "mailpit")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	const why = "mailpit is not on $PATH, in $GOBIN or in $(go env GOPATH)/bin; install it with `go install github.com/axllent/mailpit@v1.33.1`"
	if os.Getenv("CI") == "true" {
		t.Fatal(why + " (required in CI)")
	}
	t.Skip(why)
	return ""
}

// FreePort returns a loopback TCP port nobody listens on.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// StartMailpit runs mailpit on free loopback ports until the test ends.
// Without mailpit the test is skipped, or fails when CI=true.
func StartMailpit(t testing.TB) Mailpit {
	t.Helper()
	bin := findMailpit(t)
	smtpPort, httpPort := FreePort(t), FreePort(t)
	cmd := exec.Command(bin, "--smtp", fmt.Sprintf("127.0.0.1:%d", smtpPort), "--listen", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--database", filepath.Join(t.TempDir(), "mailpit.db"))
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mailpit: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // only the process this test started
		<-exited
	})
	api := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(api + "/api/v1/messages")
		if err == nil {
			res.Body.Close()
			if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", smtpPort)); err == nil {
				c.Close()
				return Mailpit{SMTPPort: smtpPort, API: api}
			}
		}
		select {
		case <-exited:
			t.Fatalf("mailpit exited: %s", log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit not ready: %v\n%s", err, log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Get decodes the JSON mailpit's API answers at path (such as
// "/api/v1/messages") into v.
func (m Mailpit) Get(t testing.TB, path string, v any) {
	t.Helper()
	res, err := http.Get(m.API + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET %s = %s", path, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
}

// Message is a mail as mailpit lists it.
type Message struct {
	ID      string
	Subject string
	To      []struct{ Address string }
	From    struct{ Address string }
}

// Messages lists the mail mailpit received, newest first.
func (m Mailpit) Messages(t testing.TB) []Message {
	t.Helper()
	var list struct {
		Messages []Message `json:"messages"`
	}
	m.Get(t, "/api/v1/messages?limit=500", &list)
	return list.Messages
}

// Parts is a received mail's bodies.
type Parts struct{ Text, HTML string }

// Parts returns the text and HTML parts of message id.
func (m Mailpit) Parts(t testing.TB, id string) Parts {
	t.Helper()
	var p Parts
	m.Get(t, "/api/v1/message/"+id, &p)
	return p
}

// Headers returns the headers of message id.
func (m Mailpit) Headers(t testing.TB, id string) map[string][]string {
	t.Helper()
	var h map[string][]string
	m.Get(t, "/api/v1/message/"+id+"/headers", &h)
	return h
}
