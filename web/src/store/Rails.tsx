// The recommendation rails: "Customers also bought", "Similar products",
// "For you", "Trending" and "You may also like", and the view beacon.
import { useEffect, useId, useRef } from 'react';
import { Link } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, useFeatures, useSession } from '../app/api';
import { Price, Thumb } from '../ui/kit';
import { Beacon, onlyGeneric, railCards, sessionId, storedSession, type ProductRecKind, type RailCard, type RecList, type ShopperRecKind } from './recommend';

/** LIMIT is how many products a rail asks for. */
const LIMIT = 12;

const PRODUCT_ROUTE = 'GET /api/v1/product/{id}/recommendation';
const SHOPPER_ROUTE = 'GET /api/v1/recommendation';
const ACTIVITY_ROUTE = 'POST /api/v1/activity';

function storage() {
  return typeof localStorage !== 'undefined' ? localStorage : undefined;
}

/** guestSession is the guest session id, made on first use (the beacon). */
function guestSession(): string {
  return sessionId(storage());
}

/**
 * useViewBeacon reports a view of the product once per page view, in the
 * background: it never delays the page and its errors are ignored. A
 * reported view makes "For you" stale, so the home page asks again.
 */
export function useViewBeacon(productId: string | undefined) {
  const features = useFeatures();
  const { restoring } = useSession();
  const qc = useQueryClient();
  const beacon = useRef(new Beacon());
  const on = features.has(ACTIVITY_ROUTE);
  useEffect(() => {
    // Wait for the session: a signed-in shopper's views count for them.
    if (!productId || !on || restoring || !beacon.current.shouldSend(productId)) return;
    api
      .post('/api/v1/activity', { kind: 'view', product_id: productId, session: guestSession() })
      .then(() => qc.invalidateQueries({ queryKey: ['rec', 'for_you'] }))
      .catch(() => undefined);
  }, [productId, on, restoring, qc]);
}

/** ProductRail is a product page's rail of its neighbours (also bought, similar). */
export function ProductRail({ productId, kind, title }: { productId: string; kind: ProductRecKind; title: string }) {
  const features = useFeatures();
  const on = features.has(PRODUCT_ROUTE);
  const q = useQuery({
    queryKey: ['rec', kind, productId],
    enabled: on,
    staleTime: 60_000,
    queryFn: ({ signal }) =>
      api.get<RecList>(`/api/v1/product/${encodeURIComponent(productId)}/recommendation`, {
        query: { kind, limit: LIMIT, session: storedSession(storage()) },
        signal,
      }),
  });
  if (!on) return features.loaded ? null : <Rail title={title} kind={kind} pending cards={[]} />;
  return <Rail title={title} kind={kind} pending={q.isPending} cards={railCards(q.data)} />;
}

/**
 * ShopperRail is a rail of the shopper's lists: for you (signed in and/or
 * the guest session), trending, or what goes with the cart's products.
 */
export function ShopperRail({ kind, title, products, category }: { kind: ShopperRecKind; title: string; products?: string[]; category?: string }) {
  const features = useFeatures();
  const { user, restoring } = useSession();
  const personal = kind !== 'trending';
  // A guest who never viewed a product has no session yet: "For you"
  // would only repeat Trending.
  const session = personal ? storedSession(storage()) : undefined;
  const on = features.has(SHOPPER_ROUTE) && (kind !== 'cart' || (products?.length ?? 0) > 0) && (kind !== 'for_you' || !!user || !!session);
  const q = useQuery({
    queryKey: ['rec', kind, user?.id ?? '', category ?? '', (products ?? []).join(',')],
    enabled: on && !(personal && restoring),
    // "For you" changes with every view: ask again whenever the page shows.
    staleTime: kind === 'trending' ? 60_000 : 0,
    queryFn: ({ signal }) =>
      api.get<RecList>('/api/v1/recommendation', {
        query: { kind, limit: LIMIT, category, product: products?.join(','), session },
        signal,
      }),
  });
  if (!on) return features.loaded || kind !== 'trending' ? null : <Rail title={title} kind={kind} pending cards={[]} />;
  const cards = railCards(q.data);
  // A shopper the models know nothing about gets trending products: the
  // Trending rail shows them already.
  if (kind === 'for_you' && !q.isPending && onlyGeneric(cards)) return null;
  return <Rail title={title} kind={kind} pending={q.isPending} cards={cards} />;
}

/**
 * Rail is a labelled, horizontally scrolling list of product cards with
 * their reasons. While loading it shows skeleton cards of the same size;
 * an empty (or failed) list shows nothing.
 */
export function Rail({ title, kind, pending, cards }: { title: string; kind: string; pending: boolean; cards: RailCard[] }) {
  const id = useId();
  if (!pending && cards.length === 0) return null;
  return (
    <section className="rail" aria-labelledby={id} aria-busy={pending || undefined} data-testid={'rail-' + kind}>
      <h2 id={id}>{title}</h2>
      {pending ? (
        <ul className="rail-list" aria-hidden="true">
          {Array.from({ length: 6 }, (_, i) => (
            <li key={i}>
              <div className="card rail-card skeleton">
                <div className="thumb" />
                <div className="card-body">
                  <span className="sk-line short" />
                  <span className="sk-line" />
                  <span className="sk-line" />
                  <span className="sk-line short" />
                </div>
              </div>
            </li>
          ))}
        </ul>
      ) : (
        <ul className="rail-list">
          {cards.map((c) => (
            <li key={c.id}>
              <RailCardView card={c} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function RailCardView({ card }: { card: RailCard }) {
  return (
    <Link to={'/p/' + card.slug} className="card rail-card" data-testid="rail-card">
      <Thumb src={card.image} alt="" />
      <div className="card-body">
        <span className="card-brand">{card.brand}</span>
        <span className="card-title">{card.title}</span>
        <Price value={card.min} max={card.max.amount !== card.min.amount ? card.max : undefined} />
        <span className="rail-reason" data-testid="rail-reason">
          {card.reason}
        </span>
      </div>
    </Link>
  );
}
