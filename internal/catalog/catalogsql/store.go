// Package catalogsql stores the catalog in SQLite or PostgreSQL.
package catalogsql

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or updates the catalog's tables. The event outbox
// (event.Migrate) must exist too: every write publishes into it.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return db.Migrate(ctx, "catalog", sub)
}

// Store is catalog.Store on database/sql.
type Store struct {
	db *sqldb.DB
}

var _ catalog.Store = (*Store)(nil)

// New returns a store over db (migrated with Migrate).
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// querier is *sql.DB or *sql.Tx.
type querier = sqldb.Querier

// chunk is how many values go into one IN (...) list.
const chunk = 500

// ---- categories ----

const categoryCols = `id, name, slug, parent_id, position, created_at, updated_at`

// Categories implements catalog.Store.
func (s *Store) Categories(ctx context.Context) ([]catalog.Category, error) {
	return loadCategories(ctx, s.db.Read())
}

func loadCategories(ctx context.Context, q querier) ([]catalog.Category, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+categoryCols+` FROM catalog_categories`)
	if err != nil {
		return nil, fmt.Errorf("load categories: %w", err)
	}
	defer rows.Close()
	var out []catalog.Category
	for rows.Next() {
		var c catalog.Category
		var parent sql.NullString
		var created, updated int64
		if err := rows.Scan(&c.ID, &c.Name, &c.Slug, &parent, &c.Position, &created, &updated); err != nil {
			return nil, fmt.Errorf("load categories: %w", err)
		}
		if parent.Valid {
			p := id.Category(parent.String)
			c.ParentID = &p
		}
		c.CreatedAt, c.UpdatedAt = sqldb.Time(created), sqldb.Time(updated)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load categories: %w", err)
	}
	return out, nil
}

// lockedTree serialises category writes (the conditional UPDATE holds a row
// lock on PostgreSQL until the transaction ends; SQLite has one writer) and
// then loads the tree, so checks against it stay true until commit.
func lockedTree(ctx context.Context, tx *sql.Tx) (*catalog.Tree, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE catalog_meta SET v = v + 1 WHERE k = 'category_tree'`); err != nil {
		return nil, fmt.Errorf("lock category tree: %w", err)
	}
	cats, err := loadCategories(ctx, tx)
	if err != nil {
		return nil, err
	}
	return catalog.NewTree(cats), nil
}

func publish(ctx context.Context, tx *sql.Tx, e catalog.Event) error {
	if e.Topic == "" {
		return nil
	}
	return event.PublishRaw(ctx, tx, e.Topic, e.Aggregate, e.Payload)
}

func slugTaken(err error) error {
	if sqldb.IsUniqueViolation(err) {
		return apperr.Conflict("slug_taken", "the slug is taken")
	}
	return err
}

// CreateCategory implements catalog.Store.
func (s *Store) CreateCategory(ctx context.Context, fn func(*catalog.Tree) (catalog.Category, catalog.Event, error)) (catalog.Category, error) {
	var c catalog.Category
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		t, err := lockedTree(ctx, tx)
		if err != nil {
			return err
		}
		var e catalog.Event
		if c, e, err = fn(t); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO catalog_categories (`+categoryCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			c.ID, c.Name, c.Slug, c.ParentID, c.Position, sqldb.Micros(c.CreatedAt), sqldb.Micros(c.UpdatedAt))
		if err != nil {
			return fmt.Errorf("insert category: %w", slugTaken(err))
		}
		return publish(ctx, tx, e)
	})
	return c, err
}

// UpdateCategory implements catalog.Store.
func (s *Store) UpdateCategory(ctx context.Context, catID id.Category, fn func(*catalog.Tree, *catalog.Category) (catalog.Event, error)) (catalog.Category, error) {
	var c catalog.Category
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		t, err := lockedTree(ctx, tx)
		if err != nil {
			return err
		}
		var ok bool
		if c, ok = t.Get(string(catID)); !ok || c.ID != catID {
			return apperr.NotFound("category %s not found", catID)
		}
		e, err := fn(t, &c)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE catalog_categories SET name = $2, slug = $3, parent_id = $4, position = $5, updated_at = $6 WHERE id = $1`,
			c.ID, c.Name, c.Slug, c.ParentID, c.Position, sqldb.Micros(c.UpdatedAt))
		if err != nil {
			return fmt.Errorf("update category: %w", slugTaken(err))
		}
		return publish(ctx, tx, e)
	})
	return c, err
}

// DeleteCategory implements catalog.Store.
func (s *Store) DeleteCategory(ctx context.Context, catID id.Category, fn func(*catalog.Tree, catalog.Category) (catalog.Event, error)) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		t, err := lockedTree(ctx, tx)
		if err != nil {
			return err
		}
		c, ok := t.Get(string(catID))
		if !ok || c.ID != catID {
			return apperr.NotFound("category %s not found", catID)
		}
		if t.HasChildren(catID) {
			return apperr.Conflict("category_in_use", "category %s has sub-categories; move or delete them first", c.Slug)
		}
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM catalog_products WHERE category_id = $1 LIMIT 1`, catID).Scan(&one)
		if err == nil {
			return apperr.Conflict("category_in_use", "category %s has products; move them first", c.Slug)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("count products of category: %w", err)
		}
		e, err := fn(t, c)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM catalog_categories WHERE id = $1`, catID); err != nil {
			return fmt.Errorf("delete category: %w", err)
		}
		return publish(ctx, tx, e)
	})
}

// ---- products ----

const productCols = `p.id, p.slug, p.seller_id, p.title, p.description, p.brand, p.category_id, p.attributes, p.status, p.currency, p.price_min, p.price_max, p.version, p.created_at, p.updated_at`

func scanProducts(rows *sql.Rows) ([]catalog.Product, error) {
	defer rows.Close()
	var out []catalog.Product
	for rows.Next() {
		var p catalog.Product
		var attrs string
		var created, updated int64
		if err := rows.Scan(&p.ID, &p.Slug, &p.SellerID, &p.Title, &p.Description, &p.Brand, &p.CategoryID, &attrs, &p.Status,
			&p.PriceMin.Currency, &p.PriceMin.Amount, &p.PriceMax.Amount, &p.Version, &created, &updated); err != nil {
			return nil, fmt.Errorf("read products: %w", err)
		}
		p.PriceMax.Currency = p.PriceMin.Currency
		p.CreatedAt, p.UpdatedAt = sqldb.Time(created), sqldb.Time(updated)
		if err := json.Unmarshal([]byte(attrs), &p.Attributes); err != nil {
			return nil, fmt.Errorf("read attributes of %s: %w", p.ID, err)
		}
		if p.Attributes == nil {
			p.Attributes = map[string]string{}
		}
		p.Variants, p.Images = []catalog.Variant{}, []catalog.Image{}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read products: %w", err)
	}
	return out, nil
}

// Product implements catalog.Store.
func (s *Store) Product(ctx context.Context, idOrSlug string) (catalog.Product, error) {
	return product(ctx, s.db.Read(), idOrSlug)
}

func product(ctx context.Context, q querier, idOrSlug string) (catalog.Product, error) {
	col := "slug"
	if strings.HasPrefix(idOrSlug, "prd_") {
		col = "id"
	}
	rows, err := q.QueryContext(ctx, `SELECT `+productCols+` FROM catalog_products p WHERE p.`+col+` = $1`, idOrSlug)
	if err != nil {
		return catalog.Product{}, fmt.Errorf("read product: %w", err)
	}
	ps, err := scanProducts(rows)
	if err != nil {
		return catalog.Product{}, err
	}
	if len(ps) == 0 {
		return catalog.Product{}, apperr.NotFound("product %s not found", idOrSlug)
	}
	if err := loadChildren(ctx, q, ps); err != nil {
		return catalog.Product{}, err
	}
	return ps[0], nil
}

// loadChildren loads the variants and images of ps with one query each per
// chunk of products.
func loadChildren(ctx context.Context, q querier, ps []catalog.Product) error {
	idx := make(map[id.Product]int, len(ps))
	ids := make([]any, len(ps))
	for i, p := range ps {
		idx[p.ID] = i
		ids[i] = p.ID
	}
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		in := placeholders(1, len(part))
		rows, err := q.QueryContext(ctx, `SELECT product_id, id, sku, options, price_amount, currency FROM catalog_variants
			WHERE product_id IN (`+in+`) ORDER BY product_id, position`, part...)
		if err != nil {
			return fmt.Errorf("read variants: %w", err)
		}
		for rows.Next() {
			var pid, opts string
			var v catalog.Variant
			if err := rows.Scan(&pid, &v.ID, &v.SKU, &opts, &v.Price.Amount, &v.Price.Currency); err != nil {
				rows.Close()
				return fmt.Errorf("read variants: %w", err)
			}
			if err := json.Unmarshal([]byte(opts), &v.Options); err != nil {
				rows.Close()
				return fmt.Errorf("read options of %s: %w", v.ID, err)
			}
			if v.Options == nil {
				v.Options = map[string]string{}
			}
			ps[idx[id.Product(pid)]].Variants = append(ps[idx[id.Product(pid)]].Variants, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read variants: %w", err)
		}

		rows, err = q.QueryContext(ctx, `SELECT product_id, id, content_type, width, height, size, sha256, created_at FROM catalog_images
			WHERE product_id IN (`+in+`) ORDER BY product_id, position`, part...)
		if err != nil {
			return fmt.Errorf("read images: %w", err)
		}
		for rows.Next() {
			var pid string
			var im catalog.Image
			var created int64
			if err := rows.Scan(&pid, &im.ID, &im.ContentType, &im.Width, &im.Height, &im.Size, &im.SHA256, &created); err != nil {
				rows.Close()
				return fmt.Errorf("read images: %w", err)
			}
			im.URL, im.CreatedAt = catalog.ImageURL(im.ID), sqldb.Time(created)
			ps[idx[id.Product(pid)]].Images = append(ps[idx[id.Product(pid)]].Images, im)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read images: %w", err)
		}
	}
	return nil
}

func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(from + i))
	}
	return b.String()
}

// Products implements catalog.Store.
func (s *Store) Products(ctx context.Context, f catalog.Filter) ([]catalog.Product, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	in := func(col string, vals []string) {
		ps := make([]string, len(vals))
		for i, v := range vals {
			ps[i] = arg(v)
		}
		where = append(where, col+" IN ("+strings.Join(ps, ",")+")")
	}
	if len(f.Statuses) > 0 {
		ss := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			ss[i] = string(st)
		}
		in("p.status", ss)
	}
	if f.SellerID != "" {
		where = append(where, "p.seller_id = "+arg(f.SellerID))
	}
	if len(f.CategoryIDs) > 0 {
		in("p.category_id", id.Strings(f.CategoryIDs))
	}
	if f.BrandKey != "" {
		where = append(where, "p.brand_key = "+arg(f.BrandKey))
	}
	if f.TitleKey != "" {
		where = append(where, "p.title_key LIKE "+arg(likePattern(f.TitleKey))+` ESCAPE '\'`)
	}
	if f.Currency != "" {
		where = append(where, "p.currency = "+arg(f.Currency))
	}
	if f.PriceMin != nil || f.PriceMax != nil {
		// The product's range must overlap, and some variant must be in range.
		var conds []string
		if f.PriceMin != nil {
			where = append(where, "p.price_max >= "+arg(*f.PriceMin))
			conds = append(conds, "v.price_amount >= "+arg(*f.PriceMin))
		}
		if f.PriceMax != nil {
			where = append(where, "p.price_min <= "+arg(*f.PriceMax))
			conds = append(conds, "v.price_amount <= "+arg(*f.PriceMax))
		}
		where = append(where, "EXISTS (SELECT 1 FROM catalog_variants v WHERE v.product_id = p.id AND "+strings.Join(conds, " AND ")+")")
	}
	var order string
	switch f.Sort {
	case catalog.SortPriceAsc:
		order = "p.price_min ASC, p.id ASC"
		if f.After != nil {
			k, i := arg(f.After.Key), arg(f.After.ID)
			where = append(where, "(p.price_min > "+k+" OR (p.price_min = "+k+" AND p.id > "+i+"))")
		}
	case catalog.SortPriceDesc:
		order = "p.price_max DESC, p.id DESC"
		if f.After != nil {
			k, i := arg(f.After.Key), arg(f.After.ID)
			where = append(where, "(p.price_max < "+k+" OR (p.price_max = "+k+" AND p.id < "+i+"))")
		}
	default:
		order = "p.created_at DESC, p.id DESC"
		if f.After != nil {
			k, i := arg(f.After.Key), arg(f.After.ID)
			where = append(where, "(p.created_at < "+k+" OR (p.created_at = "+k+" AND p.id < "+i+"))")
		}
	}
	q := `SELECT ` + productCols + ` FROM catalog_products p`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY ` + order + ` LIMIT ` + arg(max(f.Limit, 1))
	return s.queryProducts(ctx, "list products", q, args...)
}

// queryProducts runs a query selecting productCols and loads the products'
// variants and images.
func (s *Store) queryProducts(ctx context.Context, what, q string, args ...any) ([]catalog.Product, error) {
	rows, err := s.db.Read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	ps, err := scanProducts(rows)
	if err != nil {
		return nil, err
	}
	if err := loadChildren(ctx, s.db.Read(), ps); err != nil {
		return nil, err
	}
	return ps, nil
}

// likePattern makes a LIKE pattern matching s anywhere, with '\' escaping.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// CreateProduct implements catalog.Store.
func (s *Store) CreateProduct(ctx context.Context, p catalog.Product, e catalog.Event) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := checkCategory(ctx, tx, p.CategoryID); err != nil {
			return err
		}
		if err := checkSKUs(ctx, tx, p); err != nil {
			return err
		}
		attrs, err := json.Marshal(p.Attributes)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO catalog_products (id, slug, seller_id, title, title_key, description, brand, brand_key,
			category_id, attributes, status, currency, price_min, price_max, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
			p.ID, p.Slug, p.SellerID, p.Title, catalog.TitleKey(p.Title), p.Description, p.Brand, catalog.BrandKey(p.Brand),
			p.CategoryID, string(attrs), string(p.Status), p.PriceMin.Currency, p.PriceMin.Amount, p.PriceMax.Amount, p.Version,
			sqldb.Micros(p.CreatedAt), sqldb.Micros(p.UpdatedAt))
		if err != nil {
			return fmt.Errorf("insert product: %w", slugTaken(err))
		}
		for i, v := range p.Variants {
			if err := insertVariant(ctx, tx, p.ID, i, v); err != nil {
				return err
			}
		}
		for i, im := range p.Images {
			if err := insertImage(ctx, tx, p.ID, i, im); err != nil {
				return err
			}
		}
		return publish(ctx, tx, e)
	})
}

func checkCategory(ctx context.Context, tx *sql.Tx, catID id.Category) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM catalog_categories WHERE id = $1`, catID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: "category_id", Message: "no such category"})
	}
	if err != nil {
		return fmt.Errorf("check category: %w", err)
	}
	return nil
}

// checkSKUs fails with Conflict "sku_taken" if another product has one of
// p's SKUs.
func checkSKUs(ctx context.Context, tx *sql.Tx, p catalog.Product) error {
	pos := make(map[string]int, len(p.Variants))
	for i, v := range p.Variants {
		pos[v.SKU] = i
	}
	skus := slices.Sorted(maps.Keys(pos))
	var fields []apperr.FieldError
	for start := 0; start < len(skus); start += chunk {
		part := skus[start:min(start+chunk, len(skus))]
		args := []any{p.ID}
		for _, s := range part {
			args = append(args, s)
		}
		rows, err := tx.QueryContext(ctx, `SELECT sku FROM catalog_variants WHERE product_id <> $1 AND sku IN (`+placeholders(2, len(part))+`)`, args...)
		if err != nil {
			return fmt.Errorf("check skus: %w", err)
		}
		for rows.Next() {
			var sku string
			if err := rows.Scan(&sku); err != nil {
				rows.Close()
				return fmt.Errorf("check skus: %w", err)
			}
			fields = append(fields, apperr.FieldError{Field: fmt.Sprintf("variants[%d].sku", pos[sku]), Message: "is used by another product"})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("check skus: %w", err)
		}
	}
	if len(fields) > 0 {
		slices.SortFunc(fields, func(a, b apperr.FieldError) int { return strings.Compare(a.Field, b.Field) })
		return skuTaken(fields...)
	}
	return nil
}

func skuTaken(fields ...apperr.FieldError) error {
	return &apperr.Error{Kind: apperr.KindConflict, Code: "sku_taken", Message: "a SKU is already used on the marketplace; SKUs must be unique", Fields: fields}
}

func insertVariant(ctx context.Context, tx *sql.Tx, productID id.Product, pos int, v catalog.Variant) error {
	opts, err := json.Marshal(v.Options)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO catalog_variants (id, product_id, sku, options, price_amount, currency, position)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, v.ID, productID, v.SKU, string(opts), v.Price.Amount, v.Price.Currency, pos)
	if sqldb.IsUniqueViolation(err) {
		return skuTaken(apperr.FieldError{Field: fmt.Sprintf("variants[%d].sku", pos), Message: "is used by another product"})
	}
	if err != nil {
		return fmt.Errorf("insert variant: %w", err)
	}
	return nil
}

func insertImage(ctx context.Context, tx *sql.Tx, productID id.Product, pos int, im catalog.Image) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO catalog_images (id, product_id, position, content_type, width, height, size, sha256, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		im.ID, productID, pos, im.ContentType, im.Width, im.Height, im.Size, im.SHA256, sqldb.Micros(im.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert image: %w", err)
	}
	return nil
}

var errConcurrent = errors.New("product changed concurrently")

// UpdateProduct implements catalog.Store.
func (s *Store) UpdateProduct(ctx context.Context, productID id.Product, fn func(*catalog.Product) (catalog.Event, error)) (catalog.Product, error) {
	if !strings.HasPrefix(string(productID), "prd_") {
		return catalog.Product{}, apperr.NotFound("product %s not found", productID)
	}
	for attempt := 0; ; attempt++ {
		p, err := s.updateProduct(ctx, productID, fn)
		if !errors.Is(err, errConcurrent) {
			return p, err
		}
		if attempt == 4 {
			return catalog.Product{}, apperr.Conflict("concurrent_update", "the product changed while this request ran; retry")
		}
	}
}

func (s *Store) updateProduct(ctx context.Context, productID id.Product, fn func(*catalog.Product) (catalog.Event, error)) (catalog.Product, error) {
	var p catalog.Product
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		old, err := product(ctx, tx, string(productID))
		if err != nil {
			return err
		}
		p = old
		p.Variants = slices.Clone(old.Variants)
		p.Images = slices.Clone(old.Images)
		p.Attributes = maps.Clone(old.Attributes)
		e, err := fn(&p)
		if err != nil {
			return err
		}
		p.ID, p.SellerID, p.CreatedAt = old.ID, old.SellerID, old.CreatedAt // never changed by an update
		p.Version = old.Version + 1
		if p.CategoryID != old.CategoryID {
			if err := checkCategory(ctx, tx, p.CategoryID); err != nil {
				return err
			}
		}
		attrs, err := json.Marshal(p.Attributes)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE catalog_products SET slug = $3, title = $4, title_key = $5, description = $6, brand = $7,
			brand_key = $8, category_id = $9, attributes = $10, status = $11, currency = $12, price_min = $13, price_max = $14,
			version = $15, updated_at = $16 WHERE id = $1 AND version = $2`,
			p.ID, old.Version, p.Slug, p.Title, catalog.TitleKey(p.Title), p.Description, p.Brand, catalog.BrandKey(p.Brand),
			p.CategoryID, string(attrs), string(p.Status), p.PriceMin.Currency, p.PriceMin.Amount, p.PriceMax.Amount,
			p.Version, sqldb.Micros(p.UpdatedAt))
		if err != nil {
			return fmt.Errorf("update product: %w", slugTaken(err))
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return errConcurrent
		}
		if err := syncVariants(ctx, tx, old, p); err != nil {
			return err
		}
		if err := syncImages(ctx, tx, old, p); err != nil {
			return err
		}
		return publish(ctx, tx, e)
	})
	return p, err
}

func syncVariants(ctx context.Context, tx *sql.Tx, old, p catalog.Product) error {
	keep := make(map[id.Variant]bool, len(p.Variants))
	for _, v := range p.Variants {
		keep[v.ID] = true
	}
	for _, v := range old.Variants {
		if !keep[v.ID] {
			if _, err := tx.ExecContext(ctx, `DELETE FROM catalog_variants WHERE id = $1`, v.ID); err != nil {
				return fmt.Errorf("delete variant: %w", err)
			}
		}
	}
	if err := checkSKUs(ctx, tx, p); err != nil {
		return err
	}
	was := make(map[id.Variant]int, len(old.Variants))
	for i, v := range old.Variants {
		was[v.ID] = i
	}
	for i, v := range p.Variants {
		j, ok := was[v.ID]
		if !ok {
			if err := insertVariant(ctx, tx, p.ID, i, v); err != nil {
				return err
			}
			continue
		}
		o := old.Variants[j]
		if i == j && o.SKU == v.SKU && o.Price == v.Price && maps.Equal(o.Options, v.Options) {
			continue
		}
		opts, err := json.Marshal(v.Options)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE catalog_variants SET sku = $2, options = $3, price_amount = $4, currency = $5, position = $6 WHERE id = $1`,
			v.ID, v.SKU, string(opts), v.Price.Amount, v.Price.Currency, i)
		if sqldb.IsUniqueViolation(err) {
			return skuTaken(apperr.FieldError{Field: fmt.Sprintf("variants[%d].sku", i), Message: "is used by another product"})
		}
		if err != nil {
			return fmt.Errorf("update variant: %w", err)
		}
	}
	return nil
}

func syncImages(ctx context.Context, tx *sql.Tx, old, p catalog.Product) error {
	keep := make(map[id.Image]bool, len(p.Images))
	for _, im := range p.Images {
		keep[im.ID] = true
	}
	was := make(map[id.Image]int, len(old.Images))
	for i, im := range old.Images {
		was[im.ID] = i
		if !keep[im.ID] {
			if _, err := tx.ExecContext(ctx, `DELETE FROM catalog_images WHERE id = $1`, im.ID); err != nil {
				return fmt.Errorf("delete image: %w", err)
			}
		}
	}
	for i, im := range p.Images {
		j, ok := was[im.ID]
		switch {
		case !ok:
			if err := insertImage(ctx, tx, p.ID, i, im); err != nil {
				return err
			}
		case i != j:
			if _, err := tx.ExecContext(ctx, `UPDATE catalog_images SET position = $2 WHERE id = $1`, im.ID, i); err != nil {
				return fmt.Errorf("move image: %w", err)
			}
		}
	}
	return nil
}

// ---- what other modules read ----

const firstImage = `(SELECT i.id FROM catalog_images i WHERE i.product_id = p.id ORDER BY i.position LIMIT 1)`

// SKUs implements catalog.Store.
func (s *Store) SKUs(ctx context.Context, skus []string) (map[string]catalog.SKU, error) {
	out := make(map[string]catalog.SKU, len(skus))
	for start := 0; start < len(skus); start += chunk {
		part := skus[start:min(start+chunk, len(skus))]
		args := make([]any, len(part))
		for i, s := range part {
			args[i] = s
		}
		rows, err := s.db.Read().QueryContext(ctx, `SELECT v.sku, v.id, p.id, p.title, p.slug, p.seller_id, v.options, v.price_amount, v.currency, p.status, `+firstImage+`
			FROM catalog_variants v JOIN catalog_products p ON p.id = v.product_id WHERE v.sku IN (`+placeholders(1, len(part))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read skus: %w", err)
		}
		for rows.Next() {
			var k catalog.SKU
			var opts, status string
			var img sql.NullString
			if err := rows.Scan(&k.SKU, &k.VariantID, &k.ProductID, &k.ProductTitle, &k.ProductSlug, &k.SellerID, &opts,
				&k.Price.Amount, &k.Price.Currency, &status, &img); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read skus: %w", err)
			}
			if err := json.Unmarshal([]byte(opts), &k.Options); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read options of %s: %w", k.SKU, err)
			}
			k.Active = status == string(catalog.Active)
			if img.Valid {
				k.Image = catalog.ImageURL(id.Image(img.String))
			}
			out[k.SKU] = k
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read skus: %w", err)
		}
	}
	return out, nil
}

// ProductRefs implements catalog.Store.
func (s *Store) ProductRefs(ctx context.Context, ids []id.Product) (map[id.Product]catalog.ProductRef, error) {
	out := make(map[id.Product]catalog.ProductRef, len(ids))
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := make([]any, len(part))
		for i, s := range part {
			args[i] = s
		}
		rows, err := s.db.Read().QueryContext(ctx, `SELECT p.id, p.title, p.slug, p.seller_id, p.category_id, p.brand, p.price_min, p.currency, p.status, `+firstImage+`
			FROM catalog_products p WHERE p.id IN (`+placeholders(1, len(part))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read product refs: %w", err)
		}
		for rows.Next() {
			var r catalog.ProductRef
			var status string
			var img sql.NullString
			if err := rows.Scan(&r.ID, &r.Title, &r.Slug, &r.SellerID, &r.CategoryID, &r.Brand, &r.MinPrice.Amount, &r.MinPrice.Currency, &status, &img); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read product refs: %w", err)
			}
			r.Active = status == string(catalog.Active)
			if img.Valid {
				r.Image = catalog.ImageURL(id.Image(img.String))
			}
			out[r.ID] = r
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read product refs: %w", err)
		}
	}
	return out, nil
}

// Image implements catalog.Store.
func (s *Store) Image(ctx context.Context, imageID id.Image) (catalog.Image, error) {
	var im catalog.Image
	var created int64
	err := s.db.Read().QueryRowContext(ctx, `SELECT id, content_type, width, height, size, sha256, created_at FROM catalog_images WHERE id = $1`, imageID).
		Scan(&im.ID, &im.ContentType, &im.Width, &im.Height, &im.Size, &im.SHA256, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return catalog.Image{}, apperr.NotFound("image %s not found", imageID)
	}
	if err != nil {
		return catalog.Image{}, fmt.Errorf("read image: %w", err)
	}
	im.URL, im.CreatedAt = catalog.ImageURL(im.ID), sqldb.Time(created)
	return im, nil
}
