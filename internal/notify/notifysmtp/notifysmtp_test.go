package notifysmtp_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bazaar-market/bazaar/internal/notify"
	"github.com/bazaar-market/bazaar/internal/notify/notifysmtp"
	"github.com/bazaar-market/bazaar/internal/notify/notifytest"
)

// TestSendThroughMailpit sends a non-transactional mail through a real
// SMTP server and reads it back: both parts, the subject, the addresses
// and the List-Unsubscribe header.
func TestSendThroughMailpit(t *testing.T) {
	mp := notifytest.StartMailpit(t)
	s, err := notifysmtp.New(mp.SMTPURL(), "Bazaar <no-reply@bazaar.test>")
	if err != nil {
		t.Fatal(err)
	}
	m := notify.Mail{ID: "mal_1", To: "ada@example.com", Subject: "Out for delivery", Text: "Your parcel arrives today.\n",
		HTML: "<p>Your parcel <b>arrives today</b>.</p>", Category: notify.CategoryShipment, Unsubscribe: "http://shop.test/account/notifications"}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	list := mp.Messages(t)
	if len(list) != 1 {
		t.Fatalf("mailpit holds %d messages, want 1", len(list))
	}
	got := list[0]
	if got.Subject != m.Subject || len(got.To) != 1 || got.To[0].Address != m.To || got.From.Address != "no-reply@bazaar.test" {
		t.Errorf("message = %+v, want %q to %s from no-reply@bazaar.test", got, m.Subject, m.To)
	}
	msg := mp.Parts(t, got.ID)
	if !strings.Contains(msg.Text, "Your parcel arrives today.") || !strings.Contains(msg.HTML, "<b>arrives today</b>") {
		t.Errorf("parts = %q / %q, want the text and HTML sent", msg.Text, msg.HTML)
	}
	headers := mp.Headers(t, got.ID)
	if h := headers["List-Unsubscribe"]; len(h) != 1 || h[0] != "<http://shop.test/account/notifications>" {
		t.Errorf("List-Unsubscribe = %v, want <http://shop.test/account/notifications>", h)
	}

	// An unreachable server is an error the outbox retries.
	dead, err := notifysmtp.New(fmt.Sprintf("smtp://127.0.0.1:%d", notifytest.FreePort(t)), "no-reply@bazaar.test")
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
