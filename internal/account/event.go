package account

import (
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Topics this module publishes.
const (
	TopicUserRegistered   = event.Topic[UserRegistered]("account.user.registered.v1")
	TopicUserSuspended    = event.Topic[UserStatusChanged]("account.user.suspended.v1")
	TopicUserReinstated   = event.Topic[UserStatusChanged]("account.user.reinstated.v1")
	TopicSellerCreated    = event.Topic[SellerCreated]("account.seller.created.v1")
	TopicSellerSuspended  = event.Topic[SellerStatusChanged]("account.seller.suspended.v1")
	TopicSellerReinstated = event.Topic[SellerStatusChanged]("account.seller.reinstated.v1")
)

// UserRegistered is the payload of account.user.registered.v1, published
// for every new user (self-registered or made by an admin or the CLI).
type UserRegistered struct {
	UserID id.User `json:"user_id"`
	Email  string  `json:"email"`
	Name   string  `json:"name"`
	Role   string  `json:"role"`
}

// UserStatusChanged is the payload of account.user.suspended.v1 and
// account.user.reinstated.v1.
type UserStatusChanged struct {
	UserID id.User    `json:"user_id"`
	Role   string     `json:"role"`
	Status UserStatus `json:"status"`
}

// SellerCreated is the payload of account.seller.created.v1.
type SellerCreated struct {
	SellerID id.Seller `json:"seller_id"`
	UserID   id.User   `json:"user_id"`
	Name     string    `json:"name"`
	Slug     string    `json:"slug"`
}

// SellerStatusChanged is the payload of account.seller.suspended.v1 and
// account.seller.reinstated.v1.
type SellerStatusChanged struct {
	SellerID id.Seller    `json:"seller_id"`
	UserID   id.User      `json:"user_id"`
	Status   SellerStatus `json:"status"`
}
