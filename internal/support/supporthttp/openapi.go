package supporthttp

import (
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/support"
)

func enum[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// Ops describes every route Routes registers, for the OpenAPI document.
func (h *Handler) Ops() []rest.Op {
	tt := []string{"support"}
	rt := []string{"return"}
	ticket := rest.Param{Name: "id", In: "path", Description: "ticket ID (tkt_...)"}
	ret := rest.Param{Name: "id", In: "path", Description: "return ID (ret_...)"}
	staff := []auth.Role{auth.Admin, auth.Support}
	sellerOrStaff := []auth.Role{auth.Seller, auth.Admin, auth.Support}
	ops := []rest.Op{
		{
			ID: "openTicket", Method: "POST", Path: "/api/v1/ticket", Tags: tt, Auth: rest.AuthBearer, Roles: []auth.Role{auth.Customer},
			Summary: "Open a support ticket",
			Description: "subject (up to 200 characters) and body (up to 10,000) are required. At most one of order_id, " +
				"seller_order_id, product_id and return_id says what it is about; it must be the caller's (404 otherwise). " +
				"A ticket about a seller order, a return or a product also reaches that seller. category is inferred when " +
				"omitted. attachments are IDs of the caller's uploads (POST /api/v1/attachment), at most 5. The first-response " +
				"due time follows the priority: urgent 1 h, high 4 h, normal 24 h, low 72 h (payment tickets and escalated " +
				"returns start high).",
			Request: support.TicketInput{}, Response: support.Ticket{}, Status: 201, Errors: []int{400, 404},
			Headers: []rest.Param{{Name: "Location", Description: "the ticket's URL"}},
		},
		{
			ID: "tickets", Method: "GET", Path: "/api/v1/ticket", Tags: tt, Auth: rest.AuthBearer,
			Roles:   []auth.Role{auth.Customer, auth.Seller, auth.Admin, auth.Support},
			Summary: "Tickets: a customer's own, a seller's, or the support queue",
			Description: "Staff see every ticket, by default those awaiting a first response first (the earliest due, so the " +
				"overdue ones, leading), then the others by latest message; customers and sellers see theirs, newest first.",
			Params: append([]rest.Param{
				{Name: "status", Enum: enum(support.TicketStatuses)},
				{Name: "open", Type: "boolean", Description: "only tickets neither resolved nor closed"},
				{Name: "priority", Enum: enum(support.Priorities)},
				{Name: "overdue", Type: "boolean", Description: "only tickets past their first-response due time without an answer"},
				{Name: "assignee", Description: "staff: a user ID, me or none"},
				{Name: "seller", Description: "staff: only tickets concerning this seller (sel_...)"},
				{Name: "order", Description: "only tickets about this order (ord_...)"},
				{Name: "return", Description: "only tickets about this return (ret_...)"},
				{Name: "sort", Enum: []string{string(support.Newest), string(support.Due)}},
			}, rest.PageParams()...),
			Response: page.Page[support.Ticket]{}, Errors: []int{400},
		},
		{
			ID: "ticket", Method: "GET", Path: "/api/v1/ticket/{id}", Tags: tt, Auth: rest.AuthBearer,
			Summary:     "A ticket with its thread",
			Description: "Internal notes are shown to staff only. Another's ticket is 404.",
			Params:      []rest.Param{ticket}, Response: support.Ticket{}, Errors: []int{404},
		},
		{
			ID: "updateTicket", Method: "PUT", Path: "/api/v1/ticket/{id}", Tags: tt, Auth: rest.AuthBearer, Roles: staff,
			Summary: "Set a ticket's priority, assignee or status",
			Description: "assignee_id must be an active support agent or admin (\"\" unassigns). A new priority moves the " +
				"first-response due time while nobody has answered. A closed ticket cannot change (409 ticket_closed).",
			Params: []rest.Param{ticket}, Request: support.TicketUpdate{}, Response: support.Ticket{}, Errors: []int{400, 404, 409},
		},
		{
			ID: "replyTicket", Method: "POST", Path: "/api/v1/ticket/{id}/message", Tags: tt, Auth: rest.AuthBearer,
			Roles:   []auth.Role{auth.Customer, auth.Seller, auth.Admin, auth.Support},
			Summary: "Reply to a ticket, or add an internal note",
			Description: "The customer, the seller concerned and staff may reply; internal: true (staff only) adds a note " +
				"nobody else ever sees. A reply hands the ticket to whoever must answer next (awaiting_customer, " +
				"awaiting_seller or awaiting_support); a customer's reply reopens a resolved ticket; a closed one is 409 ticket_closed.",
			Params: []rest.Param{ticket}, Request: support.MessageInput{}, Response: support.Message{}, Status: 201, Errors: []int{400, 404, 409},
		},
		{
			ID: "resolveTicket", Method: "PUT", Path: "/api/v1/ticket/{id}/resolve", Tags: tt, Auth: rest.AuthBearer,
			Roles:       []auth.Role{auth.Customer, auth.Admin, auth.Support},
			Summary:     "Mark a ticket resolved",
			Description: "It closes by itself 7 days later unless reopened.",
			Params:      []rest.Param{ticket}, Response: support.Ticket{}, Errors: []int{404, 409},
		},
		{
			ID: "reopenTicket", Method: "PUT", Path: "/api/v1/ticket/{id}/reopen", Tags: tt, Auth: rest.AuthBearer,
			Roles:       []auth.Role{auth.Customer, auth.Admin, auth.Support},
			Summary:     "Reopen a resolved ticket",
			Description: "Only a resolved ticket (409 illegal_transition otherwise; 409 ticket_closed once closed).",
			Params:      []rest.Param{ticket}, Response: support.Ticket{}, Errors: []int{404, 409},
		},
		{
			ID: "uploadAttachment", Method: "POST", Path: "/api/v1/attachment", Tags: tt, Auth: rest.AuthBearer,
			Summary: "Upload a file to attach to a ticket message or a return",
			Description: "The raw body (Content-Type image/jpeg, image/png, image/webp or application/pdf, optional ?name=) " +
				"or the multipart/form-data field \"file\". The type is read from the bytes: anything else is 415 " +
				"unsupported_media_type; over 5 MB is 413 attachment_too_large. Attach it within 24 hours or it is deleted.",
			Params:  []rest.Param{{Name: "name", Description: "the file's name, for a raw body"}},
			Request: rest.File{Types: support.AttachmentTypes, Field: "file", MaxSize: support.MaxAttachmentSize}, Response: support.Attachment{}, Status: 201,
			Headers: []rest.Param{{Name: "Location", Description: "the file's URL"}}, Errors: []int{400, 413, 415},
		},
		{
			ID: "attachment", Method: "GET", Path: "/api/v1/attachment/{id}", Tags: tt, Auth: rest.AuthBearer,
			Summary:     "An attachment's bytes",
			Description: "To its uploader and those who see the ticket or return it belongs to (an internal note's: staff only). 404 otherwise.",
			Params:      []rest.Param{{Name: "id", In: "path", Description: "attachment ID (att_...)"}},
			Response:    rest.File{Types: support.AttachmentTypes, MaxSize: support.MaxAttachmentSize}, Errors: []int{404},
		},
		{
			ID: "requestReturn", Method: "POST", Path: "/api/v1/return", Tags: rt, Auth: rest.AuthBearer, Roles: []auth.Role{auth.Customer},
			Summary: "Ask to return items of a delivered seller order",
			Description: "lines name SKUs of the seller order with a quantity and a reason (damaged, defective, wrong_item, " +
				"not_as_described, no_longer_needed, size_or_fit, other). Refused with 422 return_window_closed after the " +
				"seller's window (14 days from delivery unless the seller set another), 422 not_returnable for a product of a " +
				"non-returnable category, 422 quantity_exceeds_delivered beyond what was delivered less other returns, 409 " +
				"not_delivered before delivery. photos are IDs of the caller's uploads (at most 5). When every reason is one " +
				"the seller approves automatically, the return is approved at once and a pickup scheduled. A line with exchange_sku " +
				"(another variant of the same product, in stock: see the eligibility's exchange options; else 422 " +
				"exchange_unavailable) gets that variant shipped at no charge instead of a refund once the parcel is received.",
			Request: support.ReturnInput{}, Response: support.Return{}, Status: 201, Errors: []int{400, 404, 409, 422},
			Headers: []rest.Param{{Name: "Location", Description: "the return's URL"}},
		},
		{
			ID: "returns", Method: "GET", Path: "/api/v1/return", Tags: rt, Auth: rest.AuthBearer,
			Summary: "Returns, newest first: a customer's, a seller's, a delivery partner's pickups, or all for staff",
			Params: append([]rest.Param{
				{Name: "status", Enum: enum(support.ReturnStatuses)},
				{Name: "seller_order", Description: "only returns of this seller order"},
				{Name: "order", Description: "only returns of this order"},
			}, rest.PageParams()...),
			Response: page.Page[support.Return]{}, Errors: []int{400, 403},
		},
		{
			ID: "returnEligibility", Method: "GET", Path: "/api/v1/return/eligibility/{id}", Tags: rt, Auth: rest.AuthBearer,
			Roles:       []auth.Role{auth.Customer},
			Summary:     "What of the caller's seller order may be returned, and until when",
			Description: "available is how many units of each line may still be returned (0 once the window closed or for a non-returnable product).",
			Params:      []rest.Param{{Name: "id", In: "path", Description: "seller order ID"}},
			Response:    support.Eligibility{}, Errors: []int{404},
		},
		{
			ID: "return", Method: "GET", Path: "/api/v1/return/{id}", Tags: rt, Auth: rest.AuthBearer,
			Summary:     "A return with its pickup and timeline",
			Description: "To its customer, its seller, its pickup's delivery partner and staff; 404 otherwise.",
			Params:      []rest.Param{ret}, Response: support.Return{}, Errors: []int{404},
		},
		{
			ID: "approveReturn", Method: "PUT", Path: "/api/v1/return/{id}/approve", Tags: rt, Auth: rest.AuthBearer, Roles: sellerOrStaff,
			Summary: "Approve a requested return and schedule its pickup",
			Description: "The seller or staff; staff may also approve a rejected return (an escalation). The pickup goes to " +
				"the least loaded delivery partner.",
			Params: []rest.Param{ret}, Response: support.Return{}, Errors: []int{403, 404, 409},
		},
		{
			ID: "rejectReturn", Method: "PUT", Path: "/api/v1/return/{id}/reject", Tags: rt, Auth: rest.AuthBearer, Roles: sellerOrStaff,
			Summary: "Reject a requested return with a reason",
			Params:  []rest.Param{ret}, Request: support.RejectInput{}, Response: support.Return{}, Errors: []int{400, 403, 404, 409},
		},
		{
			ID: "cancelReturn", Method: "PUT", Path: "/api/v1/return/{id}/cancel", Tags: rt, Auth: rest.AuthBearer,
			Roles:   []auth.Role{auth.Customer, auth.Admin, auth.Support},
			Summary: "Withdraw a return before its parcel is picked up",
			Params:  []rest.Param{ret}, Response: support.Return{}, Errors: []int{404, 409},
		},
		{
			ID: "receiveReturn", Method: "PUT", Path: "/api/v1/return/{id}/receive", Tags: rt, Auth: rest.AuthBearer, Roles: sellerOrStaff,
			Summary: "Record a return's parcel as received, and refund it",
			Description: "lines say how many units of each SKU arrived sellable (back into stock) or damaged (written off). " +
				"The refund, the units' price and their share of tax less restocking_fee, goes to the original payment; both " +
				"happen once however often this is repeated (a second call is 409 illegal_transition).",
			Params: []rest.Param{ret}, Request: support.ReceiveInput{}, Response: support.Return{}, Errors: []int{400, 403, 404, 409, 422},
		},
		{
			ID: "refundReturn", Method: "PUT", Path: "/api/v1/return/{id}/refund", Tags: rt, Auth: rest.AuthBearer, Roles: staff,
			Summary: "Refund a return without receiving it (support override)",
			Description: "For an approved, rejected or in-transit return: refunds the requested units to the original " +
				"payment; nothing goes back into stock. note says why.",
			Params: []rest.Param{ret}, Request: support.RefundInput{}, Response: support.Return{}, Errors: []int{400, 404, 409},
		},
		{
			ID: "updatePickup", Method: "PUT", Path: "/api/v1/return/{id}/pickup", Tags: rt, Auth: rest.AuthBearer,
			Roles:   []auth.Role{auth.Delivery, auth.Admin},
			Summary: "Record a return pickup's progress (the assigned delivery partner)",
			Description: "scheduled -> picked_up | failed_attempt; failed_attempt -> picked_up | failed_attempt; picked_up -> " +
				"delivered (to the seller). picked_up puts the return in transit.",
			Params: []rest.Param{ret}, Request: support.PickupInput{}, Response: support.Return{}, Errors: []int{400, 404, 409},
		},
		{
			ID: "returnPolicy", Method: "GET", Path: "/api/v1/seller/return-policy", Tags: rt, Auth: rest.AuthBearer, Roles: sellerOrStaff,
			Summary:  "A seller's return policy (the caller's store; staff name one with ?seller=)",
			Params:   []rest.Param{{Name: "seller", Description: "staff: the seller (sel_...)"}},
			Response: support.Policy{}, Errors: []int{400, 404},
		},
		{
			ID: "setReturnPolicy", Method: "PUT", Path: "/api/v1/seller/return-policy", Tags: rt, Auth: rest.AuthBearer,
			Roles:       []auth.Role{auth.Seller},
			Summary:     "Set the caller's return window and the reasons approved automatically",
			Description: "window_days is 0 to 365 days from delivery (0: no returns).",
			Request:     support.PolicyInput{}, Response: support.Policy{}, Errors: []int{400, 404},
		},
		{
			ID: "nonReturnableCategories", Method: "GET", Path: "/api/v1/admin/return-policy/category", Tags: rt, Auth: rest.AuthBearer, Roles: staff,
			Summary:  "The categories whose products cannot be returned",
			Response: NonReturnable{},
		},
		{
			ID: "setCategoryReturnable", Method: "PUT", Path: "/api/v1/admin/return-policy/category/{id}", Tags: rt, Auth: rest.AuthBearer,
			Roles:   []auth.Role{auth.Admin},
			Summary: "Mark a category (and its subcategories) returnable or not",
			Params:  []rest.Param{{Name: "id", In: "path", Description: "category ID or slug"}},
			Request: Returnable{}, Response: support.CategoryRule{}, Errors: []int{400, 404},
		},
	}
	ops[0].Limits = constraints()
	return ops
}

// constraints are what support's validation (tickets.go, returns.go)
// enforces, and so what its answers hold.
func constraints() []rest.Constraint {
	reasons := make([]string, len(support.Reasons))
	for i, r := range support.Reasons {
		reasons[i] = string(r)
	}
	sku := rest.Constraint{Field: "sku", Pattern: "^[A-Za-z0-9._-]{1,64}$", MaxLength: 64}
	quantity := rest.Constraint{Field: "quantity", Min: new(int64(0)), Max: new(int64(order.MaxQuantity))}
	of := func(v any, cs ...rest.Constraint) []rest.Constraint {
		for i := range cs {
			cs[i].Of = v
		}
		return cs
	}
	var out []rest.Constraint
	out = append(out, of(support.TicketInput{},
		rest.Constraint{Field: "subject", MinLength: 1, MaxLength: support.MaxSubject},
		rest.Constraint{Field: "body", MinLength: 1, MaxLength: support.MaxBody},
		rest.Constraint{Field: "attachments", MaxItems: support.MaxMessageAttachments})...)
	out = append(out, of(support.MessageInput{},
		rest.Constraint{Field: "body", MinLength: 1, MaxLength: support.MaxBody},
		rest.Constraint{Field: "attachments", MaxItems: support.MaxMessageAttachments})...)
	out = append(out, of(support.Message{},
		rest.Constraint{Field: "body", MaxLength: support.MaxBody},
		rest.Constraint{Field: "attachments", MaxItems: support.MaxMessageAttachments})...)
	out = append(out, of(support.Ticket{}, rest.Constraint{Field: "subject", MaxLength: support.MaxSubject})...)
	out = append(out, of(support.ReturnInput{},
		rest.Constraint{Field: "lines", MaxItems: support.MaxReturnLines},
		rest.Constraint{Field: "comment", MaxLength: support.MaxComment},
		rest.Constraint{Field: "photos", MaxItems: support.MaxPhotos})...)
	out = append(out, of(support.ReturnLineInput{}, sku, quantity,
		rest.Constraint{Field: "reason", Enum: reasons},
		rest.Constraint{Field: "exchange_sku", Pattern: "^[A-Za-z0-9._-]{0,64}$", MaxLength: 64})...)
	out = append(out, of(support.Return{},
		rest.Constraint{Field: "lines", MaxItems: support.MaxReturnLines},
		rest.Constraint{Field: "comment", MaxLength: support.MaxComment},
		rest.Constraint{Field: "photos", MaxItems: support.MaxPhotos})...)
	out = append(out, of(support.ReceiveInput{}, rest.Constraint{Field: "lines", MaxItems: support.MaxReturnLines})...)
	out = append(out, of(support.ReceiveLine{}, sku, quantity,
		rest.Constraint{Field: "condition", Enum: []string{string(support.Sellable), string(support.DamagedOnReceipt)}})...)
	out = append(out, of(support.PolicyInput{},
		rest.Constraint{Field: "window_days", Min: new(int64(0)), Max: new(int64(support.MaxWindowDays))},
		rest.Constraint{Field: "auto_approve", MaxItems: len(support.Reasons), Enum: reasons})...)
	out = append(out, of(support.Policy{},
		rest.Constraint{Field: "window_days", Min: new(int64(0)), Max: new(int64(support.MaxWindowDays))},
		rest.Constraint{Field: "auto_approve", MaxItems: len(support.Reasons), Enum: reasons})...)
	out = append(out, of(support.RejectInput{}, rest.Constraint{Field: "reason", MaxLength: support.MaxNote})...)
	out = append(out, of(support.RefundInput{}, rest.Constraint{Field: "note", MaxLength: support.MaxNote})...)
	// A seller order's lines, each with its product's other variants.
	out = append(out, of(support.Eligibility{}, rest.Constraint{Field: "lines", MaxItems: order.MaxSKUs})...)
	out = append(out, of(support.EligibilityLine{}, rest.Constraint{Field: "exchange", MaxItems: catalog.MaxVariants})...)
	out = append(out, of(NonReturnable{}, rest.Constraint{Field: "categories", MaxItems: catalog.MaxCategories})...)
	return out
}
