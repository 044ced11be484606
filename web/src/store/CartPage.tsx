import { useEffect } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, useFeatures, useSession } from '../app/api';
import { removeLine, setQuantity, useCart, useCartChange } from '../app/cart';
import type { CartLine } from '../api/types';
import { Empty, ErrorBox, Loading, Price, Thumb, humanize } from '../ui/kit';
import { cartProducts } from './recommend';
import { ShopperRail } from './Rails';

export function CartPage() {
  const { user, restoring } = useSession();
  const cart = useCart();
  const features = useFeatures();
  const navigate = useNavigate();
  useEffect(() => {
    document.title = 'Cart · Bazaar';
  }, []);

  const hasCart = !!user || !!api.cartToken;
  if (restoring || (hasCart && cart.isPending)) return <Loading label="Loading your cart…" />;
  if (cart.isError) {
    return (
      <div className="page narrow">
        <h1>Your cart</h1>
        <ErrorBox error={cart.error} />
      </div>
    );
  }
  const c = cart.data;
  if (!c || c.item_count === 0) {
    return (
      <div className="page narrow">
        <h1>Your cart</h1>
        <Empty title="Your cart is empty">
          <p>
            <Link to="/" className="btn primary">
              Start shopping
            </Link>
          </p>
        </Empty>
      </div>
    );
  }
  const canOrder = features.has('POST /api/v1/order');
  const blocked = c.groups.some((g) => g.lines.some((l) => !l.purchasable || !l.in_stock || l.quantity > l.available));
  return (
    <div className="page cart">
      <h1>Your cart</h1>
      <div className="cart-layout">
        <div className="cart-groups">
          {c.groups.map((g) => (
            <section key={g.seller_id} className="panel" aria-labelledby={'seller-' + g.seller_id}>
              <h2 id={'seller-' + g.seller_id} className="seller-head">
                Sold by {g.seller_name}
              </h2>
              <ul className="lines">
                {g.lines.map((l) => (
                  <Line key={l.id} line={l} />
                ))}
              </ul>
              <p className="group-subtotal">
                Subtotal from {g.seller_name}: <Price value={g.subtotal} />
              </p>
            </section>
          ))}
        </div>
        <aside className="panel summary" aria-label="Order summary">
          <h2>Summary</h2>
          <p className="summary-row">
            <span>
              Items ({c.item_count}) subtotal
            </span>
            <Price value={c.subtotal} className="strong" />
          </p>
          <p className="muted small">Shipping and tax are worked out at checkout.</p>
          {canOrder ? (
            <button type="button" className="btn primary block" disabled={blocked} onClick={() => navigate(user ? '/checkout' : '/signin?next=/checkout')}>
              {user ? 'Proceed to checkout' : 'Sign in to check out'}
            </button>
          ) : (
            <p className="notice">Checkout is not available on this server yet.</p>
          )}
          {blocked && <p className="field-error">Some items cannot be bought right now: change or remove them first.</p>}
        </aside>
      </div>
      <ShopperRail kind="cart" title="You may also like" products={cartProducts(c.groups.flatMap((g) => g.lines))} />
    </div>
  );
}

function Line({ line: l }: { line: CartLine }) {
  const update = useCartChange((q: number) => setQuantity(l.id, q));
  const remove = useCartChange(() => removeLine(l.id));
  const busy = update.isPending || remove.isPending;
  const options = Object.entries(l.options)
    .map(([k, v]) => `${humanize(k)}: ${v}`)
    .join(', ');
  const max = Math.max(l.quantity, Math.min(l.available, 20));
  return (
    <li className="line" data-testid="cart-line" aria-busy={busy}>
      <Link to={'/p/' + l.product_slug} className="line-image" tabIndex={-1} aria-hidden="true">
        <Thumb src={l.image} alt="" size={80} />
      </Link>
      <div className="line-info">
        <Link to={'/p/' + l.product_slug} className="line-title">
          {l.product_title}
        </Link>
        {options && <p className="muted small">{options}</p>}
        <p className="small">
          <Price value={l.unit_price} /> each
        </p>
        {!l.purchasable && <p className="field-error">No longer for sale</p>}
        {l.purchasable && !l.in_stock && <p className="field-error">Out of stock</p>}
        {l.purchasable && l.in_stock && l.quantity > l.available && <p className="field-error">Only {l.available} available</p>}
        {l.currency_mismatch && <p className="field-error">Priced in another currency than your cart</p>}
        <ErrorBox error={update.error ?? remove.error} />
      </div>
      <div className="line-actions">
        <label className="sr-only" htmlFor={'qty-' + l.id}>
          Quantity of {l.product_title}
        </label>
        <select id={'qty-' + l.id} value={l.quantity} disabled={busy || !l.purchasable} onChange={(e) => update.mutate(Number(e.target.value))}>
          {Array.from({ length: Math.max(max, 1) }, (_, i) => i + 1).map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        <button type="button" className="link" onClick={() => remove.mutate(undefined)} disabled={busy}>
          Remove<span className="sr-only"> {l.product_title}</span>
        </button>
        <Price value={l.line_total} className="strong" />
      </div>
    </li>
  );
}
