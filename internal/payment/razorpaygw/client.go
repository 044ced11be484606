package razorpaygw

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
)

// maxResponse bounds what is read of a Razorpay answer.
const maxResponse = 4 << 20

// apiError is Razorpay's error body: {"error": {...}}.
type apiError struct {
	Code        string `json:"code"`
	Description string `json:"description"`
	Source      string `json:"source"`
	Step        string `json:"step"`
	Reason      string `json:"reason"`
	Field       string `json:"field"`
}

// call sends one request to Razorpay and decodes a 2xx answer into out.
//
// Errors: a 4xx answer other than 401, 403, 408 and 429 means Razorpay
// refused and made nothing: apperr Unprocessable, with Razorpay's reason
// as the code ("razorpay_refused" when it gives none) and its description
// as the message. Everything else (network errors, timeouts, 5xx, 429, and
// 401/403, which are this server's configuration and not the customer's
// fault) is an unclassified error: the outcome is unknown and the caller
// may repeat the call.
func (g *Gateway) call(ctx context.Context, method, path string, query url.Values, body, out any) error {
	u := g.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("razorpay: %s %s: encode: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("razorpay: %s %s: %w", method, path, err)
	}
	req.SetBasicAuth(g.keyID, g.keySecret)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := g.http.Do(req)
	if err != nil {
		g.log.WarnContext(ctx, "razorpay request failed", "method", method, "path", path, "took", time.Since(start), "err", redactURL(err))
		return fmt.Errorf("razorpay: %s %s: %w", method, path, redactURL(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("razorpay: %s %s: read answer (status %d): %w", method, path, resp.StatusCode, err)
	}
	g.log.DebugContext(ctx, "razorpay request", "method", method, "path", path, "status", resp.StatusCode, "took", time.Since(start))
	if resp.StatusCode/100 == 2 {
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("razorpay: %s %s: decode answer: %w", method, path, err)
		}
		return nil
	}
	var e struct {
		Error apiError `json:"error"`
	}
	_ = json.Unmarshal(raw, &e)
	switch s := resp.StatusCode; {
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		g.log.ErrorContext(ctx, "razorpay refused the API key; check the key ID and secret", "status", s, "description", e.Error.Description)
		return fmt.Errorf("razorpay: %s %s: %d: API key refused: %s", method, path, s, e.Error.Description)
	case s == http.StatusTooManyRequests || s == http.StatusRequestTimeout || s >= 500 || s < 400:
		return fmt.Errorf("razorpay: %s %s: %d %s: %s", method, path, s, e.Error.Code, e.Error.Description)
	}
	code := e.Error.Reason
	if code == "" || code == "NA" {
		code = "razorpay_refused"
	}
	desc := e.Error.Description
	if desc == "" {
		desc = fmt.Sprintf("razorpay refused the request (%d)", resp.StatusCode)
	}
	ae := apperr.New(apperr.KindUnprocessable, code, "%s", desc)
	if e.Error.Field != "" {
		ae.Fields = []apperr.FieldError{{Field: e.Error.Field, Message: desc}}
	}
	ae.Err = fmt.Errorf("razorpay: %s %s: %d %s", method, path, resp.StatusCode, e.Error.Code)
	return ae
}

// redactURL drops the query from a *url.Error's URL: receipts are ours,
// but nothing else of a request belongs in a log line.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if i := strings.IndexByte(ue.URL, '?'); i >= 0 {
			c := *ue
			c.URL = ue.URL[:i]
			return &c
		}
	}
	return err
}

// refused reports whether err is Razorpay's definite refusal.
func refused(err error) bool { return apperr.Is(err, apperr.KindUnprocessable) }
