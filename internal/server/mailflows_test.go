package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/server"
)

// linkRE finds the first absolute link in a mail's text part.
var linkRE = regexp.MustCompile(`https?://[^\s"<>]+`)

// mailedLink returns the link of the newest mail to address with subject:
// from c.mail when set, else from the outbox through the admin mail API,
// as an admin would read it (which shows account mail's tokens only
// without an SMTP server).
func mailedLink(c client, admin, address, subject string) string {
	c.t.Helper()
	if c.mail != nil {
		text := c.mail(address, subject)
		link := linkRE.FindString(text)
		if link == "" {
			c.t.Fatalf("mail %q to %s has no link: %s", subject, address, text)
		}
		return link
	}
	for _, m := range items(c.must(200, "GET", "/api/v1/admin/mail?limit=100", nil, bearer(admin))) {
		if m["to"] != address || m["subject"] != subject {
			continue
		}
		full := c.must(200, "GET", "/api/v1/admin/mail/"+str(m, "id"), nil, bearer(admin))
		link := linkRE.FindString(str(full, "text"))
		if link == "" {
			c.t.Fatalf("mail %q to %s has no link: %s", subject, address, str(full, "text"))
		}
		return link
	}
	c.t.Fatalf("no mail %q to %s in the outbox", subject, address)
	return ""
}

// tokenOf is the token parameter of a mailed link.
func tokenOf(c client, link string) string {
	c.t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("token") == "" {
		c.t.Fatalf("link %q carries no token", link)
	}
	return u.Query().Get("token")
}

// verifyByMail opens the verification link mailed to address, as its
// owner would: sellers list products only once verified.
func verifyByMail(c client, admin, address string) {
	c.t.Helper()
	link := mailedLink(c, admin, address, "Confirm your e-mail address")
	c.must(200, "POST", "/api/v1/auth/verify-email", map[string]string{"token": tokenOf(c, link)})
}

// accountMailpit runs mailpit on free loopback ports (skipping the test
// without it, failing under CI) and returns its SMTP address and API URL.
func accountMailpit(t *testing.T) (string, string) {
	t.Helper()
	bin := ""
	if p, err := exec.LookPath("mailpit"); err == nil {
		bin = p
	} else if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, d := range filepath.SplitList(strings.TrimSpace(string(out))) {
			if st, err := os.Stat(filepath.Join(d, "bin", "mailpit")); err == nil && !st.IsDir() {
				bin = filepath.Join(d, "bin", "mailpit")
			}
		}
	}
	if bin == "" {
		const why = "mailpit is not on $PATH or in $(go env GOPATH)/bin; install it with `go install github.com/axllent/mailpit@v1.33.1`"
		if os.Getenv("CI") == "true" {
			t.Fatal(why + " (required in CI)")
		}
		t.Skip(why)
	}
	port := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().String()
	}
	smtp, web := port(), port()
	cmd := exec.Command(bin, "--smtp", smtp, "--listen", web, "--database", filepath.Join(t.TempDir(), "mailpit.db"))
	cmd.SysProcAttr = childAttr()
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
	api := "http://" + web
	for deadline := time.Now().Add(20 * time.Second); ; {
		if res, err := http.Get(api + "/api/v1/messages"); err == nil {
			res.Body.Close()
			if c, err := net.Dial("tcp", smtp); err == nil {
				c.Close()
				return smtp, api
			}
		}
		select {
		case <-exited:
			t.Fatalf("mailpit exited: %s", log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit not ready:\n%s", log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pitMessage is a message as mailpit's API shows it.
type pitMessage struct {
	ID      string
	Subject string
	To      []struct{ Address string }
	From    struct{ Address string }
	Text    string
	HTML    string
}

// pitMessages lists what mailpit received, newest first.
func pitMessages(t *testing.T, api string) []pitMessage {
	t.Helper()
	var list struct {
		Messages []pitMessage `json:"messages"`
	}
	res, err := http.Get(api + "/api/v1/messages")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	return list.Messages
}

// pitMail waits for the message with subject to address and returns it
// with both parts.
func pitMail(t *testing.T, api, address, subject string) pitMessage {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		for _, m := range pitMessages(t, api) {
			if m.Subject != subject || len(m.To) != 1 || m.To[0].Address != address {
				continue
			}
			res, err := http.Get(api + "/api/v1/message/" + m.ID)
			if err != nil {
				t.Fatal(err)
			}
			err = json.NewDecoder(res.Body).Decode(&m)
			res.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
	}
	t.Fatalf("no mail %q to %s reached mailpit", subject, address)
	return pitMessage{}
}

// bootListening starts a real server with cfg on l (so that cfg can name
// l's address as the public URL).
func bootListening(t *testing.T, cfg server.Config, l net.Listener) *server.Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := server.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		s.Close()
	})
	return s
}

// TestAccountMailThroughMailpit runs e-mail verification and password
// reset through the real server with mailpit as its SMTP server and the
// mail as the only channel: each link is read from the message mailpit
// received (recipient, subject, text and HTML parts), points at the public
// URL, opens the web page, and its token does what the mail says.
func TestAccountMailThroughMailpit(t *testing.T) {
	engines(t, func(t *testing.T, dbURL string) {
		smtp, api := accountMailpit(t)
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		base := "http://" + l.Addr().String()
		s := bootListening(t, server.Config{DataDir: t.TempDir(), DatabaseURL: dbURL, EventsURL: testEventsURL(t),
			SMTPURL: "smtp://" + smtp, MailFrom: "Bazaar <no-reply@bazaar.test>", PublicURL: base}, l)
		c := client{t: t, base: base}

		// linkIn checks both parts carry the same link to path on the
		// public URL, and that the page opens.
		linkIn := func(m pitMessage, path string) string {
			t.Helper()
			if m.From.Address != "no-reply@bazaar.test" {
				t.Errorf("mail %q from %q", m.Subject, m.From.Address)
			}
			link := linkRE.FindString(m.Text)
			if !strings.HasPrefix(link, base+path+"?token=") {
				t.Fatalf("text part of %q links %q, want %s%s?token=...\n%s", m.Subject, link, base, path, m.Text)
			}
			if !strings.Contains(m.HTML, `href="`+strings.ReplaceAll(link, "&", "&amp;")+`"`) || !strings.Contains(m.HTML, "<html") {
				t.Errorf("HTML part of %q lacks the link %s:\n%s", m.Subject, link, m.HTML)
			}
			page := c.do("GET", strings.TrimPrefix(link, base), nil)
			if page.status != 200 || !strings.Contains(page.header.Get("Content-Type"), "text/html") {
				t.Errorf("GET %s = %d %s, want the web page", link, page.status, page.header.Get("Content-Type"))
			}
			return tokenOf(c, link)
		}

		// Registration mails the verification link.
		reg := c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "mia@example.com", "password": "first-password-1", "name": "Mia", "role": "seller"})
		tok := str(reg, "access_token")
		if v := reg["user"].(map[string]any)["email_verified"]; v != false {
			t.Fatalf("email_verified after registering = %v", v)
		}
		verify := pitMail(t, api, "mia@example.com", "Confirm your e-mail address")
		if !strings.Contains(verify.Text, "Hello Mia") || !strings.Contains(verify.HTML, "Confirm my e-mail address") {
			t.Errorf("verification mail = %q", verify.Text)
		}
		vt := linkIn(verify, "/verify-email")

		// Until then the seller may save drafts but not list.
		if _, err := s.CreateUser(context.Background(), "op@example.com", "admin-password-1", "Op", "admin"); err != nil {
			t.Fatal(err)
		}
		admin := str(c.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "op@example.com", "password": "admin-password-1"}), "access_token")
		cat := c.must(201, "POST", "/api/v1/category", map[string]any{"name": "Lamps"}, bearer(admin))
		c.must(201, "POST", "/api/v1/seller", map[string]string{"name": "Mia's Lamps"}, bearer(tok))
		product := func(sku, status string) map[string]any {
			return map[string]any{"title": "Lamp " + sku, "brand": "Mia", "category_id": cat["id"], "status": status,
				"variants": []map[string]any{{"sku": sku, "price": map[string]any{"amount": 2500, "currency": "USD"}}}}
		}
		c.problem(403, "email_unverified", "POST", "/api/v1/product", product("MIA-1", "active"), bearer(tok))
		draft := c.must(201, "POST", "/api/v1/product", product("MIA-2", "draft"), bearer(tok))
		c.problem(403, "email_unverified", "PUT", "/api/v1/product/"+str(draft, "id"), product("MIA-2", "active"), bearer(tok))
		if got := c.must(200, "POST", "/api/v1/auth/verify-email", map[string]string{"token": vt}); got["email_verified"] != true {
			t.Errorf("verify-email = %v", got)
		}
		if got := c.must(200, "GET", "/api/v1/me", nil, bearer(tok)); got["email_verified"] != true {
			t.Errorf("me after verifying = %v", got)
		}
		c.problem(400, "token_invalid", "POST", "/api/v1/auth/verify-email", map[string]string{"token": vt})
		// Verified, the seller lists (the check reads the account, not the token's claims).
		c.must(200, "PUT", "/api/v1/product/"+str(draft, "id"), product("MIA-2", "active"), bearer(tok))

		// Password reset: the same 202 for a stranger's address, which gets no mail.
		refresh := str(reg, "refresh_token")
		c.must(202, "POST", "/api/v1/auth/password-reset", map[string]string{"email": "nobody@example.com"})
		c.must(202, "POST", "/api/v1/auth/password-reset", map[string]string{"email": "MIA@example.com"})
		reset := pitMail(t, api, "mia@example.com", "Reset your password")
		rt := linkIn(reset, "/reset-password")
		for _, m := range pitMessages(t, api) {
			if m.To[0].Address == "nobody@example.com" {
				t.Errorf("a mail went to an address with no account: %q", m.Subject)
			}
		}
		c.must(204, "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": rt, "password": "second-password-2"})
		c.problem(400, "token_invalid", "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": rt, "password": "third-password-3"})
		c.problem(401, "session_revoked", "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": refresh})
		c.problem(401, "session_revoked", "GET", "/api/v1/me", nil, bearer(tok))
		c.problem(401, "invalid_credentials", "POST", "/api/v1/auth/login", map[string]string{"email": "mia@example.com", "password": "first-password-1"})
		c.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "mia@example.com", "password": "second-password-2"})
	})
}
