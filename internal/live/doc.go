// Package live pushes what happens to a user to that user's open
// connections as it happens: new in-app notifications, the status changes
// of the user's orders and parcels, and, to a seller, new orders.
//
// The Hub keeps, per user, the open subscriptions and a bounded backlog
// of recent messages (256 messages, 15 minutes by default), so a client
// that reconnects with the last message ID it saw receives what it missed.
// Message IDs are "<epoch>.<sequence>": the epoch is made up when the
// process starts and the sequence only grows, so an ID from another
// process or from before a restart is recognised and answered with a
// "reset" message (the client refetches) instead of a silent gap. Each
// subscription has a bounded send queue; a subscriber that does not keep
// up is dropped, never waited for.
//
// It only subscribes to events (a consumer group per process, "live.<replica>",
// since every process must see every event for the sockets it holds):
// order.placed.v1, order.paid.v1, order.status_changed.v1,
// order.cancelled.v1, shipment.created.v1, shipment.status_changed.v1.
// Notifications arrive from the notify module through Notify, which the
// composition root calls after notify's transaction commits. It owns no
// tables and publishes nothing; livehttp is its WebSocket door.
package live
