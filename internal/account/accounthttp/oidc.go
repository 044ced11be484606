package accounthttp

import (
	"net/http"
	"net/url"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// The browser binding cookie ties an OpenID Connect flow to the browser
// that started it: the callback and the hand-off exchange must carry it, so
// a callback URL or hand-off code replayed in another browser (login CSRF,
// a leaked link) is refused. The flow itself (state, nonce, PKCE verifier)
// is kept server-side in the account module's table, where single use is a
// DELETE ... RETURNING; the cookie holds only a random value whose hash the
// flow stores. HttpOnly; SameSite=Lax, since the provider's redirect back
// is a top-level cross-site GET; scoped to the OIDC routes.
const (
	bindingCookie = "bazaar_oidc"
	bindingPath   = "/api/v1/auth/oidc"
)

// Where the browser lands: the web app's route that finishes the sign-in
// (the hand-off code in the URL fragment, which browsers never send to a
// server or proxy), or the sign-in page with an error code.
const (
	webFinish = "/signin/oidc"
	webSignIn = "/signin"
)

type providersResponse struct {
	Items []account.ProviderInfo `json:"items"`
}

func (h *Handler) oidcProviders(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-cache")
	rest.JSON(w, http.StatusOK, providersResponse{Items: h.svc.IdentityProviders()})
	return nil
}

func (h *Handler) callbackURL(r *http.Request, provider string) string {
	base := h.opts.PublicURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + "/api/v1/auth/oidc/" + url.PathEscape(provider) + "/callback"
}

func (h *Handler) secure(r *http.Request) bool {
	if h.opts.PublicURL != "" {
		u, err := url.Parse(h.opts.PublicURL)
		return err == nil && u.Scheme == "https"
	}
	return r.TLS != nil
}

func (h *Handler) oidcStart(w http.ResponseWriter, r *http.Request) error {
	provider := r.PathValue("provider")
	// One binding per browser: a second tab's flow reuses it rather than
	// breaking the first's.
	binding := ""
	if c, err := r.Cookie(bindingCookie); err == nil && len(c.Value) == 43 {
		binding = c.Value
	} else {
		binding = account.NewBinding()
	}
	to, err := h.svc.StartOIDC(r.Context(), provider, h.callbackURL(r, provider), binding, r.URL.Query().Get("next"))
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: bindingCookie, Value: binding, Path: bindingPath, MaxAge: int(account.OIDCFlowTTL.Seconds()),
		HttpOnly: true, Secure: h.secure(r), SameSite: http.SameSiteLaxMode})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to, http.StatusFound)
	return nil
}

func (h *Handler) oidcCallback(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	cb := account.OIDCCallback{State: q.Get("state"), Code: q.Get("code"), Error: q.Get("error")}
	if c, err := r.Cookie(bindingCookie); err == nil {
		cb.Binding = c.Value
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	code, next, err := h.svc.FinishOIDC(r.Context(), r.PathValue("provider"), cb)
	if err != nil {
		c := apperr.CodeOf(err)
		if rest.Status(err) == http.StatusInternalServerError || c == "" {
			rest.Logger(r.Context()).ErrorContext(r.Context(), "oidc callback failed", "provider", r.PathValue("provider"), "err", err)
			c = "oidc_failed"
		}
		http.Redirect(w, r, webSignIn+"?oidc_error="+url.QueryEscape(c), http.StatusSeeOther)
		return nil
	}
	frag := url.Values{"code": {code}}
	if next != "" {
		frag.Set("next", next)
	}
	http.Redirect(w, r, webFinish+"#"+frag.Encode(), http.StatusSeeOther)
	return nil
}

type exchangeRequest struct {
	Code string `json:"code"`
}

func (h *Handler) oidcExchange(w http.ResponseWriter, r *http.Request) error {
	var req exchangeRequest
	if err := rest.Decode(w, r, &req); err != nil {
		return err
	}
	binding := ""
	if c, err := r.Cookie(bindingCookie); err == nil {
		binding = c.Value
	}
	s, err := h.svc.ExchangeOIDC(r.Context(), req.Code, binding)
	if err != nil {
		return err
	}
	// The flow is over: drop the binding cookie.
	http.SetCookie(w, &http.Cookie{Name: bindingCookie, Value: "", Path: bindingPath, MaxAge: -1,
		HttpOnly: true, Secure: h.secure(r), SameSite: http.SameSiteLaxMode})
	tokenJSON(w, http.StatusOK, s)
	return nil
}
