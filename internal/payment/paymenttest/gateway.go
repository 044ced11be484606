// Package paymenttest has the payment Store contract suite and gateway
// test doubles.
package paymenttest

import (
	"context"
	"errors"
	"sync"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/payment"
)

// ErrLost is what Counting returns for a call it made but "lost" the answer of.
var ErrLost = errors.New("paymenttest: connection lost after the gateway answered")

// Counting wraps a gateway, counts the calls that reach it and can lose
// answers, as a crash or a network cut between the gateway and Bazaar would.
type Counting struct {
	payment.Gateway

	mu sync.Mutex
	// Creates and Refunds count calls that reached the gateway.
	Creates, Refunds int
	// LoseCreates and LoseRefunds make that many next calls reach the
	// gateway and then fail with ErrLost.
	LoseCreates, LoseRefunds int
}

// CreateIntent calls the gateway and counts the call.
func (c *Counting) CreateIntent(ctx context.Context, in payment.IntentParams) (payment.Intent, error) {
	out, err := c.Gateway.CreateIntent(ctx, in)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Creates++
	if c.LoseCreates > 0 && err == nil {
		c.LoseCreates--
		return payment.Intent{}, ErrLost
	}
	return out, err
}

// Refund calls the gateway and counts the call.
func (c *Counting) Refund(ctx context.Context, in payment.RefundParams) (payment.GatewayRefund, error) {
	out, err := c.Gateway.Refund(ctx, in)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Refunds++
	if c.LoseRefunds > 0 && err == nil {
		c.LoseRefunds--
		return payment.GatewayRefund{}, ErrLost
	}
	return out, err
}

// Capture passes through when the wrapped gateway captures later;
// otherwise it refuses, as a gateway that captures at once would.
func (c *Counting) Capture(ctx context.Context, in payment.CaptureParams) (payment.Intent, error) {
	if g, ok := c.Gateway.(payment.Capturer); ok {
		return g.Capture(ctx, in)
	}
	return payment.Intent{}, apperr.Unprocessable("not_capturable", "gateway %s captures at once", c.Gateway.Name())
}

// Void passes through when the wrapped gateway voids authorisations;
// otherwise there is nothing to void at the gateway.
func (c *Counting) Void(ctx context.Context, intentID, key string) (payment.Intent, error) {
	if g, ok := c.Gateway.(payment.Voider); ok {
		return g.Void(ctx, intentID, key)
	}
	return payment.Intent{ID: intentID, Status: payment.IntentCanceled}, nil
}

// ValidateMethod passes through when the wrapped gateway validates methods.
func (c *Counting) ValidateMethod(method string) error {
	if v, ok := c.Gateway.(payment.MethodValidator); ok {
		return v.ValidateMethod(method)
	}
	return nil
}

// VerifyWebhook passes through.
func (c *Counting) VerifyWebhook(h payment.Header, body []byte) (payment.WebhookEvent, error) {
	return c.Gateway.VerifyWebhook(h, body)
}

// Calls returns the counts.
func (c *Counting) Calls() (creates, refunds int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Creates, c.Refunds
}
