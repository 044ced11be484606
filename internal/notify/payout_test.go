package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/ledger"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/notify"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// TestPayoutNotifications: a payout paid or failed tells the store's owner
// (in the inbox and by mail), once however often the event comes; an
// approval (in transit) tells nobody.
func TestPayoutNotifications(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db, notify.Options{})
		at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		usd := money.New(12345, "USD")
		e.bus.send(t, "evt_p1", ledger.TopicPayoutStatusChanged.Name(), ledger.PayoutStatusChanged{PayoutID: "pyo_1", SellerID: "sel_a",
			Amount: usd, Status: ledger.PayoutInTransit, PreviousStatus: ledger.PayoutPending, Channel: ledger.ChannelManual, At: at})
		for range 2 {
			e.bus.send(t, "evt_p2", ledger.TopicPayoutStatusChanged.Name(), ledger.PayoutStatusChanged{PayoutID: "pyo_1", SellerID: "sel_a",
				Amount: usd, Status: ledger.PayoutPaid, PreviousStatus: ledger.PayoutInTransit, Channel: ledger.ChannelManual,
				Destination: "****2222", At: at})
		}
		e.bus.send(t, "evt_p3", ledger.TopicPayoutStatusChanged.Name(), ledger.PayoutStatusChanged{PayoutID: "pyo_2", SellerID: "sel_b",
			Amount: usd, Status: ledger.PayoutFailed, PreviousStatus: ledger.PayoutInTransit, Channel: ledger.ChannelManual,
			Failure: "account closed", At: at})

		a, err := e.svc.Inbox(as("usr_seller_a", auth.Seller), "", 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Items) != 1 || a.Items[0].Title != "Payout sent" || !strings.Contains(a.Items[0].Body, "123.45") ||
			!strings.Contains(a.Items[0].Body, "****2222") || a.Items[0].Link != "/seller/payments" {
			t.Errorf("seller a's inbox = %+v, want one 'Payout sent' of 123.45 to ****2222 linking to payments", a.Items)
		}
		b, err := e.svc.Inbox(as("usr_seller_b", auth.Seller), "", 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Items) != 1 || b.Items[0].Title != "Payout failed" || !strings.Contains(b.Items[0].Body, "account closed") {
			t.Errorf("seller b's inbox = %+v, want one 'Payout failed' saying why", b.Items)
		}
		m, err := e.svc.Mails(as("usr_adm", auth.Admin), notify.MailQuery{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Items) != 2 {
			t.Errorf("mails = %d, want 2 (paid and failed)", len(m.Items))
		}
	})
}
