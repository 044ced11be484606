package accounthttp

import (
	"context"
	"net/http"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// cursor is the keyset position of a list: the last ID returned.
type cursor struct {
	After string `json:"after"`
}

type pageQuery struct {
	after string
	limit int
}

func pageParams(r *http.Request) (pageQuery, error) {
	limit, err := rest.Limit(r)
	if err != nil {
		return pageQuery{}, err
	}
	var c cursor
	if s := r.URL.Query().Get("cursor"); s != "" {
		if err := page.DecodeCursor(s, &c); err != nil {
			return pageQuery{}, err
		}
	}
	return pageQuery{after: c.After, limit: limit}, nil
}

// pageOf trims items fetched with limit+1 to limit and sets the cursor if
// there are more.
func pageOf[T any](items []T, limit int, key func(T) string) page.Page[T] {
	p := page.Page[T]{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		p.NextCursor = page.EncodeCursor(cursor{After: key(items[limit-1])})
	}
	return p
}

func (h *Handler) users(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageParams(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	items, err := h.svc.Users(r.Context(), account.UserFilter{
		Role: auth.Role(q.Get("role")), Status: account.UserStatus(q.Get("status")), After: pg.after, Limit: pg.limit + 1})
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, pageOf(items, pg.limit, func(u account.User) string { return string(u.ID) }))
	return nil
}

func (h *Handler) user(w http.ResponseWriter, r *http.Request) error {
	u, err := h.svc.User(r.Context(), id.User(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, u)
	return nil
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) error {
	var req registerRequest
	if err := rest.Decode(w, r, &req); err != nil {
		return err
	}
	u, err := h.svc.AdminCreateUser(r.Context(), account.NewUser(req))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusCreated, u)
	return nil
}

func (h *Handler) suspendUser(w http.ResponseWriter, r *http.Request) error {
	return h.userAction(w, r, h.svc.SuspendUser)
}

func (h *Handler) reinstateUser(w http.ResponseWriter, r *http.Request) error {
	return h.userAction(w, r, h.svc.ReinstateUser)
}

func (h *Handler) userAction(w http.ResponseWriter, r *http.Request, do func(ctx context.Context, id id.User) (account.User, error)) error {
	u, err := do(r.Context(), id.User(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, u)
	return nil
}

func (h *Handler) sellers(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageParams(r)
	if err != nil {
		return err
	}
	items, err := h.svc.Sellers(r.Context(), account.SellerFilter{
		Status: account.SellerStatus(r.URL.Query().Get("status")), After: pg.after, Limit: pg.limit + 1})
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, pageOf(items, pg.limit, func(s account.Seller) string { return string(s.ID) }))
	return nil
}

func (h *Handler) suspendSeller(w http.ResponseWriter, r *http.Request) error {
	return h.sellerAction(w, r, h.svc.SuspendSeller)
}

func (h *Handler) reinstateSeller(w http.ResponseWriter, r *http.Request) error {
	return h.sellerAction(w, r, h.svc.ReinstateSeller)
}

func (h *Handler) sellerAction(w http.ResponseWriter, r *http.Request, do func(ctx context.Context, id id.Seller) (account.Seller, error)) error {
	s, err := do(r.Context(), id.Seller(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, s)
	return nil
}
