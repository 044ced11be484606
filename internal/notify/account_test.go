package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/notify"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// TestAccountMail: each account mail is rendered with the layouts into the
// outbox (transactional, absolute links on the base URL, never in the
// inbox), sent by the sender job, and shown to admins with its token
// redacted once it goes out through an SMTP server.
func TestAccountMail(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		fake := &sender{}
		e := newEnv(t, db, notify.Options{Sender: fake, BaseURL: "https://shop.example.com/"})
		expires := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
		const tok = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde"
		tests := []struct {
			m             notify.AccountMail
			subject, link string
			says          []string
		}{
			{notify.AccountMail{Kind: notify.AccountVerifyEmail, Link: "/verify-email?token=" + tok, Expires: expires},
				"Confirm your e-mail address", "https://shop.example.com/verify-email?token=" + tok, []string{"10:00 UTC on 3 December 2026", "Confirm my e-mail address"}},
			{notify.AccountMail{Kind: notify.AccountResetPassword, Link: "/reset-password?token=" + tok, Expires: expires},
				"Reset your password", "https://shop.example.com/reset-password?token=" + tok, []string{"signs you out on every device", "ignore this mail"}},
			{notify.AccountMail{Kind: notify.AccountConfirmEmail, Link: "/verify-email?token=" + tok, Expires: expires, NewEmail: "new@example.com"},
				"Confirm your new e-mail address", "https://shop.example.com/verify-email?token=" + tok, []string{"keeps its current address"}},
			{notify.AccountMail{Kind: notify.AccountEmailChanging, NewEmail: "new@example.com"},
				"Your e-mail address is being changed", "https://shop.example.com/account", []string{"new@example.com", "change your password"}},
			{notify.AccountMail{Kind: notify.AccountNewSignIn, Device: "Safari on iPhone", IP: "198.51.100.9", At: expires},
				"New sign-in to your account", "https://shop.example.com/forgot-password", []string{"Safari on iPhone", "198.51.100.9", "10:00 UTC on 3 December 2026"}},
		}
		for _, tc := range tests {
			tc.m.UserID, tc.m.To, tc.m.Name = "usr_ann", "ann@example.com", "Ann"
			if err := e.svc.SendAccountMail(ctx, tc.m); err != nil {
				t.Fatalf("SendAccountMail(%s) = %v", tc.m.Kind, err)
			}
		}
		if err := e.svc.SendAccountMail(ctx, notify.AccountMail{Kind: "bogus", To: "ann@example.com"}); err == nil {
			t.Error("SendAccountMail(unknown kind) = nil")
		}
		if n, err := e.svc.SendDue(ctx); n != len(tests) || err != nil {
			t.Fatalf("SendDue = %d, %v, want %d", n, err, len(tests))
		}
		for i, tc := range tests {
			var sent notify.Mail
			for _, m := range fake.sent {
				if m.Subject == tc.subject {
					sent = m
				}
			}
			if sent.Subject != tc.subject || sent.To != "ann@example.com" || sent.Category != notify.CategoryAccount || sent.Unsubscribe != "" {
				t.Errorf("mail %d = %q to %s (%s, unsubscribe %q), want %q to ann@example.com, account, none", i, sent.Subject, sent.To, sent.Category, sent.Unsubscribe, tc.subject)
			}
			for _, part := range []string{sent.Text, sent.HTML} {
				for _, want := range append(tc.says, tc.link, "Hello Ann") {
					if !strings.Contains(part, want) {
						t.Errorf("%s: a part lacks %q:\n%s", tc.subject, want, part)
					}
				}
				if strings.Contains(part, "purchase you made") || strings.Contains(part, "notification preferences") {
					t.Errorf("%s: an account mail has the order mail's footer:\n%s", tc.subject, part)
				}
			}
			if !strings.Contains(sent.HTML, `href="`+tc.link+`"`) {
				t.Errorf("%s: HTML has no link to %s", tc.subject, tc.link)
			}
			// A link with a token is also printed, for when the button does not work.
			if printed := strings.Contains(sent.HTML, ">"+tc.link+"</a>"); printed != strings.Contains(tc.link, "token=") {
				t.Errorf("%s: link printed in the HTML = %v", tc.subject, printed)
			}
		}
		in, err := e.svc.Inbox(as("usr_ann", auth.Customer), "", 10)
		if err != nil || len(in.Items) != 0 {
			t.Errorf("inbox = %+v, %v; account mail never goes to the inbox", in, err)
		}

		// Admins see the mail, with the tokens redacted (an SMTP server delivers it).
		admin := as("usr_adm", auth.Admin)
		list, err := e.svc.Mails(admin, notify.MailQuery{})
		if err != nil || len(list.Items) != len(tests) {
			t.Fatalf("Mails = %d, %v", len(list.Items), err)
		}
		for _, item := range list.Items {
			m, err := e.svc.Mail(admin, item.ID)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(m.Text+m.HTML, tok) {
				t.Errorf("admin view of %q shows the token", m.Subject)
			}
		}

		// Without an SMTP server the outbox is the only channel: shown whole.
		local := newEnv(t, db, notify.Options{BaseURL: "http://localhost:8080"})
		m, err := local.svc.Mail(admin, list.Items[len(list.Items)-1].ID)
		if err != nil || !strings.Contains(m.Text, tok) {
			t.Errorf("without SMTP, admin view = %q, %v; want the link whole", m.Text, err)
		}
	})
}
