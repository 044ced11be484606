package cataloghttp

import (
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/rest"
)

// Ops describes every route Routes registers, for the OpenAPI document.
func (h *Handler) Ops() []rest.Op {
	cat, prod := []string{"category"}, []string{"product"}
	adminOnly := []auth.Role{auth.Admin}
	sellerOrAdmin := []auth.Role{auth.Seller, auth.Admin}
	idOrSlug := func(what string) rest.Param {
		return rest.Param{Name: "id", In: "path", Description: "the " + what + "'s ID or slug"}
	}
	location := []rest.Param{{Name: "Location", Description: "the URL of the created resource"}}
	ops := []rest.Op{
		{
			ID: "categories", Method: "GET", Path: "/api/v1/category", Tags: cat, Auth: rest.AuthNone,
			Summary:     "The whole category tree",
			Description: "Every category, flat, in display order (parents before children); path names the ancestors. Never paginated: next_cursor is never set.",
			Response:    page.Page[catalog.Category]{},
		},
		{
			ID: "category", Method: "GET", Path: "/api/v1/category/{id}", Tags: cat, Auth: rest.AuthNone,
			Summary: "One category", Params: []rest.Param{idOrSlug("category")}, Response: catalog.Category{}, Errors: []int{404},
		},
		{
			ID: "createCategory", Method: "POST", Path: "/api/v1/category", Tags: cat, Auth: rest.AuthBearer, Roles: adminOnly,
			Summary:     "Create a category",
			Description: "The slug is made from the name. parent_id null makes a root category; the tree is at most 6 levels deep.",
			Request:     catalog.NewCategory{}, Response: catalog.Category{}, Status: 201, Errors: []int{409},
		},
		{
			ID: "updateCategory", Method: "PUT", Path: "/api/v1/category/{id}", Tags: cat, Auth: rest.AuthBearer, Roles: adminOnly,
			Summary:     "Rename, re-slug, move or reorder a category",
			Description: "Only the fields sent change; parent_id \"\" moves it to the root. A category cannot move under itself or its descendants.",
			Params:      []rest.Param{idOrSlug("category")},
			Request:     catalog.CategoryUpdate{}, Response: catalog.Category{}, Errors: []int{404, 409},
		},
		{
			ID: "deleteCategory", Method: "DELETE", Path: "/api/v1/category/{id}", Tags: cat, Auth: rest.AuthBearer, Roles: adminOnly,
			Summary:     "Delete an unused category",
			Description: "A category with sub-categories or products is 409 category_in_use.",
			Params:      []rest.Param{idOrSlug("category")}, Errors: []int{404, 409},
		},
		{
			ID: "products", Method: "GET", Path: "/api/v1/product", Tags: prod, Auth: rest.AuthOptional,
			Summary:     "Browse active products",
			Description: "Filters combine; sort newest (default), price_asc or price_desc. Only admins may list another status.",
			Params:      append(productFilters(), rest.Param{Name: "seller", Description: "only this seller's products (sel_...)"}),
			Response:    page.Page[catalog.Product]{}, Errors: []int{400},
		},
		{
			ID: "product", Method: "GET", Path: "/api/v1/product/{id}", Tags: prod, Auth: rest.AuthOptional,
			Summary:     "One product with its variants, prices, availability and images",
			Description: "Drafts and archived products are seen only by their owner and admins; for anyone else they are 404.",
			Params:      []rest.Param{idOrSlug("product")}, Response: catalog.Product{}, Errors: []int{404},
		},
		{
			ID: "createProduct", Method: "POST", Path: "/api/v1/product", Tags: prod, Auth: rest.AuthBearer, Roles: sellerOrAdmin,
			Summary:     "List a new product in the caller's store",
			Description: "status defaults to draft. A caller without a store is 409 store_required, a suspended store 403 seller_suspended, a seller whose e-mail address is not verified 403 email_unverified for an active product (drafts are allowed), a SKU already used on the marketplace 409 sku_taken. All variants share one currency.",
			Request:     catalog.NewProduct{}, Response: catalog.Product{}, Status: 201, Headers: location, Errors: []int{409},
		},
		{
			ID: "updateProduct", Method: "PUT", Path: "/api/v1/product/{id}", Tags: prod, Auth: rest.AuthBearer, Roles: sellerOrAdmin,
			Summary:     "Replace a product's content (its owner or an admin)",
			Description: "Variants are matched by SKU: existing ones keep their ID, new ones are added and omitted ones removed. Status archived archives it. Making a product active needs a verified e-mail address (403 email_unverified).",
			Params:      []rest.Param{idOrSlug("product")},
			Request:     catalog.ProductUpdate{}, Response: catalog.Product{}, Errors: []int{404, 409},
		},
		{
			ID: "archiveProduct", Method: "DELETE", Path: "/api/v1/product/{id}", Tags: prod, Auth: rest.AuthBearer, Roles: sellerOrAdmin,
			Summary:     "Archive a product (its owner or an admin)",
			Description: "The product is withdrawn from sale but kept for order history. Archiving an archived product does nothing.",
			Params:      []rest.Param{idOrSlug("product")}, Errors: []int{404},
		},
		{
			ID: "addImage", Method: "POST", Path: "/api/v1/product/{id}/image", Tags: prod, Auth: rest.AuthBearer, Roles: sellerOrAdmin,
			Summary:     "Upload a product image",
			Description: "The image is the raw body (Content-Type image/png, image/jpeg, image/gif or image/webp) or the multipart/form-data field \"file\"; at most 5 MiB, its bytes must match its type. A product has at most 20 images (409 too_many_images).",
			Params:      []rest.Param{idOrSlug("product")},
			Request:     rest.File{Types: catalog.ImageTypes, Field: "file", MaxSize: catalog.MaxImageSize}, Response: catalog.Image{}, Status: 201,
			Headers: []rest.Param{{Name: "Location", Description: "the image's URL"}}, Errors: []int{404, 409},
		},
		{
			ID: "deleteImage", Method: "DELETE", Path: "/api/v1/product/{id}/image/{image_id}", Tags: prod, Auth: rest.AuthBearer, Roles: sellerOrAdmin,
			Summary: "Remove a product image",
			Params:  []rest.Param{idOrSlug("product"), {Name: "image_id", In: "path", Description: "image ID (img_...)"}},
			Errors:  []int{404},
		},
		{
			ID: "image", Method: "GET", Path: "/api/v1/image/{id}", Tags: prod, Auth: rest.AuthNone,
			Summary:     "An image's bytes",
			Description: "Images never change (a new upload gets a new ID), so they are cacheable for a year. Conditional (If-None-Match: 304) and range requests (206) are answered as usual.",
			Params:      []rest.Param{{Name: "id", In: "path", Description: "image ID (img_...)"}},
			Response:    rest.File{Types: catalog.ImageTypes, MaxSize: catalog.MaxImageSize},
			Headers: []rest.Param{
				{Name: "Cache-Control", Description: "public, max-age=31536000, immutable"},
				{Name: "ETag", Description: "the image's SHA-256"},
			},
			Errors: []int{404},
		},
		{
			ID: "sellerProducts", Method: "GET", Path: "/api/v1/seller/product", Tags: prod, Auth: rest.AuthBearer, Roles: sellerOrAdmin,
			Summary:     "The caller's own products, of any status",
			Description: "Every status unless status names one. A caller without a store is 409 store_required.",
			Params:      productFilters(),
			Response:    page.Page[catalog.Product]{}, Errors: []int{400, 409},
		},
	}
	ops[0].Limits = constraints()
	return ops
}

// constraints are what catalog's validation enforces (product.go's and
// category.go's limits), and so what its answers hold.
func constraints() []rest.Constraint {
	status := []string{string(catalog.Draft), string(catalog.Active), string(catalog.Archived)}
	sku := rest.Constraint{Field: "sku", Pattern: "^[A-Za-z0-9._-]{1,64}$", MaxLength: 64}
	// hasControl refuses every Unicode control character.
	const text = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
	name := rest.Constraint{Field: "name", MinLength: 1, MaxLength: 100, Pattern: text}
	slug := rest.Constraint{Field: "slug", Pattern: "^[a-z0-9]+(-[a-z0-9]+)*$", MaxLength: 80}
	path := rest.Constraint{Field: "path", MaxItems: catalog.MaxCategoryDepth, MaxLength: 100}
	of := func(v any, cs ...rest.Constraint) []rest.Constraint {
		for i := range cs {
			cs[i].Of = v
		}
		return cs
	}
	var out []rest.Constraint
	for _, v := range []any{catalog.NewProduct{}, catalog.Product{}} {
		out = append(out, of(v,
			rest.Constraint{Field: "title", MinLength: 1, MaxLength: 200, Pattern: text},
			rest.Constraint{Field: "description", MaxLength: 20000},
			rest.Constraint{Field: "brand", MaxLength: 100, Pattern: text},
			rest.Constraint{Field: "attributes", MaxItems: catalog.MaxAttributes, MaxLength: 500, Pattern: text},
			rest.Constraint{Field: "variants", MaxItems: catalog.MaxVariants},
		)...)
	}
	out = append(out, of(catalog.NewProduct{}, rest.Constraint{Field: "status", Enum: append([]string{""}, status...)},
		// A category's ID or its slug.
		rest.Constraint{Field: "category_id", Pattern: "^[0-9A-Za-z_-]{1,80}$", MaxLength: 80})...)
	out = append(out, of(catalog.Product{}, rest.Constraint{Field: "status", Enum: status},
		rest.Constraint{Field: "images", MaxItems: catalog.MaxImages}, slug)...)
	for _, v := range []any{catalog.NewVariant{}, catalog.Variant{}} {
		out = append(out, of(v, sku, rest.Constraint{Field: "options", MaxItems: catalog.MaxOptions, MaxLength: 64})...)
	}
	out = append(out, of(catalog.Image{},
		rest.Constraint{Field: "url", MaxLength: 128, Pattern: "^/api/v1/image/img_[0-9a-z]+$"},
		rest.Constraint{Field: "content_type", Enum: catalog.ImageTypes},
		rest.Constraint{Field: "size", Min: new(int64(1)), Max: new(int64(catalog.MaxImageSize))})...)
	out = append(out, of(catalog.NewCategory{}, name)...)
	out = append(out, of(catalog.CategoryUpdate{}, name, slug)...)
	out = append(out, of(catalog.Category{}, name, slug, path,
		rest.Constraint{Field: "depth", Min: new(int64(0)), Max: new(int64(catalog.MaxCategoryDepth))})...)
	out = append(out, of(catalog.CategoryRef{}, name, slug, path)...)
	return out
}

// productFilters are the query parameters parseQuery reads (seller aside).
func productFilters() []rest.Param {
	return append([]rest.Param{
		{Name: "category", Description: "a category ID or slug; includes its sub-categories"},
		{Name: "brand", Description: "exact brand, any case", MaxLength: 100},
		{Name: "q", Description: "text the title contains, any case", MaxLength: 100},
		{Name: "currency", Description: "only products priced in this ISO 4217 currency"},
		{Name: "price_min", Type: "integer", Format: "int64", Min: new(int64(0)), Description: "some variant costs at least this, in minor units"},
		{Name: "price_max", Type: "integer", Format: "int64", Min: new(int64(0)), Description: "some variant costs at most this, in minor units"},
		{Name: "sort", Enum: []string{"newest", "price_asc", "price_desc"}, Default: "newest"},
		{Name: "status", Enum: []string{"draft", "active", "archived"}},
	}, rest.PageParams()...)
}
