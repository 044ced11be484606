package accounthttp

import (
	"net/http"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// The remembered-device cookie: a random value whose hash the account
// module keeps per user, so that a sign-in from a browser never seen
// before is mailed to the user. HttpOnly, a year, scoped to the sign-in
// routes.
const (
	deviceCookie = "bazaar_device"
	devicePath   = "/api/v1/auth"
	deviceMaxAge = 365 * 24 * 60 * 60
)

// client describes where a sign-in comes from.
func (h *Handler) client(r *http.Request) account.Client {
	c := account.Client{IP: clientIP(r), UserAgent: r.UserAgent()}
	if ck, err := r.Cookie(deviceCookie); err == nil {
		c.Device = ck.Value
	}
	return c
}

func (h *Handler) setDevice(w http.ResponseWriter, r *http.Request, device string) {
	if device == "" {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: deviceCookie, Value: device, Path: devicePath, MaxAge: deviceMaxAge,
		HttpOnly: true, Secure: h.secure(r), SameSite: http.SameSiteLaxMode})
}

type tokenRequest struct {
	Token string `json:"token"`
}

func (h *Handler) verifyEmail(w http.ResponseWriter, r *http.Request) error {
	var req tokenRequest
	if err := rest.Decode(w, r, &req); err != nil {
		return err
	}
	u, err := h.svc.VerifyEmail(r.Context(), req.Token)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	rest.JSON(w, http.StatusOK, u)
	return nil
}

func (h *Handler) resendVerification(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.ResendVerification(r.Context()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

type resetRequest struct {
	Email string `json:"email"`
}

func (h *Handler) requestPasswordReset(w http.ResponseWriter, r *http.Request) error {
	var req resetRequest
	if err := rest.Decode(w, r, &req); err != nil {
		return err
	}
	if err := h.svc.RequestPasswordReset(r.Context(), req.Email, h.client(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

type resetConfirmRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

func (h *Handler) resetPassword(w http.ResponseWriter, r *http.Request) error {
	var req resetConfirmRequest
	if err := rest.Decode(w, r, &req); err != nil {
		return err
	}
	if err := h.svc.ResetPassword(r.Context(), account.PasswordReset(req)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type emailRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (h *Handler) changeEmail(w http.ResponseWriter, r *http.Request) error {
	var req emailRequest
	if err := rest.Decode(w, r, &req); err != nil {
		return err
	}
	if err := h.svc.ChangeEmail(r.Context(), account.EmailChange(req)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}
