package razorpayfake

import (
	"context"
	_ "embed"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
)

//go:embed checkout.js
var checkoutJS []byte

// SiteOptions configures Site.
type SiteOptions struct {
	// Deliver receives the webhooks a Checkout payment makes, as Razorpay
	// would post them (signed headers, raw body); nil keeps them queued for
	// Send. A server hosting the fake delivers them to its own webhook route.
	Deliver func(ctx context.Context, h http.Header, body []byte) error
	Logger  *slog.Logger // slog.Default() when nil
}

// Site is the fake as a web site, for a server to mount in process (under
// a prefix it strips, such as /_fake/razorpay):
//
//	GET  /checkout.js            a stand-in for Razorpay Checkout's script: window.Razorpay
//	                             with Checkout's constructor, open, close and on("payment.failed"),
//	                             whose modal pays through the endpoint below
//	POST /checkout/{order_id}    {"outcome": "success"|"failure"|"insufficient_funds"}: plays
//	                             the customer's payment (Pay) and answers what Checkout hands the
//	                             page: the proof {razorpay_payment_id, razorpay_order_id,
//	                             razorpay_signature}, or {"error": {code, description, source,
//	                             step, reason, metadata}} for a failed payment
//	     /v1/...                 the API (Basic auth), as ServeHTTP
//
// Anyone who can reach the site can pay any order: it is for demos and
// tests only.
func (f *Fake) Site(opts SiteOptions) http.Handler {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	m := http.NewServeMux()
	m.HandleFunc("GET /checkout.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(checkoutJS)
	})
	m.HandleFunc("POST /checkout/{order_id}", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Outcome string `json:"outcome"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<10)).Decode(&in); err != nil {
			writeError(w, http.StatusBadRequest, apiError{Code: "BAD_REQUEST_ERROR", Description: "the body is not JSON"})
			return
		}
		outcomes := map[string]Outcome{"success": Success, "failure": Declined, "insufficient_funds": InsufficientFunds}
		out, ok := outcomes[in.Outcome]
		if !ok {
			badRequest(w, "input_validation_failed", "outcome", "outcome must be success, failure or insufficient_funds")
			return
		}
		c, err := f.Pay(r.PathValue("order_id"), out)
		if err != nil {
			writeError(w, http.StatusBadRequest, apiError{Code: "BAD_REQUEST_ERROR", Description: strings.TrimPrefix(err.Error(), "razorpayfake: ")})
			return
		}
		if opts.Deliver != nil {
			// Razorpay's webhooks race the browser's confirmation; here they
			// arrive first, which the server must handle as well.
			if _, err := f.Deliver(r.Context(), opts.Deliver); err != nil {
				log.WarnContext(r.Context(), "razorpay fake: webhook not delivered; it is tried again with the next payment", "err", err)
			}
		}
		if c.Signature == "" {
			writeJSON(w, http.StatusOK, map[string]any{"error": map[string]any{
				"code": c.ErrorCode, "description": c.ErrorDescription, "source": "bank", "step": "payment_authorization",
				"reason": c.ErrorReason, "metadata": map[string]string{"order_id": c.OrderID, "payment_id": c.PaymentID}}})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"razorpay_payment_id": c.PaymentID, "razorpay_order_id": c.OrderID,
			"razorpay_signature": c.Signature})
	})
	m.Handle("/v1/", f)
	return m
}

// Transport is an http.RoundTripper that answers every request with the
// fake's API in process, whatever the URL's host: the driver reaches a fake
// hosted by the same server with no network and no listening port.
func (f *Fake) Transport() http.RoundTripper { return handlerTransport{f} }

type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	if req.Body != nil {
		defer req.Body.Close()
	}
	rec := httptest.NewRecorder()
	in := req.Clone(req.Context())
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = "127.0.0.1:0"
	t.h.ServeHTTP(rec, in)
	if err := req.Context().Err(); err != nil {
		return nil, err // the client gave up, as over a network
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}
