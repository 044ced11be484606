import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, useLocation, useParams, useSearchParams } from 'react-router';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, useCategories, useFeatures } from '../app/api';
import type { AttributeFacet, Category, FacetValue, Money, Page, Product, SearchResult } from '../api/types';
import { parseAmount, toMajor } from '../lib/money';
import { Empty, ErrorBox, Loading, Price, Thumb } from '../ui/kit';
import { CompactRating } from './stars';
import { ShopperRail } from './Rails';
import { attrFilters, attrLabel, bucketRange, markedRuns, type Marked } from './search';

/** Card is what a product tile shows, from either the product list or search. */
export interface Card {
  id: string;
  slug: string;
  title: string;
  brand: string;
  image?: string;
  min: Money;
  max: Money;
  available?: number;
  seller?: string;
  /** The title with the words that matched the search marked. */
  titleMarks?: Marked[];
  /** The average rating and how many rated it (search hits only). */
  rating?: number;
  ratingCount?: number;
}

function fromProduct(p: Product): Card {
  return {
    id: p.id,
    slug: p.slug,
    title: p.title,
    brand: p.brand,
    image: p.images[0]?.url,
    min: p.price_min,
    max: p.price_max,
    available: p.variants.reduce((n, v) => n + v.available, 0),
  };
}

type Facets = SearchResult['facets'];

interface Results {
  cards: Card[];
  next?: string;
  total?: number;
  facets?: Facets;
  relaxed?: boolean;
}

type Filter = Record<string, string | string[] | undefined>;

const PAGE = 24;

const productSorts = [
  ['newest', 'Newest'],
  ['price_asc', 'Price: low to high'],
  ['price_desc', 'Price: high to low'],
] as const;

const searchSorts = [['relevance', 'Best match'], ['popular', 'Most popular'], ['rating', 'Top rated'], ...productSorts] as const;

export function Browse() {
  const { category: slug } = useParams();
  const [params, setParams] = useSearchParams();
  const { pathname } = useLocation();
  // The home page: all products, no search or filter.
  const home = pathname === '/' && !params.toString();
  const features = useFeatures();
  const cats = useCategories();
  const useSearch = features.has('GET /api/v1/search');
  const category = cats.data?.find((c) => c.slug === slug);
  const q = params.get('q') ?? '';
  const brand = params.get('brand') ?? '';
  const priceMin = params.get('price_min') ?? '';
  const priceMax = params.get('price_max') ?? '';
  const ratingMin = params.get('rating_min') ?? '';
  const inStock = params.get('in_stock') === 'true';
  const attrs = useMemo(() => attrFilters(params), [params]);
  const sorts = useSearch ? searchSorts : productSorts;
  const sort = params.get('sort') ?? (useSearch && q ? 'relevance' : 'newest');

  const filters: Filter = {
    q,
    brand,
    price_min: priceMin,
    price_max: priceMax,
    sort,
    category: category?.id ?? (slug && !cats.data ? undefined : slug),
  };
  if (useSearch) {
    // Only the search API knows these.
    filters.rating_min = ratingMin;
    filters.in_stock = inStock ? 'true' : '';
    for (const [name, values] of Object.entries(attrs)) filters['attr.' + name] = values;
  }
  const ready = features.loaded && (!slug || !!cats.data);
  const mode = useSearch ? 'search' : 'product';

  const results = useInfiniteQuery({
    queryKey: ['browse', mode, filters],
    enabled: ready,
    initialPageParam: '',
    getNextPageParam: (last: Results) => last.next || undefined,
    // While a filter change loads, keep the previous results of the same
    // search and category as a placeholder: the filters (and the control
    // that has focus) stay put; the grid shows "Loading" meanwhile.
    placeholderData: (prev, prevQuery) => {
      const [, m, f] = (prevQuery?.queryKey ?? []) as [string?, string?, Filter?];
      return m === mode && f?.q === filters.q && f?.category === filters.category ? prev : undefined;
    },
    queryFn: async ({ pageParam, signal }): Promise<Results> => {
      const query = { ...filters, cursor: pageParam || undefined, limit: PAGE };
      if (useSearch) {
        const r = await api.get<SearchResult>('/api/v1/search', { query, signal });
        return {
          cards: r.items.map((h) => ({
            id: h.id,
            slug: h.slug,
            title: h.title,
            brand: h.brand,
            image: h.image,
            min: h.price.min,
            max: h.price.max,
            available: h.available,
            seller: h.seller_name,
            titleMarks: h.highlights?.title ? markedRuns(h.highlights.title) : undefined,
            rating: h.rating,
            ratingCount: h.rating_count,
          })),
          next: r.next_cursor,
          total: r.total,
          facets: pageParam ? undefined : r.facets,
          relaxed: r.relaxed,
        };
      }
      const p = await api.get<Page<Product>>('/api/v1/product', { query, signal });
      return { cards: p.items.map(fromProduct), next: p.next_cursor };
    },
  });

  // Without the search service there are no facets: offer the brands of
  // the first hundred products in scope instead.
  const brandSample = useQuery({
    queryKey: ['brands', filters.category ?? ''],
    enabled: ready && !useSearch,
    staleTime: 5 * 60_000,
    queryFn: async () => {
      const p = await api.get<Page<Product>>('/api/v1/product', { query: { category: filters.category, limit: 100 } });
      const count = new Map<string, number>();
      for (const x of p.items) count.set(x.brand, (count.get(x.brand) ?? 0) + 1);
      return [...count.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([value, n]) => ({ value, label: value, count: n }));
    },
  });

  // facets may be a placeholder's (the previous filters'); counts and
  // cards only ever show fresh results.
  const facets = results.data?.pages[0]?.facets;
  const loading = results.isPlaceholderData || (results.isPending && ready);
  const first = loading ? undefined : results.data?.pages[0];
  const brands = (useSearch ? facets?.brand : brandSample.data) ?? [];
  const cards = loading ? [] : (results.data?.pages.flatMap((p) => p.cards) ?? []);

  const set = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    // Synchronously: a controlled checkbox or select would otherwise show
    // its old state until the navigation's transition is rendered.
    setParams(next, { flushSync: true });
  };

  const setAttr = (name: string, value: string, on: boolean) => {
    const next = new URLSearchParams(params);
    const key = 'attr.' + name;
    const values = next.getAll(key).filter((v) => v.toLowerCase() !== value.toLowerCase());
    next.delete(key);
    for (const v of on ? [...values, value] : values) next.append(key, v);
    setParams(next, { flushSync: true });
  };

  const title = q ? `Results for “${q}”` : (category?.name ?? (slug ? 'Category' : 'All products'));
  useEffect(() => {
    document.title = title + ' · Bazaar';
  }, [title]);

  if (slug && cats.data && !category) {
    return (
      <div className="page narrow">
        <h1>Category not found</h1>
        <p>
          <Link to="/">See all products</Link>
        </p>
      </div>
    );
  }

  return (
    <div className="page browse">
      {home && (
        <div className="home-rails">
          <ShopperRail kind="for_you" title="For you" />
          <ShopperRail kind="trending" title="Trending" />
        </div>
      )}
      <div className="browse-head">
        <div>
          {category && <Breadcrumbs category={category} all={cats.data ?? []} />}
          <h1>{title}</h1>
          {first?.total !== undefined && (
            <p className="muted" aria-live="polite">
              {first.total} {first.total === 1 ? 'product' : 'products'}
              {first.relaxed && ' (showing close matches)'}
            </p>
          )}
        </div>
        <div className="field inline">
          <label htmlFor="sort">Sort by</label>
          <select id="sort" value={sort} onChange={(e) => set({ sort: e.target.value })}>
            {sorts.map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="browse-body">
        <Filters
          category={category}
          categories={cats.data ?? []}
          facetCategories={facets?.category}
          facets={useSearch ? facets : undefined}
          faceted={useSearch}
          brands={brands}
          brand={brand}
          priceMin={priceMin}
          priceMax={priceMax}
          ratingMin={ratingMin}
          inStock={inStock}
          attrs={attrs}
          search={params.toString()}
          onBrand={(b) => set({ brand: b })}
          onPrice={(min, max) => set({ price_min: min, price_max: max })}
          onRating={(r) => set({ rating_min: r })}
          onInStock={(on) => set({ in_stock: on ? 'true' : '' })}
          onAttr={setAttr}
          onClear={() => setParams(q ? { q } : {})}
        />
        <section className="results" aria-label="Products" aria-busy={loading || undefined}>
          {loading ? (
            <Loading label="Loading products…" />
          ) : results.isError && cards.length === 0 ? (
            <ErrorBox error={results.error} />
          ) : cards.length === 0 ? (
            <Empty title="No products match">
              <p>Try fewer filters or another search.</p>
            </Empty>
          ) : (
            <>
              <ul className="grid" data-testid="product-grid">
                {cards.map((c) => (
                  <li key={c.id}>
                    <ProductCard card={c} />
                  </li>
                ))}
              </ul>
              {results.isFetchNextPageError && <ErrorBox error={results.error} />}
              {results.hasNextPage && !loading && (
                <div className="center">
                  <button type="button" className="btn secondary" onClick={() => results.fetchNextPage()} disabled={results.isFetchingNextPage}>
                    {results.isFetchingNextPage ? 'Loading…' : 'Load more'}
                  </button>
                </div>
              )}
            </>
          )}
        </section>
      </div>
    </div>
  );
}

function Breadcrumbs({ category, all }: { category: Category; all: Category[] }) {
  const chain: Category[] = [];
  for (let c: Category | undefined = category; c; c = all.find((x) => x.id === c!.parent_id)) chain.unshift(c);
  return (
    <nav aria-label="Breadcrumb" className="crumbs">
      <ol>
        <li>
          <Link to="/">All</Link>
        </li>
        {chain.slice(0, -1).map((c) => (
          <li key={c.id}>
            <Link to={'/c/' + c.slug}>{c.name}</Link>
          </li>
        ))}
      </ol>
    </nav>
  );
}

export function ProductCard({ card }: { card: Card }) {
  return (
    <Link to={'/p/' + card.slug} className="card">
      <Thumb src={card.image} alt="" />
      <div className="card-body">
        <span className="card-brand">{card.brand}</span>
        <span className="card-title">
          {card.titleMarks?.some((r) => r.mark)
            ? card.titleMarks.map((r, i) => (r.mark ? <mark key={i}>{r.text}</mark> : r.text))
            : card.title}
        </span>
        <CompactRating average={card.rating} count={card.ratingCount} />
        <Price value={card.min} max={card.max.amount !== card.min.amount ? card.max : undefined} />
        {card.available === 0 && <span className="stock out">Out of stock</span>}
      </div>
    </Link>
  );
}

interface FilterProps {
  category?: Category;
  categories: Category[];
  facetCategories?: FacetValue[];
  /** The search facets (first page); undefined while loading or without search. */
  facets?: Facets;
  /** Whether the search API serves this page (rating, stock and attribute filters). */
  faceted: boolean;
  brands: FacetValue[];
  brand: string;
  priceMin: string;
  priceMax: string;
  ratingMin: string;
  inStock: boolean;
  attrs: Record<string, string[]>;
  search: string;
  onBrand: (b: string) => void;
  onPrice: (min: string, max: string) => void;
  onRating: (r: string) => void;
  onInStock: (on: boolean) => void;
  onAttr: (name: string, value: string, on: boolean) => void;
  onClear: () => void;
}

/** ATTR_VALUES is how many values of an attribute the filters offer. */
const ATTR_VALUES = 8;

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** ratingChoices is the rating facet, plus the chosen floor when the facet lacks it. */
function ratingChoices(facet: FacetValue[], current: string): { value: string; label: string; count?: number }[] {
  const out: { value: string; label: string; count?: number }[] = [...facet];
  const n = Number(current);
  if (current && Number.isFinite(n) && !facet.some((f) => Number(f.value) === n)) {
    out.push({ value: current, label: `${current} ${n === 1 ? 'star' : 'stars'} & up` });
    out.sort((a, b) => Number(b.value) - Number(a.value));
  }
  return out;
}

/**
 * attributeChoices is the top values of each attribute facet, with the
 * chosen values kept (the facets count within the filtered results, so a
 * chosen value may be missing) and attributes only the URL names.
 */
function attributeChoices(facets: AttributeFacet[], chosen: Record<string, string[]>): { name: string; values: { value: string; label: string; count?: number }[] }[] {
  const out = facets.map((a) => ({ name: a.name, values: a.values.slice(0, ATTR_VALUES) as { value: string; label: string; count?: number }[] }));
  for (const [name, values] of Object.entries(chosen)) {
    let a = out.find((x) => x.name === name);
    if (!a) out.push((a = { name, values: [] }));
    for (const v of values) {
      if (!a.values.some((x) => x.value.toLowerCase() === v.toLowerCase())) {
        const f = facets.find((x) => x.name === name)?.values.find((x) => x.value.toLowerCase() === v.toLowerCase());
        a.values.push(f ?? { value: v, label: v });
      }
    }
  }
  return out.filter((a) => a.values.length > 0);
}

/** Choice is a toggle button in a facet list: "4 stars & up (126)". */
function Choice({ label, count, pressed, onClick }: { label: string; count?: number; pressed: boolean; onClick: () => void }) {
  return (
    <button type="button" className="facet-choice" aria-pressed={pressed} onClick={onClick}>
      {label}
      {count !== undefined && <span className="count"> ({count})</span>}
    </button>
  );
}

function Filters(p: FilterProps) {
  const currency = 'USD';
  const [min, setMin] = useState(p.priceMin ? toMajor(Number(p.priceMin), currency) : '');
  const [max, setMax] = useState(p.priceMax ? toMajor(Number(p.priceMax), currency) : '');
  const [err, setErr] = useState<{ min?: string; max?: string }>({});
  useEffect(() => {
    setMin(p.priceMin ? toMajor(Number(p.priceMin), currency) : '');
    setMax(p.priceMax ? toMajor(Number(p.priceMax), currency) : '');
  }, [p.priceMin, p.priceMax]);

  const children = useMemo(() => {
    const parent = p.category?.id ?? null;
    return p.categories.filter((c) => (c.parent_id ?? null) === parent);
  }, [p.category, p.categories]);
  const counts = new Map(p.facetCategories?.map((f) => [f.value, f.count]));
  const qs = p.search ? '?' + p.search : '';
  const buckets = (p.facets?.price ?? []).flatMap((b) => {
    const r = bucketRange(b.value);
    return r ? [{ ...b, ...r }] : [];
  });
  const ratings = p.faceted ? ratingChoices(p.facets?.rating ?? [], p.ratingMin) : [];
  const attributes = p.faceted ? attributeChoices(p.facets?.attributes ?? [], p.attrs) : [];
  const filtered = p.brand || p.priceMin || p.priceMax || p.ratingMin || p.inStock || Object.keys(p.attrs).length > 0;

  const applyPrice = (e: FormEvent) => {
    e.preventDefault();
    const a = min.trim() ? parseAmount(min, currency) : null;
    const b = max.trim() ? parseAmount(max, currency) : null;
    const errs: typeof err = {};
    if (min.trim() && a === null) errs.min = 'Enter a price like 25 or 19.99';
    if (max.trim() && b === null) errs.max = 'Enter a price like 25 or 19.99';
    if (a !== null && b !== null && a > b) errs.max = 'Must be at least the minimum';
    setErr(errs);
    if (Object.keys(errs).length === 0) p.onPrice(a === null ? '' : String(a), b === null ? '' : String(b));
  };

  return (
    <aside className="filters" aria-label="Filters">
      <details open={typeof window === 'undefined' || window.matchMedia('(min-width: 800px)').matches}>
        <summary>Filters</summary>
        {children.length > 0 && (
          <section>
            <h2>{p.category ? 'In ' + p.category.name : 'Categories'}</h2>
            <ul className="cat-list">
              {children.map((c) => (
                <li key={c.id}>
                  <Link to={'/c/' + c.slug + qs}>
                    {c.name}
                    {counts.has(c.id) && <span className="muted"> ({counts.get(c.id)})</span>}
                  </Link>
                </li>
              ))}
            </ul>
          </section>
        )}
        <section>
          <h2>
            <label htmlFor="brand-filter">Brand</label>
          </h2>
          <select id="brand-filter" value={p.brand} onChange={(e) => p.onBrand(e.target.value)}>
            <option value="">All brands</option>
            {p.brand && !p.brands.some((b) => b.value === p.brand) && <option value={p.brand}>{p.brand}</option>}
            {p.brands.map((b) => (
              <option key={b.value} value={b.value}>
                {b.label} ({b.count})
              </option>
            ))}
          </select>
        </section>
        <section>
          {buckets.length > 0 ? (
            <fieldset className="facet">
              <legend>
                <h2>Price</h2>
              </legend>
              <ul className="facet-list">
                {buckets.map((b) => {
                  const on = p.priceMin === b.min && p.priceMax === b.max;
                  return (
                    <li key={b.value}>
                      <Choice label={capitalize(b.label)} count={b.count} pressed={on} onClick={() => (on ? p.onPrice('', '') : p.onPrice(b.min, b.max))} />
                    </li>
                  );
                })}
              </ul>
            </fieldset>
          ) : (
            <h2>Price</h2>
          )}
          <form className="price-filter" onSubmit={applyPrice} noValidate>
            <div className="field">
              <label htmlFor="price-min">Min ($)</label>
              <input id="price-min" inputMode="decimal" value={min} onChange={(e) => setMin(e.target.value)} aria-invalid={err.min ? true : undefined} aria-describedby={err.min ? 'price-min-err' : undefined} placeholder="0" />
              {err.min && (
                <p className="field-error" id="price-min-err">
                  {err.min}
                </p>
              )}
            </div>
            <div className="field">
              <label htmlFor="price-max">Max ($)</label>
              <input id="price-max" inputMode="decimal" value={max} onChange={(e) => setMax(e.target.value)} aria-invalid={err.max ? true : undefined} aria-describedby={err.max ? 'price-max-err' : undefined} placeholder="Any" />
              {err.max && (
                <p className="field-error" id="price-max-err">
                  {err.max}
                </p>
              )}
            </div>
            <button type="submit" className="btn secondary small">
              Apply
            </button>
          </form>
        </section>
        {ratings.length > 0 && (
          <section>
            <fieldset className="facet">
              <legend>
                <h2>Rating</h2>
              </legend>
              <ul className="facet-list">
                {ratings.map((r) => {
                  const on = p.ratingMin !== '' && Number(p.ratingMin) === Number(r.value);
                  return (
                    <li key={r.value}>
                      <Choice label={r.label} count={r.count} pressed={on} onClick={() => p.onRating(on ? '' : r.value)} />
                    </li>
                  );
                })}
              </ul>
            </fieldset>
          </section>
        )}
        {p.faceted && (
          <section>
            <h2>Availability</h2>
            <label className="check">
              <input type="checkbox" checked={p.inStock} onChange={(e) => p.onInStock(e.target.checked)} /> In stock only
            </label>
          </section>
        )}
        {attributes.map((a) => (
          <section key={a.name}>
            <fieldset className="facet">
              <legend>
                <h2>{attrLabel(a.name)}</h2>
              </legend>
              <ul className="facet-list">
                {a.values.map((v) => {
                  const on = (p.attrs[a.name] ?? []).some((x) => x.toLowerCase() === v.value.toLowerCase());
                  return (
                    <li key={v.value}>
                      <label className="check">
                        <input type="checkbox" checked={on} onChange={(e) => p.onAttr(a.name, v.value, e.target.checked)} />
                        <span>
                          {v.label}
                          {v.count !== undefined && <span className="count"> ({v.count})</span>}
                        </span>
                      </label>
                    </li>
                  );
                })}
              </ul>
            </fieldset>
          </section>
        ))}
        {filtered && (
          <button type="button" className="link" onClick={p.onClear}>
            Clear filters
          </button>
        )}
      </details>
    </aside>
  );
}
