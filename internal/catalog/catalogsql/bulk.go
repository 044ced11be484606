package catalogsql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// Bulk import, for the catalog generator (cataloggen) and migrations from
// other platforms: many rows per statement, one transaction per call, and
// NO outbox events. After a bulk import, rebuild the search index
// (bazaar reindex, or search.Service.Reindex); other consumers of catalog
// events (none today) would need their own backfill.
//
// The catalog's invariants still hold: SKUs and slugs are unique (the
// database refuses duplicates and the whole call is rolled back), every
// product's category must exist (foreign key), prices are checked and
// price_min/price_max are derived from the variants.

// ImportCategories inserts categories in order (parents before children)
// and returns them as stored. A category whose slug is taken is not
// inserted: the existing one is returned in its place, and children that
// named it as parent are attached to the existing one. No events.
func (s *Store) ImportCategories(ctx context.Context, cats []catalog.Category) ([]catalog.Category, error) {
	out := make([]catalog.Category, 0, len(cats))
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		t, err := lockedTree(ctx, tx) // serialises with the API's category writes
		if err != nil {
			return err
		}
		if t.Len()+len(cats) > catalog.MaxCategories {
			existing := 0
			for _, c := range cats {
				if _, ok := t.Get(c.Slug); ok {
					existing++
				}
			}
			if t.Len()+len(cats)-existing > catalog.MaxCategories {
				return apperr.Conflict("too_many_categories", "the catalog would have more than %d categories", catalog.MaxCategories)
			}
		}
		actual := make(map[id.Category]id.Category, len(cats)) // given ID -> stored ID
		for _, c := range cats {
			if c.ParentID != nil {
				p, ok := actual[*c.ParentID]
				if !ok {
					p = *c.ParentID
				}
				c.ParentID = &p
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO catalog_categories (`+categoryCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)
				ON CONFLICT (slug) DO NOTHING`,
				c.ID, c.Name, c.Slug, c.ParentID, c.Position, sqldb.Micros(c.CreatedAt), sqldb.Micros(c.UpdatedAt)); err != nil {
				return fmt.Errorf("import category %s: %w", c.Slug, err)
			}
			var stored id.Category
			if err := tx.QueryRowContext(ctx, `SELECT id FROM catalog_categories WHERE slug = $1`, c.Slug).Scan(&stored); err != nil {
				return fmt.Errorf("import category %s: %w", c.Slug, err)
			}
			actual[c.ID] = stored
			c.ID = stored
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// ImportProducts inserts products with their variants and images, in one
// transaction, many rows per statement. No events. A taken slug or SKU
// fails the whole call (Conflict "slug_taken" or "sku_taken").
func (s *Store) ImportProducts(ctx context.Context, ps []catalog.Product) error {
	for i := range ps {
		if err := checkImport(&ps[i]); err != nil {
			return err
		}
	}
	if s.db.Dialect == sqldb.SQLite {
		// A million products make indexes of hundreds of megabytes; the
		// default 2 MB page cache would reread them from the OS for every
		// insert. This sets the writer connection's cache (256 MB at most).
		if _, err := s.db.Exec(ctx, `PRAGMA cache_size = -262144`); err != nil {
			return fmt.Errorf("import products: %w", err)
		}
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		const productCols = 17
		rows := make([][]any, 0, len(ps))
		for _, p := range ps {
			attrs, err := json.Marshal(p.Attributes)
			if err != nil {
				return err
			}
			rows = append(rows, []any{p.ID, p.Slug, p.SellerID, p.Title, catalog.TitleKey(p.Title), p.Description, p.Brand, catalog.BrandKey(p.Brand),
				p.CategoryID, string(attrs), string(p.Status), p.PriceMin.Currency, p.PriceMin.Amount, p.PriceMax.Amount, p.Version,
				sqldb.Micros(p.CreatedAt), sqldb.Micros(p.UpdatedAt)})
		}
		if err := s.db.InsertRows(ctx, tx, `INSERT INTO catalog_products (id, slug, seller_id, title, title_key, description, brand, brand_key,
			category_id, attributes, status, currency, price_min, price_max, version, created_at, updated_at) VALUES `, productCols, rows, ""); err != nil {
			if sqldb.IsUniqueViolation(err) {
				return apperr.Conflict("slug_taken", "a product's ID or slug is taken: %v", err)
			}
			return fmt.Errorf("import products: %w", err)
		}
		rows = rows[:0]
		for _, p := range ps {
			for i, v := range p.Variants {
				opts, err := json.Marshal(v.Options)
				if err != nil {
					return err
				}
				rows = append(rows, []any{v.ID, p.ID, v.SKU, string(opts), v.Price.Amount, v.Price.Currency, i})
			}
		}
		if err := s.db.InsertRows(ctx, tx, `INSERT INTO catalog_variants (id, product_id, sku, options, price_amount, currency, position) VALUES `, 7, rows, ""); err != nil {
			if sqldb.IsUniqueViolation(err) {
				return skuTaken()
			}
			return fmt.Errorf("import variants: %w", err)
		}
		rows = rows[:0]
		for _, p := range ps {
			for i, im := range p.Images {
				rows = append(rows, []any{im.ID, p.ID, i, im.ContentType, im.Width, im.Height, im.Size, im.SHA256, sqldb.Micros(im.CreatedAt)})
			}
		}
		if err := s.db.InsertRows(ctx, tx, `INSERT INTO catalog_images (id, product_id, position, content_type, width, height, size, sha256, created_at) VALUES `, 9, rows, ""); err != nil {
			return fmt.Errorf("import images: %w", err)
		}
		return nil
	})
}

// checkImport validates what the API would and derives the price range.
func checkImport(p *catalog.Product) error {
	bad := func(msg string) error {
		return apperr.Invalid("validation_failed", fmt.Sprintf("product %s: %s", p.ID, msg))
	}
	switch {
	case !strings.HasPrefix(string(p.ID), "prd_") || p.Slug == "" || strings.TrimSpace(p.Title) == "" || p.SellerID == "" || p.CategoryID == "":
		return bad("needs an ID, a slug, a title, a seller and a category")
	case !p.Status.Valid():
		return bad("has no valid status")
	case len(p.Variants) == 0 || len(p.Variants) > catalog.MaxVariants:
		return bad("needs 1 to 100 variants")
	}
	for i, v := range p.Variants {
		if !catalog.ValidSKU(v.SKU) || v.ID == "" {
			return bad(fmt.Sprintf("variant %d has no valid ID or SKU", i))
		}
		if err := v.Price.Validate("price"); err != nil || v.Price.Currency != p.Variants[0].Price.Currency {
			return bad(fmt.Sprintf("variant %d has an invalid price or another currency", i))
		}
		if i == 0 || v.Price.Amount < p.PriceMin.Amount {
			p.PriceMin = v.Price
		}
		if i == 0 || v.Price.Amount > p.PriceMax.Amount {
			p.PriceMax = v.Price
		}
	}
	if p.Attributes == nil {
		p.Attributes = map[string]string{}
	}
	return nil
}

// CountProducts returns how many products have status (for progress bars).
func (s *Store) CountProducts(ctx context.Context, status catalog.Status) (int, error) {
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM catalog_products WHERE status = $1`, string(status)).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("count products: %w", err)
	}
	return n, nil
}

// ProductsAfter lists up to limit products of status whose IDs come after
// afterID ("" for the first page), in ID order, with their variants and
// images: a full scan for rebuilding a search index. Paging on the primary
// key keeps every page as cheap as the first on both engines.
//
// The status is compared as an expression (concatenated with the empty
// string), which no index serves: given "status = ?", SQLite walks a
// (status, ...) index over every active product and sorts them by ID for
// each page, a scan that grows with the square of the catalog (300 ms a
// page at a million products instead of 6).
func (s *Store) ProductsAfter(ctx context.Context, status catalog.Status, afterID id.Product, limit int) ([]catalog.Product, error) {
	return s.queryProducts(ctx, "scan products", `SELECT `+productCols+` FROM catalog_products p
		WHERE p.id > $1 AND p.status || '' = $2 ORDER BY p.id LIMIT $3`, afterID, string(status), max(limit, 1))
}

// Analyze refreshes the planner's statistics after a bulk import. Without
// it PostgreSQL plans with the row counts of an empty table until
// autovacuum gets round to it (a million-product scan then ran at 700
// products/s instead of 5,000). SQLite's planner needs nothing here.
func (s *Store) Analyze(ctx context.Context) error {
	if s.db.Dialect != sqldb.Postgres {
		return nil
	}
	if _, err := s.db.Exec(ctx, `ANALYZE catalog_categories, catalog_products, catalog_variants, catalog_images`); err != nil {
		return fmt.Errorf("analyze catalog: %w", err)
	}
	return nil
}
