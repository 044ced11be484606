package payment

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// MethodCOD is the payment method of cash on delivery: POST /api/v1/payment
// with method "cod". The payment goes through the built-in gateway "cod":
// it is authorised at once (the order is confirmed and its stock
// committed), captured when the order is delivered for the cash the
// delivery partners collected (SettleOnDelivery), and voided if nothing is
// delivered.
const MethodCOD = "cod"

// CODPolicy is the marketplace's cash-on-delivery rule: the largest order
// total taken in cash, per currency (minor units); AnyCurrency applies to
// currencies not named. A currency with no limit takes no cash. Sellers
// take cash on delivery unless they switch it off (SetSellerCOD).
type CODPolicy struct {
	Limits map[string]int64
}

// AnyCurrency is the key of CODPolicy.Limits for every other currency.
const AnyCurrency = "*"

// ParseCODLimits parses "INR:50000,USD:500,*:300" (major units, two
// decimals at most) into a CODPolicy's limits. "off" or "" means none.
func ParseCODLimits(s string) (map[string]int64, error) {
	out := map[string]int64{}
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "off") {
		return out, nil
	}
	for part := range strings.SplitSeq(s, ",") {
		cur, amount, ok := strings.Cut(strings.TrimSpace(part), ":")
		cur = strings.ToUpper(strings.TrimSpace(cur))
		if !ok || (cur != AnyCurrency && !money.ValidCurrency(cur)) {
			return nil, fmt.Errorf("cash on delivery limit %q: want CURRENCY:AMOUNT such as INR:50000", part)
		}
		minor, err := parseMajor(strings.TrimSpace(amount))
		if err != nil || minor <= 0 {
			return nil, fmt.Errorf("cash on delivery limit %q: the amount must be a positive number such as 500 or 499.99", part)
		}
		out[cur] = minor
	}
	return out, nil
}

// parseMajor parses "500" or "499.99" into minor units.
func parseMajor(s string) (int64, error) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || len(whole) > 10 {
		return 0, fmt.Errorf("bad amount %q", s)
	}
	var n int64
	for _, c := range whole + (frac + "00")[:2] {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("bad amount %q", s)
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}

// limit is the cash-on-delivery limit in currency, if it takes cash.
func (p *CODPolicy) limit(currency string) (money.Money, bool) {
	if p == nil {
		return money.Money{}, false
	}
	if n, ok := p.Limits[currency]; ok {
		return money.New(n, currency), true
	}
	if n, ok := p.Limits[AnyCurrency]; ok {
		return money.New(n, currency), true
	}
	return money.Money{}, false
}

// CODInfo says whether an order can be paid in cash on delivery.
type CODInfo struct {
	Available bool        `json:"available"`
	Limit     money.Money `json:"limit"`
	// Reason says why not, for the customer.
	Reason string `json:"reason,omitempty"`
	// Code is the machine code of the reason: "cod_limit_exceeded" or
	// "cod_unavailable".
	Code string `json:"-"`
}

// COD says whether an order of amount (a zero amount: any within the limit)
// from sellers can be paid in cash on delivery; nil when the marketplace
// takes no cash in amount's currency.
func (s *Service) COD(ctx context.Context, amount money.Money, sellers []id.Seller) (*CODInfo, error) {
	lim, ok := s.cod.limit(amount.Currency)
	if !ok {
		return nil, nil
	}
	info := &CODInfo{Available: true, Limit: lim}
	if amount.Amount > lim.Amount {
		info.Available, info.Code = false, "cod_limit_exceeded"
		info.Reason = fmt.Sprintf("Cash on delivery is available for orders up to %s.", lim)
		return info, nil
	}
	refusing, err := s.store.CODRefusing(ctx, sellers)
	if err != nil {
		return nil, fmt.Errorf("read sellers' cash on delivery: %w", err)
	}
	if len(refusing) > 0 {
		info.Available, info.Code = false, "cod_unavailable"
		info.Reason = "A seller of this order does not take cash on delivery."
		if len(sellers) > 1 {
			info.Reason = fmt.Sprintf("%d of this order's %d sellers do not take cash on delivery.", len(refusing), len(slices.Compact(slices.Sorted(slices.Values(sellers)))))
		}
	}
	return info, nil
}

// checkCOD refuses a cash-on-delivery payment the policy or a seller does
// not allow, as Unprocessable with the reason.
func (s *Service) checkCOD(ctx context.Context, in Start) error {
	info, err := s.COD(ctx, in.Amount, in.Sellers)
	if err != nil {
		return err
	}
	if info == nil {
		return apperr.Unprocessable("cod_unavailable", "cash on delivery is not available for payments in %s", in.Amount.Currency)
	}
	if !info.Available {
		return apperr.Unprocessable(info.Code, "%s", info.Reason)
	}
	return nil
}

// SellerCOD says whether the caller's store takes cash on delivery.
func (s *Service) SellerCOD(ctx context.Context) (SellerCOD, error) {
	sel, err := s.callerSeller(ctx)
	if err != nil {
		return SellerCOD{}, err
	}
	refusing, err := s.store.CODRefusing(ctx, []id.Seller{sel})
	if err != nil {
		return SellerCOD{}, fmt.Errorf("read cash on delivery of %s: %w", sel, err)
	}
	return SellerCOD{Enabled: len(refusing) == 0}, nil
}

// SellerCOD is a store's cash-on-delivery switch.
type SellerCOD struct {
	Enabled bool `json:"enabled"`
}

// SetSellerCOD switches cash on delivery on or off for the caller's store.
// Orders already confirmed for cash keep it.
func (s *Service) SetSellerCOD(ctx context.Context, in SellerCOD) (SellerCOD, error) {
	sel, err := s.callerSeller(ctx)
	if err != nil {
		return SellerCOD{}, err
	}
	if err := s.store.SetCOD(ctx, sel, in.Enabled, s.now()); err != nil {
		return SellerCOD{}, fmt.Errorf("set cash on delivery of %s: %w", sel, err)
	}
	return in, nil
}

func (s *Service) callerSeller(ctx context.Context) (id.Seller, error) {
	p, err := auth.Require(ctx, auth.Seller)
	if err != nil {
		return "", err
	}
	if s.sellers == nil {
		return "", apperr.NotFound("you have no store: open one first")
	}
	sel, err := s.sellers.SellerOfUser(ctx, p.UserID)
	if apperr.Is(err, apperr.KindNotFound) {
		return "", apperr.NotFound("you have no store: open one first")
	}
	if err != nil {
		return "", fmt.Errorf("look up store of %s: %w", p.UserID, err)
	}
	return sel, nil
}

// Sellers tells the payment module which store a seller's user runs
// (NotFound when it runs none).
type Sellers interface {
	SellerOfUser(ctx context.Context, user id.User) (id.Seller, error)
}

// SettleOnDelivery settles an order's authorised payment once its parcels
// have all been delivered or refused: it captures amount (the cash the
// delivery partners collected), or voids the payment when amount is zero.
// An order with no authorised payment (prepaid, or settled already) is left
// alone and its current payment, if any, returned. The caller acts for the
// system: it checks no authorisation.
func (s *Service) SettleOnDelivery(ctx context.Context, orderID id.Order, amount money.Money) (Payment, error) {
	ps, err := s.store.OrderPayments(ctx, orderID)
	if err != nil {
		return Payment{}, err
	}
	var held *Payment
	for i := range ps {
		if ps[i].Status == Authorized {
			held = &ps[i]
		}
	}
	if held == nil {
		for i := len(ps) - 1; i >= 0; i-- {
			if ps[i].Status.Captured() || ps[i].Status == Voided {
				return ps[i], nil
			}
		}
		return Payment{}, nil
	}
	if amount.Amount <= 0 {
		return s.void(ctx, *held)
	}
	if amount.Currency != held.Amount.Currency || amount.Amount > held.Amount.Amount {
		return Payment{}, apperr.Unprocessable("amount_mismatch", "cannot capture %v of payment %s, authorised for %v", amount, held.ID, held.Amount)
	}
	return s.capture(ctx, held.ID, amount)
}

// void gives up an authorised payment, at the gateway first when it holds
// the authorisation.
func (s *Service) void(ctx context.Context, p Payment) (Payment, error) {
	gw, err := s.gatewayOf(p)
	if err != nil {
		return Payment{}, err
	}
	if v, ok := gw.(Voider); ok && p.GatewayIntentID != "" {
		if _, err := v.Void(ctx, p.GatewayIntentID, p.IdempotencyKey+":void"); err != nil && !definite(err) {
			return Payment{}, &apperr.Error{Kind: apperr.KindUnavailable, Code: "gateway_unavailable",
				Message: "the payment gateway did not answer; retry shortly", Err: fmt.Errorf("void %s: %w", p.ID, err)}
		}
	}
	return s.store.Update(ctx, p.ID, func(q *Payment) ([]Event, error) { return q.Void(s.now()) })
}

// cashGateway is the built-in gateway of cash on delivery. It holds no
// state: an intent is authorised as soon as it is made, captured for what
// the delivery partners collected, and a refund of cash is paid by the
// marketplace outside any gateway (a bank transfer, store credit), so it is
// recorded as done.
type cashGateway struct{}

// CODGateway is the name of the cash-on-delivery gateway.
const CODGateway = "cod"

func (cashGateway) Name() string { return CODGateway }

func (cashGateway) CreateIntent(_ context.Context, in IntentParams) (Intent, error) {
	return Intent{ID: "cod_" + in.PaymentID, Status: IntentRequiresCapture, Amount: in.Amount, PaymentID: in.PaymentID}, nil
}

func (cashGateway) Intent(_ context.Context, intentID string) (Intent, error) {
	return Intent{ID: intentID, Status: IntentRequiresCapture, PaymentID: strings.TrimPrefix(intentID, "cod_")}, nil
}

func (cashGateway) Capture(_ context.Context, in CaptureParams) (Intent, error) {
	return Intent{ID: in.IntentID, Status: IntentSucceeded, Amount: in.Amount}, nil
}

func (cashGateway) Void(_ context.Context, intentID, _ string) (Intent, error) {
	return Intent{ID: intentID, Status: IntentCanceled}, nil
}

func (cashGateway) Refund(_ context.Context, in RefundParams) (GatewayRefund, error) {
	return GatewayRefund{ID: "cod_" + in.RefundID, IntentID: in.IntentID, Amount: in.Amount, Status: RefundSucceeded,
		PaymentID: in.PaymentID, RefundID: in.RefundID}, nil
}

func (cashGateway) VerifyWebhook(Header, []byte) (WebhookEvent, error) {
	return WebhookEvent{}, apperr.Invalid("no_webhooks", "cash on delivery has no webhooks")
}
