package notifyhttp

import (
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/notify"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// Ops describes every route Routes registers, for the OpenAPI document.
func (h *Handler) Ops() []rest.Op {
	tags := []string{"notify"}
	admin := []auth.Role{auth.Admin}
	ops := []rest.Op{
		{
			ID: "notifications", Method: "GET", Path: "/api/v1/notification", Tags: tags, Auth: rest.AuthBearer,
			Summary:     "The caller's in-app notifications, newest first",
			Description: "unread counts every unread notification of the caller, not only this page's.",
			Params:      rest.PageParams(), Response: notify.Inbox{}, Errors: []int{400},
		},
		{
			ID: "readNotification", Method: "PUT", Path: "/api/v1/notification/{id}/read", Tags: tags, Auth: rest.AuthBearer,
			Summary:     "Mark one of the caller's notifications read",
			Description: "Marking a read notification again keeps its first read time. Another user's notification is 404.",
			Params:      []rest.Param{{Name: "id", In: "path", Description: "notification ID (ntf_...)"}},
			Response:    notify.Notification{}, Errors: []int{404},
		},
		{
			ID: "readAllNotifications", Method: "PUT", Path: "/api/v1/notification/read", Tags: tags, Auth: rest.AuthBearer,
			Summary:  "Mark every notification of the caller read",
			Response: readAllResponse{},
		},
		{
			ID: "notificationPreferences", Method: "GET", Path: "/api/v1/notification/preference", Tags: tags, Auth: rest.AuthBearer,
			Summary:     "The caller's channels (in-app, e-mail) per category",
			Description: "Every category is listed; a category never set has every channel on. email_required marks transactional e-mail (order confirmations, cancellations, refunds), which cannot be turned off.",
			Response:    notify.Preferences{},
		},
		{
			ID: "setNotificationPreferences", Method: "PUT", Path: "/api/v1/notification/preference", Tags: tags, Auth: rest.AuthBearer,
			Summary:     "Set the caller's channels for the categories listed",
			Description: "Categories left out keep their channels. Turning off the e-mail of a category whose email_required is true is a field error.",
			Request:     preferencesInput{}, Response: notify.Preferences{},
		},
		{
			ID: "adminMails", Method: "GET", Path: "/api/v1/admin/mail", Tags: tags, Auth: rest.AuthBearer, Roles: admin,
			Summary:     "The mail outbox, newest first (without bodies)",
			Description: "Every e-mail the platform sent or will send: status pending (waiting, or retrying after last_error), sent, or dead (every attempt failed).",
			Params: append([]rest.Param{{Name: "status", Enum: []string{string(notify.MailPending), string(notify.MailSent), string(notify.MailDead)},
				Description: "only mail in this status"}}, rest.PageParams()...),
			Response: page.Page[notify.Mail]{}, Errors: []int{400},
		},
		{
			ID: "adminMail", Method: "GET", Path: "/api/v1/admin/mail/{id}", Tags: tags, Auth: rest.AuthBearer, Roles: admin,
			Summary:  "One outbox mail with its plain-text and HTML parts",
			Params:   []rest.Param{{Name: "id", In: "path", Description: "mail ID (mal_...)"}},
			Response: notify.Mail{}, Errors: []int{404},
		},
	}
	ops[0].Limits = constraints()
	return ops
}

// constraints are the sizes and values notify keeps to.
func constraints() []rest.Constraint {
	categories := make([]string, len(notify.Categories))
	for i, c := range notify.Categories {
		categories[i] = string(c)
	}
	return []rest.Constraint{
		{Of: notify.Inbox{}, Field: "items", MaxItems: page.MaxLimit},
		// One preference a category: a category listed twice is refused.
		{Of: notify.Preferences{}, Field: "items", MaxItems: len(notify.Categories)},
		{Of: preferencesInput{}, Field: "items", MaxItems: len(notify.Categories)},
		{Of: notify.Preference{}, Field: "category", Enum: categories},
		{Of: preferenceInput{}, Field: "category", Enum: categories},
	}
}
