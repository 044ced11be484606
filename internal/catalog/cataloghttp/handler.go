// Package cataloghttp is the catalog's REST API.
//
//	GET    /api/v1/category                         the whole tree, flat, in display order (public)
//	GET    /api/v1/category/{id}                    one category by ID or slug (public)
//	POST   /api/v1/category                         create (admin) -> 201
//	PUT    /api/v1/category/{id}                    rename, re-slug, move, reorder (admin)
//	DELETE /api/v1/category/{id}                    delete an unused category (admin) -> 204
//	GET    /api/v1/product                          active products: filters, sort, cursor (public)
//	GET    /api/v1/product/{id}                     one product by ID or slug
//	POST   /api/v1/product                          create in the caller's store (seller) -> 201
//	PUT    /api/v1/product/{id}                     replace content (owner or admin)
//	DELETE /api/v1/product/{id}                     archive (owner or admin) -> 204
//	POST   /api/v1/product/{id}/image               upload an image, raw body or multipart "file" -> 201
//	DELETE /api/v1/product/{id}/image/{image_id}    remove an image -> 204
//	GET    /api/v1/image/{id}                       the image bytes, immutable and cacheable (public)
//	GET    /api/v1/seller/product                   the caller's own products of any status (seller)
package cataloghttp

import (
	"context"
	"net/http"
	"strconv"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// Handler serves the catalog's REST routes.
type Handler struct {
	svc   *catalog.Service
	stock catalog.Availability
}

// New returns the handler for svc. Products it answers with show each
// variant's availability from stock (*inventory.Service); nil shows 0.
func New(svc *catalog.Service, stock catalog.Availability) *Handler {
	return &Handler{svc: svc, stock: stock}
}

// Routes registers the catalog's routes on r.
func (h *Handler) Routes(r *rest.Router) {
	r.Handle("GET /api/v1/category", h.categories)
	r.Handle("GET /api/v1/category/{id}", h.category)
	r.Handle("POST /api/v1/category", h.createCategory)
	r.Handle("PUT /api/v1/category/{id}", h.updateCategory)
	r.Handle("DELETE /api/v1/category/{id}", h.deleteCategory)
	r.Handle("GET /api/v1/product", h.products)
	r.Handle("GET /api/v1/product/{id}", h.product)
	r.Handle("POST /api/v1/product", h.createProduct)
	r.Handle("PUT /api/v1/product/{id}", h.updateProduct)
	r.Handle("DELETE /api/v1/product/{id}", h.archiveProduct)
	r.Handle("POST /api/v1/product/{id}/image", h.addImage)
	r.Handle("DELETE /api/v1/product/{id}/image/{image_id}", h.deleteImage)
	r.Handle("GET /api/v1/image/{id}", h.image)
	r.Handle("GET /api/v1/seller/product", h.sellerProducts)
}

func (h *Handler) categories(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.svc.Categories(r.Context())
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []catalog.Category{}
	}
	rest.JSON(w, http.StatusOK, page.Page[catalog.Category]{Items: cs})
	return nil
}

func (h *Handler) category(w http.ResponseWriter, r *http.Request) error {
	c, err := h.svc.Category(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, c)
	return nil
}

func (h *Handler) createCategory(w http.ResponseWriter, r *http.Request) error {
	var in catalog.NewCategory
	if err := rest.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.CreateCategory(r.Context(), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusCreated, c)
	return nil
}

func (h *Handler) updateCategory(w http.ResponseWriter, r *http.Request) error {
	var in catalog.CategoryUpdate
	if err := rest.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.UpdateCategory(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, c)
	return nil
}

func (h *Handler) deleteCategory(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteCategory(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) products(w http.ResponseWriter, r *http.Request) error {
	q, err := parseQuery(r)
	if err != nil {
		return err
	}
	page, err := h.svc.Products(r.Context(), q)
	if err != nil {
		return err
	}
	if err := catalog.FillAvailable(r.Context(), h.stock, page.Items); err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, page)
	return nil
}

func (h *Handler) sellerProducts(w http.ResponseWriter, r *http.Request) error {
	q, err := parseQuery(r)
	if err != nil {
		return err
	}
	page, err := h.svc.SellerProducts(r.Context(), q)
	if err != nil {
		return err
	}
	if err := catalog.FillAvailable(r.Context(), h.stock, page.Items); err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, page)
	return nil
}

// parseQuery reads the list parameters; malformed numbers are field errors.
func parseQuery(r *http.Request) (catalog.ProductQuery, error) {
	v := r.URL.Query()
	q := catalog.ProductQuery{
		Category: v.Get("category"), Seller: v.Get("seller"), Brand: v.Get("brand"), Q: v.Get("q"),
		Currency: v.Get("currency"), Sort: catalog.Sort(v.Get("sort")), Status: catalog.Status(v.Get("status")),
		Cursor: v.Get("cursor"),
	}
	var f apperr.Fields
	var err error
	if q.Limit, err = rest.Limit(r); err != nil {
		e, _ := apperr.As(err)
		f = append(f, e.Fields...)
	}
	for _, p := range []struct {
		name string
		dst  **int64
	}{{"price_min", &q.PriceMin}, {"price_max", &q.PriceMax}} {
		s := v.Get(p.name)
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			f.Add(p.name, "must be a non-negative integer amount in minor units (1999 for 19.99)")
			continue
		}
		*p.dst = &n
	}
	return q, f.Err()
}

func (h *Handler) product(w http.ResponseWriter, r *http.Request) error {
	p, err := h.svc.Product(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := h.fill(r.Context(), &p); err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) createProduct(w http.ResponseWriter, r *http.Request) error {
	var in catalog.NewProduct
	if err := rest.Decode(w, r, &in); err != nil {
		return err
	}
	p, err := h.svc.CreateProduct(r.Context(), in)
	if err != nil {
		return err
	}
	if err := h.fill(r.Context(), &p); err != nil {
		return err
	}
	w.Header().Set("Location", string("/api/v1/product/"+p.ID))
	rest.JSON(w, http.StatusCreated, p)
	return nil
}

func (h *Handler) updateProduct(w http.ResponseWriter, r *http.Request) error {
	var in catalog.ProductUpdate
	if err := rest.Decode(w, r, &in); err != nil {
		return err
	}
	p, err := h.svc.UpdateProduct(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	if err := h.fill(r.Context(), &p); err != nil {
		return err
	}
	rest.JSON(w, http.StatusOK, p)
	return nil
}

// fill shows p's availability.
func (h *Handler) fill(ctx context.Context, p *catalog.Product) error {
	ps := []catalog.Product{*p}
	if err := catalog.FillAvailable(ctx, h.stock, ps); err != nil {
		return err
	}
	*p = ps[0]
	return nil
}

func (h *Handler) archiveProduct(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.ArchiveProduct(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// addImage takes the image as the raw body (Content-Type image/...) or as
// the multipart/form-data field "file".
func (h *Handler) addImage(w http.ResponseWriter, r *http.Request) error {
	up, err := rest.ReadUpload(w, r, rest.UploadRules{MaxSize: catalog.MaxImageSize, Types: catalog.ImageTypes,
		TooLarge: apperr.New(apperr.KindTooLarge, "image_too_large", "an image may be at most %d bytes", catalog.MaxImageSize),
		Unsupported: apperr.New(apperr.KindInvalid, "unsupported_media_type",
			"send the image as the body with Content-Type image/png, image/jpeg, image/gif or image/webp, or as multipart/form-data field \"file\""),
	})
	if err != nil {
		return err
	}
	img, err := h.svc.AddImage(r.Context(), id.Product(r.PathValue("id")), up.Declared, up.Data)
	if err != nil {
		return err
	}
	w.Header().Set("Location", img.URL)
	rest.JSON(w, http.StatusCreated, img)
	return nil
}

func (h *Handler) deleteImage(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.DeleteImage(r.Context(), id.Product(r.PathValue("id")), id.Image(r.PathValue("image_id"))); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// image serves an image's bytes. Images never change (a new upload gets a
// new ID), so they may be cached for a year.
func (h *Handler) image(w http.ResponseWriter, r *http.Request) error {
	img, f, err := h.svc.OpenImage(r.Context(), id.Image(r.PathValue("id")))
	if err != nil {
		return err
	}
	defer f.Close()
	hd := w.Header()
	hd.Set("Content-Type", img.ContentType)
	hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	hd.Set("ETag", `"`+img.SHA256+`"`)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeContent(w, r, "", img.CreatedAt, f)
	return nil
}
