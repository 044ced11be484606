package shipment

import "github.com/bazaar-market/bazaar/internal/shipment/shipmentevent"

// The events this module publishes are declared in shipmentevent (the order
// module consumes them); these names are the module's own view of them.
const (
	TopicCreated       = shipmentevent.TopicCreated
	TopicStatusChanged = shipmentevent.TopicStatusChanged
)

// Created and StatusChanged are the payloads of TopicCreated and
// TopicStatusChanged.
type (
	Created       = shipmentevent.Created
	StatusChanged = shipmentevent.StatusChanged
)
