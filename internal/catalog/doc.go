// Package catalog is what the marketplace sells: a category tree managed by
// admins, and products owned by sellers, each with one or more variants
// (SKUs) that carry the price, plus attributes and images.
//
// Rules live in Service: sellers touch only their own products (another
// seller's product answers NotFound, exactly like a missing one), admins
// touch everything, draft and archived products are seen only by their owner
// and admins, SKUs are unique across the marketplace, and all variants of a
// product share one currency. Slugs are made from titles and names once and
// then stay stable, so links keep working after a rename.
//
// API choices: GET /api/v1/category returns the whole tree as a flat list
// in display order (depth first, siblings by position then name), each entry
// with parent_id, depth and path (ancestor names, root first). Sellers see
// their own products of every status at GET /api/v1/seller/product (with an
// optional ?status=); GET /api/v1/product lists active products only, except
// that admins may pass ?status=. Prices in list filters are minor units and
// match when some variant's price is in the range; sort=price_asc orders by
// the lowest variant price, price_desc by the highest.
//
// Tables (catalogsql):
//
//	catalog_meta        one row per lock/counter (the category tree's write lock)
//	catalog_categories  the tree: id, name, unique slug, parent_id, position
//	catalog_products    products with denormalised price_min/price_max, brand_key
//	                    and title_key for filters and sorts
//	catalog_variants    variants (SKU unique across the marketplace), price per variant
//	catalog_images      image metadata; the bytes live in Options.ImageDir, named by image ID
//
// Events published (payloads in event.go):
//
//	catalog.product.created.v1   ProductEvent: the full product document
//	catalog.product.updated.v1   ProductEvent (also on image changes)
//	catalog.product.archived.v1  ProductEvent
//	catalog.category.changed.v1  CategoryEvent (created, updated or deleted, with
//	                             the IDs of the category's subtree so products
//	                             under it can be re-indexed)
//
// Events consumed: none.
package catalog
