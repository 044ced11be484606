package livehttp

import (
	"github.com/bazaar-market/bazaar/internal/rest"
)

// Ops describes the live route for the OpenAPI document.
func (h *Handler) Ops() []rest.Op {
	return []rest.Op{{
		ID: "live", Method: "GET", Path: "/api/v1/live", Tags: []string{"live"}, Auth: rest.AuthBearer,
		Summary: "Live updates of the caller's notifications, orders and parcels (a WebSocket)",
		Description: "Upgrades to a WebSocket (101 Switching Protocols). Offer the subprotocols `" + Protocol + "` and `" + TokenPrefix +
			"<access token>` in Sec-WebSocket-Protocol (browsers cannot set Authorization on a WebSocket; other clients may). " +
			"The Origin must be this site's (or an allowed one): 403 otherwise. " +
			"Each text message is JSON `{\"id\", \"type\", \"data\"}`; type is notification, order, shipment, seller_order, reset or hello. " +
			"Reconnect with `after` set to the last id received to get what was missed; a `reset` message says it cannot be replayed and everything should be refetched. " +
			"Close codes: 4001 token expired (refresh and reconnect), 4008 slow consumer (reconnect), 1001 server going away. " +
			"A user may hold 8 sockets at once (429 beyond).",
		Params: []rest.Param{
			{Name: "after", Description: "the id of the last message received, to resume after it", MaxLength: 64},
			{Name: "Sec-WebSocket-Protocol", In: "header", Description: Protocol + ", " + TokenPrefix + "<access token>"},
		},
		Status: 101,
		Headers: []rest.Param{
			{Name: "Upgrade", Description: "websocket"},
			{Name: "Sec-WebSocket-Protocol", Description: Protocol + " when the client offered it"},
		},
		Errors: []int{400, 403, 429, 503},
	}}
}
