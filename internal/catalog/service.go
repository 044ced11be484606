package catalog

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Sellers finds the store a user owns; *account.Service satisfies it. It
// answers a NotFound error when the user has no store.
type Sellers interface {
	SellerOfUser(ctx context.Context, userID id.User) (account.Seller, error)
}

// Verifier says whether a user's e-mail address is verified;
// *account.Service satisfies it.
type Verifier interface {
	EmailVerified(ctx context.Context, userID id.User) (bool, error)
}

// Options tunes a Service. The zero value works: images go to a directory
// under the system's temporary directory and the clock is time.Now.
type Options struct {
	ImageDir string           // where image files are stored, named by image ID
	Now      func() time.Time // the clock
	// Verified, when set, lets only sellers whose e-mail address is
	// verified list products (make them active); drafts need no
	// verification. Nil lets every seller list.
	Verified Verifier
}

// Service is the catalog's use cases. It checks who may do what with the
// principal in the context.
type Service struct {
	store    Store
	sellers  Sellers
	verified Verifier
	imageDir string
	now      func() time.Time

	mu       sync.Mutex
	cached   *Tree
	cachedAt time.Time
}

// treeTTL bounds how stale the category tree used for display and filters
// may be when another process changed it; this process's own changes are
// seen at once.
const treeTTL = 5 * time.Second

// New returns a catalog service over store. sellers finds the caller's store
// for product writes. Products come back without availability (see
// FillAvailable).
func New(store Store, sellers Sellers, opts Options) *Service {
	s := &Service{store: store, sellers: sellers, verified: opts.Verified, imageDir: opts.ImageDir, now: opts.Now}
	if s.imageDir == "" {
		s.imageDir = filepath.Join(os.TempDir(), "bazaar-images")
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// tree returns the category tree, from cache unless fresh is set or the
// cache is old.
func (s *Service) tree(ctx context.Context, fresh bool) (*Tree, error) {
	s.mu.Lock()
	t, at := s.cached, s.cachedAt
	s.mu.Unlock()
	if t != nil && !fresh && time.Since(at) < treeTTL {
		return t, nil
	}
	cats, err := s.store.Categories(ctx)
	if err != nil {
		return nil, fmt.Errorf("load categories: %w", err)
	}
	t = NewTree(cats)
	s.mu.Lock()
	s.cached, s.cachedAt = t, time.Now()
	s.mu.Unlock()
	return t, nil
}

func (s *Service) forgetTree() {
	s.mu.Lock()
	s.cached = nil
	s.mu.Unlock()
}

// category finds a category by ID or slug, reloading the tree once if the
// cached one does not have it.
func (s *Service) category(ctx context.Context, idOrSlug string) (Category, *Tree, bool, error) {
	t, err := s.tree(ctx, false)
	if err != nil {
		return Category{}, nil, false, err
	}
	if c, ok := t.Get(idOrSlug); ok {
		return c, t, true, nil
	}
	if t, err = s.tree(ctx, true); err != nil {
		return Category{}, nil, false, err
	}
	c, ok := t.Get(idOrSlug)
	return c, t, ok, nil
}

// ---- categories ----

// Categories returns the whole category tree as a flat list in display
// order (depth first, siblings by position then name), each with its depth
// and the names of its ancestors.
func (s *Service) Categories(ctx context.Context) ([]Category, error) {
	t, err := s.tree(ctx, false)
	if err != nil {
		return nil, err
	}
	return t.List(), nil
}

// Category returns one category by ID or slug.
func (s *Service) Category(ctx context.Context, idOrSlug string) (Category, error) {
	c, _, ok, err := s.category(ctx, idOrSlug)
	if err != nil {
		return Category{}, err
	}
	if !ok {
		return Category{}, apperr.NotFound("category %s not found", idOrSlug)
	}
	return c, nil
}

// CreateCategory adds a category (admins only). Its slug is made from its
// name, with a suffix if another category has it.
func (s *Service) CreateCategory(ctx context.Context, in NewCategory) (Category, error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return Category{}, err
	}
	var f apperr.Fields
	name := validName(&f, "name", in.Name)
	f.Check(in.Position >= 0 && in.Position <= 1_000_000, "position", "must be from 0 to 1000000")
	if err := f.Err(); err != nil {
		return Category{}, err
	}
	var parentID id.Category
	if in.ParentID != nil {
		parentID = *in.ParentID
	}
	defer s.forgetTree()
	return s.store.CreateCategory(ctx, func(t *Tree) (Category, Event, error) {
		if t.Len() >= MaxCategories {
			return Category{}, Event{}, apperr.Conflict("too_many_categories", "the catalog has the maximum of %d categories", MaxCategories)
		}
		if err := placeCategory(t, "", parentID); err != nil {
			return Category{}, Event{}, err
		}
		now := s.clock()
		c := Category{
			ID: newCategoryID(), Name: name, Slug: t.UniqueSlug(Slugify(name, maxSlugLen, "category"), ""),
			Position: in.Position, CreatedAt: now, UpdatedAt: now,
		}
		if parentID != "" {
			c.ParentID = &parentID
		}
		nt := NewTree(append(t.List(), c))
		c, _ = nt.Get(string(c.ID))
		return c, eventOf(TopicCategoryChanged, string(c.ID), CategoryEvent{Action: "created", Category: c, SubtreeIDs: []id.Category{c.ID}}), nil
	})
}

// UpdateCategory renames or moves a category (admins only). A move may not
// put a category under itself or its descendants, nor make the tree deeper
// than MaxCategoryDepth.
func (s *Service) UpdateCategory(ctx context.Context, idOrSlug string, in CategoryUpdate) (Category, error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return Category{}, err
	}
	var f apperr.Fields
	var name, slug string
	if in.Name != nil {
		name = validName(&f, "name", *in.Name)
	}
	if in.Slug != nil {
		slug = *in.Slug
		f.Check(slug != "" && Slugify(slug, maxSlugLen, "") == slug, "slug", "must be 1 to 80 lower-case letters, digits and single hyphens")
	}
	if in.Position != nil {
		f.Check(*in.Position >= 0 && *in.Position <= 1_000_000, "position", "must be from 0 to 1000000")
	}
	if err := f.Err(); err != nil {
		return Category{}, err
	}
	cur, _, ok, err := s.category(ctx, idOrSlug)
	if err != nil {
		return Category{}, err
	}
	if !ok {
		return Category{}, apperr.NotFound("category %s not found", idOrSlug)
	}
	defer s.forgetTree()
	return s.store.UpdateCategory(ctx, cur.ID, func(t *Tree, c *Category) (Event, error) {
		if in.Name != nil {
			c.Name = name
		}
		if in.Slug != nil {
			if t.UniqueSlug(slug, c.ID) != slug {
				return Event{}, apperr.New(apperr.KindConflict, "slug_taken", "another category has the slug %q", slug)
			}
			c.Slug = slug
		}
		if in.ParentID != nil {
			if err := placeCategory(t, c.ID, *in.ParentID); err != nil {
				return Event{}, err
			}
			c.ParentID = nil
			if *in.ParentID != "" {
				p := *in.ParentID
				c.ParentID = &p
			}
		}
		if in.Position != nil {
			c.Position = *in.Position
		}
		c.UpdatedAt = s.clock()
		list := t.List()
		for i := range list {
			if list[i].ID == c.ID {
				list[i] = *c
			}
		}
		nt := NewTree(list)
		*c, _ = nt.Get(string(c.ID))
		return eventOf(TopicCategoryChanged, string(c.ID), CategoryEvent{Action: "updated", Category: *c, SubtreeIDs: nt.Subtree(c.ID)}), nil
	})
}

// DeleteCategory removes a category (admins only). A category with
// sub-categories or products (of any status) cannot be deleted: Conflict
// "category_in_use".
func (s *Service) DeleteCategory(ctx context.Context, idOrSlug string) error {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return err
	}
	cur, _, ok, err := s.category(ctx, idOrSlug)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.NotFound("category %s not found", idOrSlug)
	}
	defer s.forgetTree()
	return s.store.DeleteCategory(ctx, cur.ID, func(t *Tree, c Category) (Event, error) {
		if t.HasChildren(c.ID) {
			return Event{}, apperr.Conflict("category_in_use", "category %s has sub-categories; move or delete them first", c.Slug)
		}
		return eventOf(TopicCategoryChanged, string(c.ID), CategoryEvent{Action: "deleted", Category: c, SubtreeIDs: []id.Category{c.ID}}), nil
	})
}

// ---- who may act ----

// sellerOf returns the caller's store, or a Conflict telling the caller to
// create one.
func (s *Service) sellerOf(ctx context.Context, userID id.User) (account.Seller, error) {
	if s.sellers == nil {
		return account.Seller{}, apperr.Conflict("store_required", "you have no store: create your store before listing products")
	}
	seller, err := s.sellers.SellerOfUser(ctx, userID)
	if apperr.Is(err, apperr.KindNotFound) {
		return account.Seller{}, apperr.Conflict("store_required", "you have no store: create your store before listing products")
	}
	if err != nil {
		return account.Seller{}, fmt.Errorf("find the store of %s: %w", userID, err)
	}
	return seller, nil
}

func suspended(seller account.Seller) error {
	if seller.Status != account.SellerActive {
		return apperr.New(apperr.KindForbidden, "seller_suspended", "your store is %s and cannot change products", seller.Status)
	}
	return nil
}

// mayList refuses a seller whose e-mail address is not verified the
// listing of products (Forbidden "email_unverified"). Admins are staff:
// they may list for any store.
func (s *Service) mayList(ctx context.Context) error {
	pr, ok := auth.From(ctx)
	if s.verified == nil || !ok || pr.Is(auth.Admin) {
		return nil
	}
	v, err := s.verified.EmailVerified(ctx, pr.UserID)
	if err != nil {
		return fmt.Errorf("check e-mail verification: %w", err)
	}
	if !v {
		return apperr.New(apperr.KindForbidden, "email_unverified",
			"verify your e-mail address before listing products: open the link we mailed you, or ask for a new one; drafts can be saved meanwhile")
	}
	return nil
}

// ownedProduct loads a product the caller may change: an admin may change
// any, a seller only its own (others answer NotFound, like missing ones).
func (s *Service) ownedProduct(ctx context.Context, idOrSlug string) (Product, error) {
	pr, err := auth.Require(ctx, auth.Seller, auth.Admin)
	if err != nil {
		return Product{}, err
	}
	p, err := s.store.Product(ctx, idOrSlug)
	if err != nil {
		return Product{}, err
	}
	if pr.Is(auth.Admin) {
		return p, nil
	}
	seller, err := s.sellerOf(ctx, pr.UserID)
	if apperr.Is(err, apperr.KindConflict) || err == nil && seller.ID != p.SellerID {
		return Product{}, apperr.NotFound("product %s not found", idOrSlug)
	}
	if err != nil {
		return Product{}, err
	}
	if err := suspended(seller); err != nil {
		return Product{}, err
	}
	return p, nil
}

// visible reports whether the caller may see p: everyone sees active
// products; drafts and archived ones only their owner and admins.
func (s *Service) visible(ctx context.Context, p Product) (bool, error) {
	if p.Status == Active {
		return true, nil
	}
	pr, ok := auth.From(ctx)
	if !ok {
		return false, nil
	}
	if pr.Is(auth.Admin) {
		return true, nil
	}
	if s.sellers == nil {
		return false, nil
	}
	seller, err := s.sellers.SellerOfUser(ctx, pr.UserID)
	if apperr.Is(err, apperr.KindNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("find the store of %s: %w", pr.UserID, err)
	}
	return seller.ID == p.SellerID, nil
}

// fill adds each product's category summary.
func (s *Service) fill(ctx context.Context, ps []Product) error {
	if len(ps) == 0 {
		return nil
	}
	t, err := s.tree(ctx, false)
	if err != nil {
		return err
	}
	for i := range ps {
		ps[i].Category = t.Ref(ps[i].CategoryID)
	}
	return nil
}

var errNoChange = errors.New("no change")
