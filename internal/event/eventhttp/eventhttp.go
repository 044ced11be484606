// Package eventhttp is the REST door to event delivery for admins: the dead
// letters of every consumer, and their replay.
package eventhttp

import (
	"net/http"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// Handler serves the admin event routes.
type Handler struct{ console *event.Console }

// New returns a Handler over console.
func New(console *event.Console) *Handler { return &Handler{console: console} }

// Routes registers the routes on r.
func (h *Handler) Routes(r *rest.Router) {
	r.Handle("GET /api/v1/admin/event/dead", h.dead)
	r.Handle("PUT /api/v1/admin/event/dead/{id}/replay", h.replay)
}

func (h *Handler) dead(w http.ResponseWriter, r *http.Request) error {
	limit, err := rest.Limit(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	page, err := h.console.DeadLetters(r.Context(), event.DeadFilter{Consumer: q.Get("consumer"), Topic: q.Get("topic"),
		After: q.Get("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, page)
	return nil
}

func (h *Handler) replay(w http.ResponseWriter, r *http.Request) error {
	d, err := h.console.Replay(r.Context(), id.Delivery(r.PathValue("id")))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, d)
	return nil
}

// Ops describes every route Routes registers, for the OpenAPI document.
func (h *Handler) Ops() []rest.Op {
	tags := []string{"admin"}
	admin := []auth.Role{auth.Admin}
	ops := []rest.Op{
		{
			ID: "deadLetters", Method: "GET", Path: "/api/v1/admin/event/dead", Tags: tags, Auth: rest.AuthBearer, Roles: admin,
			Summary: "Events a consumer could not apply, oldest first",
			Description: "An event that fails for one consumer is retried with backoff (1 s, 2 s, 4 s ... up to 5 minutes) " +
				"while the other consumers and the consumer's other aggregates go on; after its last attempt it is listed " +
				"here with the consumer's last error, until an admin replays it.",
			Params: append([]rest.Param{
				{Name: "consumer", Description: "only this consumer's (e.g. order, shipment, search.signals)"},
				{Name: "topic", Description: "only events of this topic (e.g. order.paid.v1)"},
			}, rest.PageParams()...),
			Response: event.DeadPage{}, Errors: []int{400},
		},
		{
			ID: "replayDeadLetter", Method: "PUT", Path: "/api/v1/admin/event/dead/{id}/replay", Tags: tags, Auth: rest.AuthBearer, Roles: admin,
			Summary:     "Give a dead letter to its consumer again",
			Description: "The event goes back to the head of its aggregate's queue with a fresh count of attempts and is retried at once. 404 if the ID names no dead letter (one replayed already is no longer dead).",
			Params:      []rest.Param{{Name: "id", In: "path", Description: "dead letter ID (dlv_...)"}},
			Response:    event.DeadLetter{}, Errors: []int{404},
		},
	}
	ops[0].Limits = constraints()
	return ops
}

// constraints are the page size event.Dead keeps to (1..100).
func constraints() []rest.Constraint {
	return []rest.Constraint{{Of: event.DeadPage{}, Field: "items", MaxItems: 100}}
}
