package ledger

import (
	"testing"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

func TestCompute(t *testing.T) {
	usd := func(a int64) money.Money { return money.New(a, "USD") }
	seller, other := id.Seller("sel_a"), id.Seller("sel_b")
	rules := Rules{
		Default:    Rate{BPS: 1000, Fees: []money.Money{usd(30)}},
		Categories: []CategoryRate{{CategoryID: "cat_books", BPS: 250}, {CategoryID: "cat_all", BPS: 10000}},
		Sellers:    []SellerRate{{SellerID: other, BPS: 50}},
	}
	tests := []struct {
		name     string
		seller   id.Seller
		currency string
		lines    []int64
		cats     []id.Category
		want     []int64
		fee      int64
	}{
		{"half rounds up", seller, "USD", []int64{5}, []id.Category{"cat_x"}, []int64{1}, 4}, // 0.5 -> 1; the fee capped at the line
		{"under half rounds down", seller, "USD", []int64{4}, []id.Category{"cat_x"}, []int64{0}, 4},
		{"category rate", seller, "USD", []int64{1000, 1000}, []id.Category{"cat_books", "cat_x"}, []int64{25, 100}, 30},
		{"the whole line, never more", seller, "USD", []int64{999}, []id.Category{"cat_all"}, []int64{999}, 0},
		{"seller overrides category", other, "USD", []int64{1000}, []id.Category{"cat_all"}, []int64{5}, 0},
		{"no fee in another currency", seller, "EUR", []int64{1000}, []id.Category{"cat_x"}, []int64{100}, 0},
		{"fee capped at the lines", seller, "USD", []int64{10}, []id.Category{"cat_x"}, []int64{1}, 9},
		{"no lines", seller, "USD", nil, nil, []int64{}, 0},
	}
	for _, tt := range tests {
		var lines []SaleLine
		var sum int64
		for i, a := range tt.lines {
			lines = append(lines, SaleLine{Category: tt.cats[i], Amount: money.New(a, tt.currency)})
		}
		c := rules.Compute(tt.seller, tt.currency, lines)
		for i, w := range tt.want {
			if c.Lines[i] != w {
				t.Errorf("%s: line %d = %d, want %d", tt.name, i, c.Lines[i], w)
			}
			sum += w
		}
		if c.Fee != tt.fee || c.Total != money.New(sum+tt.fee, tt.currency) {
			t.Errorf("%s: Compute = %+v, want fee %d, total %d", tt.name, c, tt.fee, sum+tt.fee)
		}
	}
}

func TestMulDivRound(t *testing.T) {
	tests := []struct{ a, b, c, want int64 }{
		{100, 333, 1000, 33},
		{100, 335, 1000, 34}, // 33.5 rounds up
		{100, 1000, 1000, 100},
		{999_999_999_999, 999_999_999_999, 999_999_999_999, 999_999_999_999}, // no overflow
		{1, 1, 3, 0},
		{1, 2, 3, 1},
	}
	for _, tt := range tests {
		if got := mulDivRound(tt.a, tt.b, tt.c); got != tt.want {
			t.Errorf("mulDivRound(%d, %d, %d) = %d, want %d", tt.a, tt.b, tt.c, got, tt.want)
		}
	}
}

func TestAccountNames(t *testing.T) {
	for _, a := range []Account{GatewayAccount("stripe"), CODAccount("usr_1"), PlatformCashAccount(), CommissionAccount(),
		GatewayFeesAccount(), PendingAccount("sel_1"), AvailableAccount("sel_1"), PayoutAccountOf("sel_1"), BankPayoutsAccount()} {
		got, ok := ParseAccount(a.String())
		if !ok || got != a {
			t.Errorf("ParseAccount(%q) = %v, %v; want %v", a.String(), got, ok, a)
		}
	}
	for _, s := range []string{"", "seller:sel_1:bank", "seller::pending", "gateway:", "nope:x", "platform:x"} {
		if _, ok := ParseAccount(s); ok {
			t.Errorf("ParseAccount(%q) accepted it", s)
		}
	}
}

func TestCheckRefusesUnbalanced(t *testing.T) {
	ok := Txn{Kind: KindSale, Reference: "sale:x", Entries: join(debit(GatewayAccount("g"), 10, "USD"), credit(CommissionAccount(), 10, "USD"))}
	if err := ok.Check(); err != nil {
		t.Errorf("Check(balanced) = %v", err)
	}
	bad := []Txn{
		{Kind: KindSale, Reference: "r", Entries: join(debit(GatewayAccount("g"), 10, "USD"), credit(CommissionAccount(), 9, "USD"))},
		{Kind: KindSale, Reference: "r", Entries: join(debit(GatewayAccount("g"), 10, "USD"), credit(CommissionAccount(), 10, "EUR"))},
		{Kind: KindSale, Reference: "r", Entries: debit(GatewayAccount("g"), 10, "USD")},
		{Kind: "gift", Reference: "r", Entries: ok.Entries},
		{Kind: KindSale, Reference: "", Entries: ok.Entries},
		{Kind: KindSale, Reference: "r", Entries: []Entry{{Account: GatewayAccount("g"), Amount: money.New(0, "USD")}, {Account: CommissionAccount(), Amount: money.New(0, "USD")}}},
	}
	for i, tx := range bad {
		if tx.Check() == nil {
			t.Errorf("Check(bad %d: %+v) = nil", i, tx)
		}
	}
}
