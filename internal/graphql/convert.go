package graphql

import (
	"context"
	"net"
	"net/http"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/shipment"
)

// str is *p, or "" for nil.
func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// limit is a page size argument: page.DefaultLimit when absent, a field
// error outside 1..page.MaxLimit (the services check it too, but name it
// "limit" as REST's query parameter).
func limit(first *int) (int, error) {
	if first == nil {
		return 0, nil
	}
	var f apperr.Fields
	n := page.Limit(&f, *first)
	if len(f) > 0 {
		return 0, apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: "first", Message: page.LimitRule})
	}
	return n, nil
}

// pageInfo says where a page ends from its next cursor.
func pageInfo(next string) PageInfo {
	if next == "" {
		return PageInfo{}
	}
	return PageInfo{HasNextPage: true, EndCursor: &next}
}

func intOr(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func shipmentQuery(status *string, first *int, after *string) (shipment.ListQuery, error) {
	n, err := limit(first)
	return shipment.ListQuery{Status: shipment.Status(str(status)), Cursor: str(after), Limit: n}, err
}
func shipmentConnection(items []shipment.Shipment, next string) ShipmentConnection {
	if items == nil {
		items = []shipment.Shipment{}
	}
	return ShipmentConnection{Nodes: items, PageInfo: pageInfo(next)}
}

func newProduct(in ProductInput) catalog.NewProduct {
	out := catalog.NewProduct{Title: in.Title, Description: str(in.Description), Brand: str(in.Brand),
		CategoryID: id.Category(in.CategoryID), Attributes: in.Attributes, Status: catalog.Status(str(in.Status))}
	for _, v := range in.Variants {
		out.Variants = append(out.Variants, catalog.NewVariant{SKU: v.Sku, Options: v.Options, Price: v.Price})
	}
	return out
}
func productQuery(status *string, first *int, after *string) (catalog.ProductQuery, error) {
	n, err := limit(first)
	return catalog.ProductQuery{Status: catalog.Status(str(status)), Limit: n, Cursor: str(after)}, err
}
func productConnection(p page.Page[catalog.Product]) ProductConnection {
	if p.Items == nil {
		p.Items = []catalog.Product{}
	}
	return ProductConnection{Nodes: p.Items, PageInfo: pageInfo(p.NextCursor)}
}
func int64p(p *int) *int64 {
	if p == nil {
		return nil
	}
	n := int64(*p)
	return &n
}

type requestKey struct{}

// withRequest keeps the HTTP request in the context, for what the services
// want to know of the client (its address and user agent at sign-in).
func withRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestKey{}, r)))
	})
}

// clientFrom describes the caller for sign-in throttling, as REST does.
func clientFrom(ctx context.Context) account.Client {
	r, ok := ctx.Value(requestKey{}).(*http.Request)
	if !ok {
		return account.Client{}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return account.Client{IP: host, UserAgent: r.UserAgent()}
}
