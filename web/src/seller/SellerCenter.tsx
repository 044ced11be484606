import { useEffect, useState } from 'react';
import { Link, NavLink, Route, Routes, useSearchParams } from 'react-router';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { RequireUser } from '../app/routes';
import { api, useFeatures } from '../app/api';
import { isApiError } from '../api/client';
import type { Page, Product, Seller } from '../api/types';
import { Badge, Empty, ErrorBox, Field, Loading, Price, TextArea, Thumb, fieldError } from '../ui/kit';
import { ProductEditor } from './ProductEditor';
import { SellerOrders } from './SellerOrders';
import { ReturnDetail, ReturnQueue } from './ReturnDesk';
import { ReturnPolicy } from './ReturnPolicy';
import { Payments } from './Payments';
import { TicketDetail, TicketQueue } from '../admin/TicketDesk';

export default function SellerCenterPage() {
  return (
    <RequireUser roles={['seller']}>
      <SellerCenter />
    </RequireUser>
  );
}

function SellerCenter() {
  const store = useQuery({
    queryKey: ['my-store'],
    queryFn: async () => {
      try {
        return await api.get<Seller>('/api/v1/seller/me');
      } catch (e) {
        if (isApiError(e) && e.status === 404) return null;
        throw e;
      }
    },
  });
  const features = useFeatures();
  useEffect(() => {
    document.title = 'Seller center · Bazaar';
  }, []);
  if (store.isPending) return <Loading />;
  if (store.isError)
    return (
      <div className="page">
        <ErrorBox error={store.error} />
      </div>
    );
  if (!store.data) return <OpenStore />;
  const s = store.data;
  const hasOrders = features.has('GET /api/v1/seller/order');
  const hasReturns = features.has('GET /api/v1/return');
  const hasPolicy = features.has('GET /api/v1/seller/return-policy');
  const hasTickets = features.has('GET /api/v1/ticket');
  const hasPayments = features.has('GET /api/v1/seller/balance');
  return (
    <div className="page area">
      <nav className="area-nav" aria-label="Seller center">
        <h2>{s.name}</h2>
        <ul>
          <li>
            <NavLink to="/seller" end>
              Products
            </NavLink>
          </li>
          <li>
            <NavLink to="/seller/products/new">New product</NavLink>
          </li>
          {hasOrders && (
            <li>
              <NavLink to="/seller/orders">Orders</NavLink>
            </li>
          )}
          {hasReturns && (
            <li>
              <NavLink to="/seller/returns">Returns</NavLink>
            </li>
          )}
          {hasPolicy && (
            <li>
              <NavLink to="/seller/return-policy">Return policy</NavLink>
            </li>
          )}
          {hasTickets && (
            <li>
              <NavLink to="/seller/tickets">Tickets</NavLink>
            </li>
          )}
          {hasPayments && (
            <li>
              <NavLink to="/seller/payments">Payments</NavLink>
            </li>
          )}
          <li>
            <NavLink to="/seller/store">Store</NavLink>
          </li>
        </ul>
      </nav>
      <div>
        {s.status !== 'active' && (
          <p className="notice" role="status">
            Your store is {s.status}: its products are not shown to shoppers.
          </p>
        )}
        <Routes>
          <Route index element={<Products />} />
          <Route path="products/new" element={<ProductEditor key="new" />} />
          <Route path="products/:id" element={<ProductEditor />} />
          {hasOrders && <Route path="orders" element={<SellerOrders />} />}
          {hasReturns && <Route path="returns" element={<ReturnQueue desk="seller" />} />}
          {hasReturns && <Route path="returns/:id" element={<ReturnDetail desk="seller" />} />}
          {hasPolicy && <Route path="return-policy" element={<ReturnPolicy />} />}
          {hasTickets && <Route path="tickets" element={<TicketQueue desk="seller" />} />}
          {hasTickets && <Route path="tickets/:id" element={<TicketDetail desk="seller" />} />}
          {hasPayments && <Route path="payments" element={<Payments />} />}
          <Route path="store" element={<StoreInfo store={s} />} />
          <Route path="*" element={<Empty title="Nothing here" />} />
        </Routes>
      </div>
    </div>
  );
}

function OpenStore() {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const open = useMutation({
    mutationFn: () => api.post<Seller>('/api/v1/seller', { name: name.trim(), description: description.trim() }),
    onSuccess: (s) => qc.setQueryData(['my-store'], s),
  });
  return (
    <div className="page narrow">
      <form
        className="panel"
        onSubmit={(e) => {
          e.preventDefault();
          open.mutate();
        }}
      >
        <h1>Open your store</h1>
        <p>Give your store a name shoppers will see next to your products. You can list products as soon as it is open.</p>
        <ErrorBox error={open.error} fields={['name', 'description']} />
        <Field label="Store name" value={name} onChange={(e) => setName(e.target.value)} error={fieldError(open.error, 'name')} required autoFocus />
        <TextArea label="About the store (optional)" value={description} onChange={(e) => setDescription(e.target.value)} error={fieldError(open.error, 'description')} />
        <button className="btn primary" disabled={open.isPending}>
          {open.isPending ? 'Opening…' : 'Open store'}
        </button>
      </form>
    </div>
  );
}

function StoreInfo({ store }: { store: Seller }) {
  return (
    <section className="panel">
      <h1>{store.name}</h1>
      <p>
        Status: <Badge status={store.status} />
      </p>
      {store.description && <p>{store.description}</p>}
      <p className="muted small">
        Store ID <code>{store.id}</code> · address <code>{store.slug}</code>
      </p>
    </section>
  );
}

function Products() {
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? '';
  const q = params.get('q') ?? '';
  const [text, setText] = useState(q);
  const list = useInfiniteQuery({
    queryKey: ['seller-products', status, q],
    initialPageParam: '',
    getNextPageParam: (p: Page<Product>) => p.next_cursor || undefined,
    queryFn: ({ pageParam }) => api.get<Page<Product>>('/api/v1/seller/product', { query: { status, q, cursor: pageParam || undefined, limit: 50 } }),
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section>
      <div className="title-row">
        <h1>Products</h1>
        <Link to="/seller/products/new" className="btn primary">
          New product
        </Link>
      </div>
      <form
        className="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setParams({ ...(status && { status }), ...(text.trim() && { q: text.trim() }) });
        }}
      >
        <div className="field">
          <label htmlFor="sp-q">Title contains</label>
          <input id="sp-q" type="search" value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="sp-status">Status</label>
          <select id="sp-status" value={status} onChange={(e) => setParams({ ...(e.target.value && { status: e.target.value }), ...(q && { q }) })}>
            <option value="">Any</option>
            <option value="draft">Draft</option>
            <option value="active">Active</option>
            <option value="archived">Archived</option>
          </select>
        </div>
        <button className="btn secondary">Search</button>
      </form>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorBox error={list.error} />
      ) : items.length === 0 ? (
        <Empty title="No products">
          <Link to="/seller/products/new">List your first product</Link>
        </Empty>
      ) : (
        <div className="table-wrap panel">
          <table className="data">
            <caption className="sr-only">Your products</caption>
            <thead>
              <tr>
                <th scope="col">
                  <span className="sr-only">Image</span>
                </th>
                <th scope="col">Product</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Price
                </th>
                <th scope="col" className="num">
                  Variants
                </th>
                <th scope="col" className="num">
                  Available
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id} data-testid="seller-product-row">
                  <td>
                    <Thumb src={p.images[0]?.url} alt="" size={44} />
                  </td>
                  <td>
                    <Link to={'/seller/products/' + p.id}>{p.title}</Link>
                    <div className="muted small">{p.brand}</div>
                  </td>
                  <td>
                    <Badge status={p.status} />
                  </td>
                  <td className="num">
                    <Price value={p.price_min} max={p.price_max.amount !== p.price_min.amount ? p.price_max : undefined} />
                  </td>
                  <td className="num">{p.variants.length}</td>
                  <td className="num">{p.variants.reduce((n, v) => n + v.available, 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.hasNextPage && (
        <div className="center">
          <button type="button" className="btn secondary" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            Load more
          </button>
        </div>
      )}
    </section>
  );
}
