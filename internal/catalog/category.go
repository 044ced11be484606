package catalog

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Limits of the category tree.
const (
	MaxCategoryDepth = 6    // a root category has depth 0, so at most 6 levels
	MaxCategories    = 5000 // the whole tree is served as one list
	maxNameLen       = 100
	maxSlugLen       = 80
)

// Category is one node of the category tree. Depth and Path are derived from
// the tree: a root has depth 0 and an empty path; Path lists the names of
// the ancestors, root first, without the category itself.
type Category struct {
	ID        id.Category  `json:"id"`
	Name      string       `json:"name"`
	Slug      string       `json:"slug"`
	ParentID  *id.Category `json:"parent_id"`
	Position  int          `json:"position"`
	Depth     int          `json:"depth"`
	Path      []string     `json:"path"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
}

// CategoryRef is the summary of a product's category shown with the product.
type CategoryRef struct {
	ID   id.Category `json:"id"`
	Name string      `json:"name"`
	Slug string      `json:"slug"`
	Path []string    `json:"path"` // ancestor names, root first
}

// NewCategory is what an admin sends to create a category. A nil or empty
// ParentID makes a root category.
type NewCategory struct {
	Name     string       `json:"name"`
	ParentID *id.Category `json:"parent_id"`
	Position int          `json:"position"`
}

// CategoryUpdate changes a category; nil fields are left as they are.
// ParentID "" moves the category to the root; Slug changes its URL.
type CategoryUpdate struct {
	Name     *string      `json:"name"`
	Slug     *string      `json:"slug"`
	ParentID *id.Category `json:"parent_id"`
	Position *int         `json:"position"`
}

// Tree is the whole category tree, indexed.
type Tree struct {
	list     []Category // display order: depth first, siblings by position then name
	byID     map[id.Category]int
	bySlug   map[string]int
	children map[id.Category][]id.Category // parent ID ("" for roots) -> child IDs in display order
}

// NewTree indexes cats and derives every category's Depth and Path.
// Categories whose parent is missing are treated as roots.
func NewTree(cats []Category) *Tree {
	t := &Tree{byID: make(map[id.Category]int, len(cats)), bySlug: make(map[string]int, len(cats)), children: make(map[id.Category][]id.Category)}
	known := make(map[id.Category]Category, len(cats))
	for _, c := range cats {
		known[c.ID] = c
	}
	sorted := slices.Clone(cats)
	slices.SortFunc(sorted, func(a, b Category) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ID, b.ID))
	})
	for _, c := range sorted {
		var p id.Category
		if c.ParentID != nil {
			if _, ok := known[*c.ParentID]; ok {
				p = *c.ParentID
			}
		}
		t.children[p] = append(t.children[p], c.ID)
	}
	seen := make(map[id.Category]bool, len(cats))
	var walk func(parent id.Category, depth int, path []string)
	walk = func(parent id.Category, depth int, path []string) {
		for _, cid := range t.children[parent] {
			if seen[cid] { // a cycle in corrupt data must not loop forever
				continue
			}
			seen[cid] = true
			c := known[cid]
			c.Depth = depth
			c.Path = slices.Clip(append([]string{}, path...))
			t.byID[c.ID] = len(t.list)
			t.bySlug[c.Slug] = len(t.list)
			t.list = append(t.list, c)
			walk(cid, depth+1, append(path, c.Name))
		}
	}
	walk("", 0, nil)
	return t
}

// List returns the categories in display order.
func (t *Tree) List() []Category { return slices.Clone(t.list) }

// Len is the number of categories.
func (t *Tree) Len() int { return len(t.list) }

// Get finds a category by ID or slug.
func (t *Tree) Get(idOrSlug string) (Category, bool) {
	if i, ok := t.byID[id.Category(idOrSlug)]; ok {
		return t.list[i], true
	}
	if i, ok := t.bySlug[idOrSlug]; ok {
		return t.list[i], true
	}
	return Category{}, false
}

// Subtree returns the IDs of the category and all its descendants.
func (t *Tree) Subtree(catID id.Category) []id.Category {
	out := []id.Category{catID}
	for i := 0; i < len(out); i++ {
		out = append(out, t.children[out[i]]...)
	}
	return out
}

// Height is the number of levels below the category (0 for a leaf).
func (t *Tree) Height(catID id.Category) int {
	h := 0
	for _, c := range t.children[catID] {
		h = max(h, 1+t.Height(c))
	}
	return h
}

// HasChildren reports whether the category has sub-categories.
func (t *Tree) HasChildren(catID id.Category) bool { return len(t.children[catID]) > 0 }

// Ref returns the summary of a category, or a summary with only the ID if it
// is unknown.
func (t *Tree) Ref(catID id.Category) CategoryRef {
	c, ok := t.Get(string(catID))
	if !ok {
		return CategoryRef{ID: catID, Path: []string{}}
	}
	return CategoryRef{ID: c.ID, Name: c.Name, Slug: c.Slug, Path: c.Path}
}

// Ancestors returns the IDs from the root down to and including catID.
func (t *Tree) Ancestors(catID id.Category) []id.Category {
	var out []id.Category
	for cur, ok := t.Get(string(catID)); ok; {
		out = append(out, cur.ID)
		if cur.ParentID == nil {
			break
		}
		cur, ok = t.Get(string(*cur.ParentID))
		if len(out) > MaxCategoryDepth+2 {
			break
		}
	}
	slices.Reverse(out)
	return out
}

// UniqueSlug returns base, or base with a numeric suffix, that no category
// other than self uses.
func (t *Tree) UniqueSlug(base string, self id.Category) string {
	s := base
	for n := 2; ; n++ {
		i, taken := t.bySlug[s]
		if !taken || t.list[i].ID == self {
			return s
		}
		s = trimSlug(base, maxSlugLen-6) + "-" + itoa(n)
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for n > 0 || i == len(b) {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// validName checks a category name and returns it trimmed.
func validName(f *apperr.Fields, field, name string) string {
	name = strings.TrimSpace(name)
	n := utf8.RuneCountInString(name)
	f.Check(n > 0, field, "is required")
	f.Check(n <= maxNameLen, field, "must be at most 100 characters")
	f.Check(!hasControl(name), field, "must not contain control characters")
	return name
}

// placeCategory checks that c can sit under parentID ("" for the root) in
// t: the parent exists, is not c or one of its descendants, and the subtree
// stays within MaxCategoryDepth.
func placeCategory(t *Tree, catID, parentID id.Category) error {
	if parentID == "" {
		if catID != "" && t.Height(catID) > MaxCategoryDepth-1 {
			return apperr.Invalid("validation_failed", "the request has invalid fields",
				apperr.FieldError{Field: "parent_id", Message: "the tree would be too deep"})
		}
		return nil
	}
	parent, ok := t.Get(string(parentID))
	if !ok || parent.ID != parentID {
		return apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: "parent_id", Message: "no such category"})
	}
	if catID != "" && slices.Contains(t.Subtree(catID), parentID) {
		return apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: "parent_id", Message: "a category cannot move under itself or its own sub-category"})
	}
	height := 0
	if catID != "" {
		height = t.Height(catID)
	}
	if parent.Depth+1+height > MaxCategoryDepth-1 {
		return apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: "parent_id", Message: "the tree would be deeper than 6 levels"})
	}
	return nil
}

func newCategoryID() id.Category { return id.Make[id.Category]() }
