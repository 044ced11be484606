package notifysmtp_test

import (
	"context"
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

	"github.com/bazaar-market/bazaar/internal/notify"
	"github.com/bazaar-market/bazaar/internal/notify/notifysmtp"
)

// findMailpit returns the mailpit binary from $PATH, $GOBIN or
// $(go env GOPATH)/bin; it skips the test (fails it under CI) when there
// is none.
func findMailpit(t *testing.T) string {
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
		if p := filepath.Join(d, "mailpit"); fileExists(p) {
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

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startMailpit runs mailpit on free loopback ports and returns its SMTP
// port and its API's base URL.
func startMailpit(t *testing.T) (int, string) {
	t.Helper()
	bin := findMailpit(t)
	smtpPort, httpPort := freePort(t), freePort(t)
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
				return smtpPort, api
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

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET %s = %s", url, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("decode %s: %v", url, err)
	}
}

// TestSendThroughMailpit sends a non-transactional mail through a real
// SMTP server and reads it back: both parts, the subject, the addresses
// and the List-Unsubscribe header.
func TestSendThroughMailpit(t *testing.T) {
	smtpPort, api := startMailpit(t)
	s, err := notifysmtp.New(fmt.Sprintf("smtp://127.0.0.1:%d", smtpPort), "Bazaar <no-reply@bazaar.test>")
	if err != nil {
		t.Fatal(err)
	}
	m := notify.Mail{ID: "mal_1", To: "ada@example.com", Subject: "Out for delivery", Text: "Your parcel arrives today.\n",
		HTML: "<p>Your parcel <b>arrives today</b>.</p>", Category: notify.CategoryShipment, Unsubscribe: "http://shop.test/account/notifications"}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	var list struct {
		Messages []struct {
			ID      string
			Subject string
			To      []struct{ Address string }
			From    struct{ Address string }
		} `json:"messages"`
	}
	getJSON(t, api+"/api/v1/messages", &list)
	if len(list.Messages) != 1 {
		t.Fatalf("mailpit holds %d messages, want 1", len(list.Messages))
	}
	got := list.Messages[0]
	if got.Subject != m.Subject || len(got.To) != 1 || got.To[0].Address != m.To || got.From.Address != "no-reply@bazaar.test" {
		t.Errorf("message = %+v, want %q to %s from no-reply@bazaar.test", got, m.Subject, m.To)
	}
	var msg struct{ Text, HTML string }
	getJSON(t, api+"/api/v1/message/"+got.ID, &msg)
	if !strings.Contains(msg.Text, "Your parcel arrives today.") || !strings.Contains(msg.HTML, "<b>arrives today</b>") {
		t.Errorf("parts = %q / %q, want the text and HTML sent", msg.Text, msg.HTML)
	}
	var headers map[string][]string
	getJSON(t, api+"/api/v1/message/"+got.ID+"/headers", &headers)
	if h := headers["List-Unsubscribe"]; len(h) != 1 || h[0] != "<http://shop.test/account/notifications>" {
		t.Errorf("List-Unsubscribe = %v, want <http://shop.test/account/notifications>", h)
	}

	// An unreachable server is an error the outbox retries.
	dead, err := notifysmtp.New(fmt.Sprintf("smtp://127.0.0.1:%d", freePort(t)), "no-reply@bazaar.test")
	if err != nil {
		t.Fatal(err)
	}
	if err := dead.Send(context.Background(), m); err == nil {
		t.Error("Send to a closed port succeeded")
	}
}

// TestNew: URLs the sender refuses, without echoing their secrets.
func TestNew(t *testing.T) {
	for _, u := range []string{"http://mail.example.com", "smtp://", "smtp://user:s3cret@host:notaport", "::"} {
		_, err := notifysmtp.New(u, "a@example.com")
		if err == nil {
			t.Errorf("New(%q) = nil error", u)
		} else if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("New(%q) error %q shows the password", u, err)
		}
	}
	if _, err := notifysmtp.New("smtp://user:pass@host:2525", ""); err == nil {
		t.Error("New without a from address = nil error")
	}
	if _, err := notifysmtp.New("smtps://user:pass@host", "a@example.com"); err != nil {
		t.Errorf("New(smtps) = %v", err)
	}
}
