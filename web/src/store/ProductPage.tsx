import { Suspense, lazy, useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, useCategories, useFeatures, useSession } from '../app/api';
import { addToCart, useCartChange } from '../app/cart';
import { isApiError } from '../api/client';
import type { Page, Product, Seller, Variant, WishItem } from '../api/types';
import { ErrorBox, Loading, Price, Thumb, humanize, useToast } from '../ui/kit';
import { RatingLink, useReviews } from './stars';
import { ProductRail, useViewBeacon } from './Rails';

// The reviews section is below the fold: it loads with the first product page that shows it.
const ProductReviews = lazy(() => import('./Reviews').then((m) => ({ default: m.ProductReviews })));

/** optionNames lists the option names of a product's variants, in first-seen order. */
export function optionNames(variants: Variant[]): string[] {
  const names: string[] = [];
  for (const v of variants) for (const k of Object.keys(v.options)) if (!names.includes(k)) names.push(k);
  return names;
}

/** pickVariant finds the variant matching every chosen option, or the closest one when a choice changes. */
export function pickVariant(variants: Variant[], chosen: Record<string, string>): Variant | undefined {
  return variants.find((v) => Object.entries(chosen).every(([k, val]) => v.options[k] === val));
}

export function ProductPage() {
  const { slug = '' } = useParams();
  const product = useQuery({
    queryKey: ['product', slug],
    queryFn: () => api.get<Product>('/api/v1/product/' + encodeURIComponent(slug)),
  });
  useEffect(() => {
    if (product.data) document.title = product.data.title + ' · Bazaar';
  }, [product.data]);
  useViewBeacon(product.data?.id);

  if (product.isPending) return <Loading label="Loading product…" />;
  if (product.isError) {
    if (isApiError(product.error, 'not_found') || (isApiError(product.error) && product.error.status === 404)) {
      return (
        <div className="page narrow">
          <h1>Product not found</h1>
          <p>
            It may have been withdrawn from sale. <Link to="/">Keep shopping</Link>
          </p>
        </div>
      );
    }
    return (
      <div className="page">
        <ErrorBox error={product.error} />
      </div>
    );
  }
  return <ProductView product={product.data} />;
}

function ProductView({ product: p }: { product: Product }) {
  const names = useMemo(() => optionNames(p.variants), [p.variants]);
  const firstAvailable = p.variants.find((v) => v.available > 0) ?? p.variants[0];
  const [chosen, setChosen] = useState<Record<string, string>>(() => ({ ...(firstAvailable?.options ?? {}) }));
  const [qty, setQty] = useState(1);
  const [image, setImage] = useState(0);
  const toast = useToast();
  const variant = pickVariant(p.variants, chosen);
  const seller = useQuery({
    queryKey: ['seller', p.seller_id],
    queryFn: () => api.get<Seller>('/api/v1/seller/' + p.seller_id),
    staleTime: 5 * 60_000,
  });
  const cats = useCategories();
  const category = cats.data?.find((c) => c.id === p.category_id);
  const features = useFeatures();
  const hasReviews = features.has('GET /api/v1/product/{id}/review');
  const reviews = useReviews(p.id, hasReviews);

  const add = useCartChange(() => addToCart(variant!.sku, qty));

  const choose = (name: string, value: string) => {
    const next = { ...chosen, [name]: value };
    if (!pickVariant(p.variants, next)) {
      // No variant has this combination: keep the new choice, take the
      // rest from the best variant that has it.
      const v = p.variants.find((x) => x.options[name] === value && x.available > 0) ?? p.variants.find((x) => x.options[name] === value);
      if (v) Object.assign(next, v.options);
    }
    setChosen(next);
    setQty(1);
  };

  const max = variant ? Math.min(variant.available, 999) : 0;
  const purchasable = p.status === 'active' && !!variant && variant.available > 0;

  return (
    <div className="page product">
      <nav aria-label="Breadcrumb" className="crumbs">
        <ol>
          <li>
            <Link to="/">All</Link>
          </li>
          {category && (
            <li>
              <Link to={'/c/' + category.slug}>{[...p.category.path, p.category.name].join(' › ')}</Link>
            </li>
          )}
        </ol>
      </nav>
      <div className="product-main">
        <section className="gallery" aria-label="Images">
          <div className="gallery-main">
            <Thumb src={p.images[image]?.url} alt={p.title} />
          </div>
          {p.images.length > 1 && (
            <ul className="gallery-thumbs">
              {p.images.map((img, i) => (
                <li key={img.id}>
                  <button type="button" aria-label={`Image ${i + 1} of ${p.images.length}`} aria-pressed={i === image} onClick={() => setImage(i)}>
                    <img src={img.url} alt="" width={64} height={64} />
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="buy-box" aria-label="Buy">
          <p className="card-brand">{p.brand}</p>
          <h1>{p.title}</h1>
          {hasReviews && <RatingLink summary={reviews.data?.pages[0]?.summary} />}
          {p.status !== 'active' && <p className="badge badge-warn">{humanize(p.status)} — not for sale</p>}
          <p className="big-price" data-testid="price">
            {variant ? <Price value={variant.price} /> : <Price value={p.price_min} max={p.price_max} />}
          </p>
          {names.map((name) => {
            const values = [...new Set(p.variants.map((v) => v.options[name]).filter(Boolean))];
            return (
              <fieldset key={name} className="options">
                <legend>
                  {humanize(name)}: <strong>{chosen[name] ?? '—'}</strong>
                </legend>
                <div className="option-values">
                  {values.map((val) => {
                    const exists = p.variants.some((v) => v.options[name] === val && Object.entries(chosen).every(([k, c]) => k === name || v.options[k] === c));
                    const inStock = p.variants.some((v) => v.options[name] === val && v.available > 0);
                    return (
                      <label key={val} className={'option' + (!inStock ? ' option-out' : '') + (!exists ? ' option-other' : '')}>
                        <input type="radio" name={'opt-' + name} value={val} checked={chosen[name] === val} onChange={() => choose(name, val)} />
                        <span>{val}</span>
                      </label>
                    );
                  })}
                </div>
              </fieldset>
            );
          })}
          <p className={'stock ' + (variant && variant.available > 0 ? 'in' : 'out')} data-testid="availability">
            {!variant ? 'This combination is not available' : variant.available === 0 ? 'Out of stock' : variant.available <= 5 ? `Only ${variant.available} left in stock` : 'In stock'}
          </p>
          <form
            className="add-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (!purchasable) return;
              add.mutate(undefined, {
                onSuccess: () =>
                  toast(
                    <>
                      Added to your cart. <Link to="/cart">View cart</Link>
                    </>,
                  ),
              });
            }}
          >
            <div className="field qty">
              <label htmlFor="qty">Quantity</label>
              <input id="qty" type="number" min={1} max={Math.max(1, max)} value={qty} onChange={(e) => setQty(Math.max(1, Math.min(max || 1, Number(e.target.value) || 1)))} disabled={!purchasable} />
            </div>
            <button type="submit" className="btn primary" disabled={!purchasable || add.isPending}>
              {add.isPending ? 'Adding…' : 'Add to cart'}
            </button>
            <WishButton productId={p.id} />
          </form>
          <ErrorBox error={add.error} />
          {seller.data && (
            <p className="muted">
              Sold by <strong>{seller.data.name}</strong>
            </p>
          )}
          {variant && <p className="muted small">SKU {variant.sku}</p>}
          <AskLink productId={p.id} />
        </section>
      </div>
      <section className="product-details">
        <h2>About this product</h2>
        <p className="description">{p.description}</p>
        {Object.keys(p.attributes).length > 0 && (
          <table className="attrs">
            <caption className="sr-only">Specifications</caption>
            <tbody>
              {Object.entries(p.attributes).map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{humanize(k)}</th>
                  <td>{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <ProductRail key={'ab-' + p.id} productId={p.id} kind="also_bought" title="Customers also bought" />
      <ProductRail key={'sim-' + p.id} productId={p.id} kind="similar" title="Similar products" />
      {hasReviews && (
        <Suspense fallback={<Loading />}>
          <ProductReviews product={p} reviews={reviews} />
        </Suspense>
      )}
    </div>
  );
}

/** AskLink opens a support ticket about the product; for signed-in customers only. */
function AskLink({ productId }: { productId: string }) {
  const { user } = useSession();
  const features = useFeatures();
  if (user?.role !== 'customer' || !features.has('POST /api/v1/ticket')) return null;
  return (
    <p className="small">
      <Link to={'/tickets/new?product_id=' + encodeURIComponent(productId)}>Ask a question about this product</Link>
    </p>
  );
}

/** WishButton adds or removes the product on a customer's wishlist. */
function WishButton({ productId }: { productId: string }) {
  const { user } = useSession();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const toast = useToast();
  const wishlist = useQuery({
    queryKey: ['wishlist'],
    queryFn: () => api.get<Page<WishItem>>('/api/v1/wishlist', { query: { limit: 100 } }),
    enabled: user?.role === 'customer',
  });
  const on = !!wishlist.data?.items.some((w) => w.id === productId);
  const toggle = useMutation({
    mutationFn: () => (on ? api.del('/api/v1/wishlist/' + productId) : api.post('/api/v1/wishlist', { product_id: productId })),
    onSuccess: () => {
      toast(on ? 'Removed from your wishlist.' : 'Saved to your wishlist.');
      return qc.invalidateQueries({ queryKey: ['wishlist'] });
    },
    onError: (e) => toast(isApiError(e) ? e.detail : 'Could not update the wishlist', 'bad'),
  });
  if (user && user.role !== 'customer') return null;
  return (
    <button
      type="button"
      className="btn ghost"
      aria-pressed={on}
      disabled={toggle.isPending}
      onClick={() => (user ? toggle.mutate() : navigate('/signin?next=' + encodeURIComponent(location.pathname)))}
    >
      {on ? '♥ Saved' : '♡ Save'}
    </button>
  );
}
