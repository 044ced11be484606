// Package catalogrpc is the catalog's gRPC service (bazaar.catalog.v1.
// CatalogService): the same service calls as cataloghttp, in protobuf.
package catalogrpc

import (
	"context"
	"net/http"

	"connectrpc.com/connect"

	"github.com/bazaar-market/bazaar/internal/catalog"
	catalogv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/catalog/v1"
	"github.com/bazaar-market/bazaar/internal/gen/bazaar/catalog/v1/catalogv1connect"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/rpc"
)

// Server implements CatalogService over the catalog and the stock that
// products show.
type Server struct {
	svc   *catalog.Service
	stock catalog.Availability
}

var _ catalogv1connect.CatalogServiceHandler = (*Server)(nil)

// New returns the service over svc; products show each variant's
// availability from stock (*inventory.Service).
func New(svc *catalog.Service, stock catalog.Availability) *Server {
	return &Server{svc: svc, stock: stock}
}

// Handler returns the service's path and HTTP handler.
func (s *Server) Handler(opts ...connect.HandlerOption) (string, http.Handler) {
	return catalogv1connect.NewCatalogServiceHandler(s, opts...)
}

func (s *Server) GetProduct(ctx context.Context, req *connect.Request[catalogv1.GetProductRequest]) (*connect.Response[catalogv1.GetProductResponse], error) {
	p, err := s.svc.Product(ctx, req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	ps := []catalog.Product{p}
	if err := catalog.FillAvailable(ctx, s.stock, ps); err != nil {
		return nil, err
	}
	return connect.NewResponse(&catalogv1.GetProductResponse{Product: Product(ps[0])}), nil
}

func (s *Server) ListProducts(ctx context.Context, req *connect.Request[catalogv1.ListProductsRequest]) (*connect.Response[catalogv1.ListProductsResponse], error) {
	m := req.Msg
	q := catalog.ProductQuery{
		Category: m.GetCategory(), Seller: m.GetSeller(), Brand: m.GetBrand(), Q: m.GetQ(), Currency: m.GetCurrency(),
		PriceMin: m.PriceMin, PriceMax: m.PriceMax, Sort: catalog.Sort(m.GetSort()), Status: catalog.Status(m.GetStatus()),
		Cursor: m.GetPageToken(), Limit: rpc.PageSize(m.GetPageSize()),
	}
	pg, err := s.svc.Products(ctx, q)
	if err != nil {
		return nil, err
	}
	if err := catalog.FillAvailable(ctx, s.stock, pg.Items); err != nil {
		return nil, err
	}
	out := &catalogv1.ListProductsResponse{NextPageToken: pg.NextCursor}
	for _, p := range pg.Items {
		out.Products = append(out.Products, Product(p))
	}
	return connect.NewResponse(out), nil
}

func (s *Server) ListCategories(ctx context.Context, _ *connect.Request[catalogv1.ListCategoriesRequest]) (*connect.Response[catalogv1.ListCategoriesResponse], error) {
	cs, err := s.svc.Categories(ctx)
	if err != nil {
		return nil, err
	}
	out := &catalogv1.ListCategoriesResponse{}
	for _, c := range cs {
		out.Categories = append(out.Categories, Category(c))
	}
	return connect.NewResponse(out), nil
}

func (s *Server) UpdateProduct(ctx context.Context, req *connect.Request[catalogv1.UpdateProductRequest]) (*connect.Response[catalogv1.UpdateProductResponse], error) {
	m := req.Msg
	in := catalog.ProductUpdate{
		Title: m.GetTitle(), Description: m.GetDescription(), Brand: m.GetBrand(), CategoryID: id.Category(m.GetCategoryId()),
		Attributes: m.GetAttributes(), Status: catalog.Status(m.GetStatus()),
	}
	for _, v := range m.GetVariants() {
		in.Variants = append(in.Variants, catalog.NewVariant{SKU: v.GetSku(), Options: v.GetOptions(), Price: rpc.FromMoney(v.GetPrice())})
	}
	p, err := s.svc.UpdateProduct(ctx, m.GetId(), in)
	if err != nil {
		return nil, err
	}
	ps := []catalog.Product{p}
	if err := catalog.FillAvailable(ctx, s.stock, ps); err != nil {
		return nil, err
	}
	return connect.NewResponse(&catalogv1.UpdateProductResponse{Product: Product(ps[0])}), nil
}

// Product is p in protobuf.
func Product(p catalog.Product) *catalogv1.Product {
	out := &catalogv1.Product{
		Id: string(p.ID), Slug: p.Slug, SellerId: string(p.SellerID), Title: p.Title, Description: p.Description,
		Brand: p.Brand, CategoryId: string(p.CategoryID), Attributes: p.Attributes, Status: string(p.Status),
		Category: &catalogv1.CategoryRef{Id: string(p.Category.ID), Name: p.Category.Name, Slug: p.Category.Slug, Path: p.Category.Path},
		PriceMin: rpc.Money(p.PriceMin), PriceMax: rpc.Money(p.PriceMax),
		CreatedAt: rpc.Time(p.CreatedAt), UpdatedAt: rpc.Time(p.UpdatedAt),
	}
	for _, v := range p.Variants {
		out.Variants = append(out.Variants, &catalogv1.Variant{Id: string(v.ID), Sku: v.SKU, Options: v.Options,
			Price: rpc.Money(v.Price), Available: v.Available})
	}
	for _, im := range p.Images {
		out.Images = append(out.Images, &catalogv1.Image{Id: string(im.ID), Url: im.URL, ContentType: im.ContentType,
			Width: int32(im.Width), Height: int32(im.Height), Size: im.Size, CreatedAt: rpc.Time(im.CreatedAt)})
	}
	return out
}

// Category is c in protobuf.
func Category(c catalog.Category) *catalogv1.Category {
	out := &catalogv1.Category{Id: string(c.ID), Name: c.Name, Slug: c.Slug, Position: int32(c.Position), Depth: int32(c.Depth),
		Path: c.Path, CreatedAt: rpc.Time(c.CreatedAt), UpdatedAt: rpc.Time(c.UpdatedAt)}
	if c.ParentID != nil {
		out.ParentId = string(*c.ParentID)
	}
	return out
}
