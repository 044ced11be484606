// Package accounthttp is the REST API of the account module: sign-up and
// sign-in, the signed-in user, sellers, addresses and user administration.
package accounthttp

import (
	"net"
	"net/http"
	"strings"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// Handler serves the account routes.
type Handler struct {
	svc  *account.Service
	opts Options
}

// Options tune the Handler. The zero value serves everything from the
// request's own host.
type Options struct {
	// PublicURL is the site's public base URL ("https://shop.example.com")
	// that OpenID Connect callback URLs are built from. Empty: the
	// request's scheme and Host.
	PublicURL string
}

// New returns a Handler over svc.
func New(svc *account.Service, opts Options) *Handler {
	opts.PublicURL = strings.TrimRight(opts.PublicURL, "/")
	return &Handler{svc: svc, opts: opts}
}

// Routes registers the account routes on r.
func (h *Handler) Routes(r *rest.Router) {
	r.Handle("POST /api/v1/auth/register", h.register)
	r.Handle("POST /api/v1/auth/login", h.login)
	r.Handle("POST /api/v1/auth/refresh", h.refresh)
	r.Handle("POST /api/v1/auth/logout", h.logout)
	r.Handle("POST /api/v1/auth/verify-email", h.verifyEmail)
	r.Handle("POST /api/v1/auth/verify-email/resend", h.resendVerification)
	r.Handle("POST /api/v1/auth/password-reset", h.requestPasswordReset)
	r.Handle("POST /api/v1/auth/password-reset/confirm", h.resetPassword)
	r.Handle("GET /api/v1/auth/oidc", h.oidcProviders)
	r.Handle("GET /api/v1/auth/oidc/{provider}", h.oidcStart)
	r.Handle("GET /api/v1/auth/oidc/{provider}/callback", h.oidcCallback)
	r.Handle("POST /api/v1/auth/oidc/exchange", h.oidcExchange)

	r.Handle("GET /api/v1/me", h.me)
	r.Handle("PUT /api/v1/me", h.updateMe)
	r.Handle("PUT /api/v1/me/password", h.changePassword)
	r.Handle("POST /api/v1/me/email", h.changeEmail)

	r.Handle("POST /api/v1/seller", h.openStore)
	r.Handle("GET /api/v1/seller/me", h.mySeller)
	r.Handle("GET /api/v1/seller/{id}", h.seller)

	r.Handle("GET /api/v1/address", h.addresses)
	r.Handle("POST /api/v1/address", h.createAddress)
	r.Handle("GET /api/v1/address/{id}", h.address)
	r.Handle("PUT /api/v1/address/{id}", h.updateAddress)
	r.Handle("DELETE /api/v1/address/{id}", h.deleteAddress)

	r.Handle("GET /api/v1/admin/user", h.users)
	r.Handle("POST /api/v1/admin/user", h.createUser)
	r.Handle("GET /api/v1/admin/user/{id}", h.user)
	r.Handle("PUT /api/v1/admin/user/{id}/suspend", h.suspendUser)
	r.Handle("PUT /api/v1/admin/user/{id}/reinstate", h.reinstateUser)
	r.Handle("GET /api/v1/admin/seller", h.sellers)
	r.Handle("PUT /api/v1/admin/seller/{id}/suspend", h.suspendSeller)
	r.Handle("PUT /api/v1/admin/seller/{id}/reinstate", h.reinstateSeller)
}

// tokenJSON writes a session: token responses must not be cached.
func tokenJSON(w http.ResponseWriter, status int, s account.Session) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	rest.JSON(w, status, s)
}

// clientIP is the peer address of the connection. Proxy headers are not
// trusted: a deployment behind a proxy must rewrite RemoteAddr itself.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type registerRequest struct {
	Email    string    `json:"email"`
	Password string    `json:"password"`
	Name     string    `json:"name"`
	Role     auth.Role `json:"role"`
}

func (h *Handler) register(w http.ResponseWriter, r *http.Request) error {
	var req registerRequest
	if err := rest.Decode(w, r, &req); err != nil {
		return err
	}
	s, err := h.svc.Register(r.Context(), account.NewUser(req), h.client(r))
	if err != nil {
		return err
	}
	h.setDevice(w, r, s.Device)
	tokenJSON(w, http.StatusCreated, s)
	return nil
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := rest.Decode(w, r, &req); err != nil {
		return err
	}
	s, err := h.svc.Login(r.Context(), account.Credentials(req), h.client(r))
	if err != nil {
		return err
	}
	h.setDevice(w, r, s.Device)
	tokenJSON(w, http.StatusOK, s)
	return nil
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

func (h *Handler) refresh(w http.ResponseWriter, r *http.Request) error {
	var req refreshRequest
	if err := rest.Decode(w, r, &req); err != nil {
		return err
	}
	s, err := h.svc.Refresh(r.Context(), req.RefreshToken)
	if err != nil {
		return err
	}
	tokenJSON(w, http.StatusOK, s)
	return nil
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	var req refreshRequest
	if err := rest.Decode(w, r, &req); err != nil {
		return err
	}
	if err := h.svc.Logout(r.Context(), req.RefreshToken); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) error {
	u, err := h.svc.Me(r.Context())
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, u)
	return nil
}

type profileRequest struct {
	Name string `json:"name"`
}

func (h *Handler) updateMe(w http.ResponseWriter, r *http.Request) error {
	var req profileRequest
	if err := rest.Decode(w, r, &req); err != nil {
		return err
	}
	u, err := h.svc.UpdateMe(r.Context(), account.ProfileUpdate(req))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, u)
	return nil
}

type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) error {
	var req passwordRequest
	if err := rest.Decode(w, r, &req); err != nil {
		return err
	}
	if err := h.svc.ChangePassword(r.Context(), account.PasswordChange(req)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
