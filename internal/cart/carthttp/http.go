// Package carthttp is the REST door to carts and wishlists.
package carthttp

import (
	"net/http"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/cart"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// TokenHeader carries a guest's cart token both ways.
const TokenHeader = "X-Cart-Token"

// CookieName is the cookie a guest's cart token is also kept in.
const CookieName = "cart_token"

// Handler serves the cart and wishlist routes.
type Handler struct{ svc *cart.Service }

// New returns a Handler over svc.
func New(svc *cart.Service) *Handler { return &Handler{svc: svc} }

// Routes registers the cart and wishlist routes on r.
func (h *Handler) Routes(r *rest.Router) {
	r.Handle("GET /api/v1/cart", h.cart)
	r.Handle("POST /api/v1/cart/item", h.addItem)
	r.Handle("PUT /api/v1/cart/item/{id}", h.updateItem)
	r.Handle("DELETE /api/v1/cart/item/{id}", h.removeItem)
	r.Handle("POST /api/v1/cart/merge", h.merge)
	r.Handle("GET /api/v1/wishlist", h.wishlist)
	r.Handle("POST /api/v1/wishlist", h.addWish)
	r.Handle("DELETE /api/v1/wishlist/{product_id}", h.removeWish)
}

// token returns the guest cart token of the request: the header, else the cookie.
func token(r *http.Request) string {
	if t := r.Header.Get(TokenHeader); t != "" {
		return t
	}
	if c, err := r.Cookie(CookieName); err == nil {
		return c.Value
	}
	return ""
}

// writeCart answers with a cart. A guest gets its token in the header (and,
// when the cart is new, in a cookie); a signed-in caller's guest cookie is
// dropped, since its cart has been merged.
func writeCart(w http.ResponseWriter, r *http.Request, v cart.View) {
	secure := r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
	switch {
	case v.Token != "":
		w.Header().Set(TokenHeader, v.Token)
		if v.NewToken {
			http.SetCookie(w, &http.Cookie{Name: CookieName, Value: v.Token, Path: "/", HttpOnly: true,
				SameSite: http.SameSiteLaxMode, Secure: secure, MaxAge: int(cart.GuestTTL.Seconds())})
		}
	default:
		if _, signedIn := auth.From(r.Context()); signedIn {
			if _, err := r.Cookie(CookieName); err == nil {
				http.SetCookie(w, &http.Cookie{Name: CookieName, Path: "/", HttpOnly: true,
					SameSite: http.SameSiteLaxMode, Secure: secure, MaxAge: -1})
			}
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	rest.JSON(w, http.StatusOK, v)
}

func (h *Handler) cart(w http.ResponseWriter, r *http.Request) error {
	v, err := h.svc.Cart(r.Context(), token(r))
	if err != nil {
		return err
	}
	writeCart(w, r, v)
	return nil
}

func (h *Handler) merge(w http.ResponseWriter, r *http.Request) error {
	v, err := h.svc.Merge(r.Context(), token(r))
	if err != nil {
		return err
	}
	writeCart(w, r, v)
	return nil
}

func (h *Handler) addItem(w http.ResponseWriter, r *http.Request) error {
	var in cart.ItemInput
	if err := rest.Decode(w, r, &in); err != nil {
		return err
	}
	v, err := h.svc.AddItem(r.Context(), token(r), in)
	if err != nil {
		return err
	}
	writeCart(w, r, v)
	return nil
}

func (h *Handler) updateItem(w http.ResponseWriter, r *http.Request) error {
	var in cart.QuantityInput
	if err := rest.Decode(w, r, &in); err != nil {
		return err
	}
	v, err := h.svc.UpdateItem(r.Context(), token(r), id.CartLine(r.PathValue("id")), in)
	if err != nil {
		return err
	}
	writeCart(w, r, v)
	return nil
}

func (h *Handler) removeItem(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.RemoveItem(r.Context(), token(r), id.CartLine(r.PathValue("id"))); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) wishlist(w http.ResponseWriter, r *http.Request) error {
	limit, err := rest.Limit(r)
	if err != nil {
		return err
	}
	page, err := h.svc.Wishlist(r.Context(), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, page)
	return nil
}

// addWish answers 201 when the product was added, 200 when it already was there.
func (h *Handler) addWish(w http.ResponseWriter, r *http.Request) error {
	var in cart.WishInput
	if err := rest.Decode(w, r, &in); err != nil {
		return err
	}
	item, added, err := h.svc.AddToWishlist(r.Context(), in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if added {
		status = http.StatusCreated
	}
	rest.JSON(w, status, item)
	return nil
}

// removeWish answers 204 whether or not the product was on the wishlist.
func (h *Handler) removeWish(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.RemoveFromWishlist(r.Context(), id.Product(r.PathValue("product_id"))); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
