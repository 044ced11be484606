package catalog

import (
	"context"
	"errors"
	"maps"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
)

// CreateProduct lists a new product in the caller's store (sellers; an
// admin with a store too). A caller without a store gets Conflict
// "store_required"; a suspended store Forbidden "seller_suspended". A SKU
// used anywhere on the marketplace is Conflict "sku_taken".
func (s *Service) CreateProduct(ctx context.Context, in NewProduct) (Product, error) {
	pr, err := auth.Require(ctx, auth.Seller, auth.Admin)
	if err != nil {
		return Product{}, err
	}
	seller, err := s.sellerOf(ctx, pr.UserID)
	if err != nil {
		return Product{}, err
	}
	if err := suspended(seller); err != nil {
		return Product{}, err
	}
	in, err = cleanProduct(in, true)
	if err != nil {
		return Product{}, err
	}
	if in.Status == Active {
		if err := s.mayList(ctx); err != nil {
			return Product{}, err
		}
	}
	cat, t, err := s.productCategory(ctx, string(in.CategoryID))
	if err != nil {
		return Product{}, err
	}
	now := s.clock()
	p := Product{
		ID: id.Make[id.Product](), SellerID: seller.ID, Status: in.Status, CategoryID: cat.ID,
		Images: []Image{}, CreatedAt: now, UpdatedAt: now,
	}
	applyContent(&p, in)
	base := Slugify(p.Title, maxProductSlugLn, "product")
	p.Slug = base
	for attempt := 0; ; attempt++ {
		err = s.store.CreateProduct(ctx, p, productEvent(TopicProductCreated, p, t))
		if apperr.CodeOf(err) != "slug_taken" || attempt == 4 {
			break
		}
		// Another product has this title's slug: add a short random suffix
		// taken from a fresh ID (its last, random, characters).
		suffix := id.New("x")
		p.Slug = trimSlug(base, maxProductSlugLn-7) + "-" + suffix[len(suffix)-6:]
	}
	if err != nil {
		return Product{}, err
	}
	ps := []Product{p}
	if err := s.fill(ctx, ps); err != nil {
		return Product{}, err
	}
	return ps[0], nil
}

// UpdateProduct replaces a product's content (its owner or an admin).
// Variants are matched by SKU: existing ones keep their ID, new ones are
// added and omitted ones removed. Setting status archived archives it.
func (s *Service) UpdateProduct(ctx context.Context, idOrSlug string, in ProductUpdate) (Product, error) {
	cur, err := s.ownedProduct(ctx, idOrSlug)
	if err != nil {
		return Product{}, err
	}
	in, err = cleanProduct(in, false)
	if err != nil {
		return Product{}, err
	}
	if in.Status == Active && cur.Status != Active {
		if err := s.mayList(ctx); err != nil {
			return Product{}, err
		}
	}
	cat, t, err := s.productCategory(ctx, string(in.CategoryID))
	if err != nil {
		return Product{}, err
	}
	p, err := s.store.UpdateProduct(ctx, cur.ID, func(p *Product) (Event, error) {
		was := p.Status
		p.CategoryID = cat.ID
		if in.Status != "" {
			p.Status = in.Status
		}
		applyContent(p, in)
		p.UpdatedAt = s.clock()
		topic := TopicProductUpdated
		if p.Status == Archived && was != Archived {
			topic = TopicProductArchived
		}
		return productEvent(topic, *p, t), nil
	})
	if err != nil {
		return Product{}, err
	}
	ps := []Product{p}
	if err := s.fill(ctx, ps); err != nil {
		return Product{}, err
	}
	return ps[0], nil
}

// ArchiveProduct withdraws a product from sale (its owner or an admin). It
// is kept, for order history, and seen only by its owner and admins.
// Archiving an archived product does nothing.
func (s *Service) ArchiveProduct(ctx context.Context, idOrSlug string) error {
	cur, err := s.ownedProduct(ctx, idOrSlug)
	if err != nil {
		return err
	}
	if cur.Status == Archived {
		return nil
	}
	t, err := s.tree(ctx, false)
	if err != nil {
		return err
	}
	_, err = s.store.UpdateProduct(ctx, cur.ID, func(p *Product) (Event, error) {
		if p.Status == Archived {
			return Event{}, errNoChange
		}
		p.Status = Archived
		p.UpdatedAt = s.clock()
		return productEvent(TopicProductArchived, *p, t), nil
	})
	if errors.Is(err, errNoChange) {
		return nil
	}
	return err
}

// productCategory resolves a product's category (ID or slug) or reports the
// field as invalid.
func (s *Service) productCategory(ctx context.Context, idOrSlug string) (Category, *Tree, error) {
	c, t, ok, err := s.category(ctx, idOrSlug)
	if err != nil {
		return Category{}, nil, err
	}
	if !ok {
		return Category{}, nil, apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: "category_id", Message: "no such category"})
	}
	return c, t, nil
}

// applyContent copies a validated request into p, keeping the IDs of
// variants whose SKU p already has.
func applyContent(p *Product, in NewProduct) {
	p.Title = in.Title
	p.Description = in.Description
	p.Brand = in.Brand
	p.Attributes = maps.Clone(in.Attributes)
	old := make(map[string]id.Variant, len(p.Variants))
	for _, v := range p.Variants {
		old[v.SKU] = v.ID
	}
	vs := make([]Variant, len(in.Variants))
	for i, nv := range in.Variants {
		vid, ok := old[nv.SKU]
		if !ok {
			vid = id.Make[id.Variant]()
		}
		vs[i] = Variant{ID: vid, SKU: nv.SKU, Options: maps.Clone(nv.Options), Price: nv.Price}
	}
	p.Variants = vs
	p.PriceMin, p.PriceMax = priceRange(vs)
	if p.Images == nil {
		p.Images = []Image{}
	}
}
