package id

// Typed IDs. Each aggregate's identifier has its own string type, so that a
// product ID cannot be passed where an order ID is expected and a renamed
// field breaks the build instead of the data. They live here, in the kernel
// beside New, rather than in each module, because IDs cross module
// boundaries in both directions (inventory reserves for an order; order
// names variants) and the dependency rules forbid a lower module importing
// a higher one.
//
// They are plain strings underneath: JSON, database/sql and pgx read and
// write them as strings, and string(x) / id.Order(s) convert at the edges
// (URL paths, external gateways).

// Kind is implemented by every typed ID: its prefix, as New takes it.
type Kind interface {
	~string
	Prefix() string
}

// Make returns a new ID of type T, such as Make[Order]() -> "ord_01j...".
func Make[T Kind]() T {
	var zero T
	return T(New(zero.Prefix()))
}

// Parse returns s as a T when it looks like one (prefix and 26 base32
// digits), for IDs that come from outside (a URL, a request body).
func Parse[T Kind](s string) (T, bool) {
	var zero T
	if !Valid(s, zero.Prefix()) {
		return zero, false
	}
	return T(s), true
}

// Strings returns ids as plain strings, for SQL IN lists and logs.
func Strings[T ~string](ids []T) []string {
	out := make([]string, len(ids))
	for i, v := range ids {
		out[i] = string(v)
	}
	return out
}

type (
	User        string // usr_: a person's account: customer, seller's staff, admin, support, delivery partner
	Session     string // ses_: a sign-in session
	Address     string // adr_: a customer's saved address
	Seller      string // sel_: a seller (a shop on the marketplace)
	Category    string // cat_
	Product     string // prd_
	Variant     string // var_: a product's sellable variant (one SKU)
	Image       string // img_: a product image
	Warehouse   string // whs_
	Cart        string // crt_
	CartLine    string // cli_: a line (one SKU) in a cart
	Order       string // ord_: a customer's order
	OrderLine   string // oli_
	SellerOrder string // sor_: one seller's part of an order
	Payment     string // pay_: one payment attempt
	Refund      string // rfd_
	Shipment    string // shp_
	Return      string // ret_: a return (RMA)
	Ticket      string // tkt_: a support ticket
	Message     string // msg_: a message in a ticket
	Attachment  string // att_
	Review      string // rev_
	Event       string // evt_: an event in the outbox
	Delivery    string // dlv_: an event's delivery to one consumer that failed or waits (a dead letter when it gives up)
)

func (User) Prefix() string        { return "usr" }
func (Session) Prefix() string     { return "ses" }
func (Address) Prefix() string     { return "adr" }
func (Seller) Prefix() string      { return "sel" }
func (Category) Prefix() string    { return "cat" }
func (Product) Prefix() string     { return "prd" }
func (Variant) Prefix() string     { return "var" }
func (Image) Prefix() string       { return "img" }
func (Warehouse) Prefix() string   { return "whs" }
func (Cart) Prefix() string        { return "crt" }
func (CartLine) Prefix() string    { return "cli" }
func (Order) Prefix() string       { return "ord" }
func (OrderLine) Prefix() string   { return "oli" }
func (SellerOrder) Prefix() string { return "sor" }
func (Payment) Prefix() string     { return "pay" }
func (Refund) Prefix() string      { return "rfd" }
func (Shipment) Prefix() string    { return "shp" }
func (Return) Prefix() string      { return "ret" }
func (Ticket) Prefix() string      { return "tkt" }
func (Message) Prefix() string     { return "msg" }
func (Attachment) Prefix() string  { return "att" }
func (Review) Prefix() string      { return "rev" }
func (Event) Prefix() string       { return "evt" }
func (Delivery) Prefix() string    { return "dlv" }
