import { useEffect, useState, type ReactNode } from 'react';
import { NavLink, Route, Routes, useSearchParams } from 'react-router';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { RequireUser } from '../app/routes';
import { api, useCategories, useFeatures, useSession } from '../app/api';
import type { Category, Page, Seller, User } from '../api/types';
import { Badge, Empty, ErrorBox, Field, Loading, SelectField, fieldError, formatDate, useToast } from '../ui/kit';
import { Reviews } from './Reviews';
import { Events } from './Events';
import { TicketDetail, TicketQueue } from './TicketDesk';
import { ReturnDetail, ReturnQueue } from '../seller/ReturnDesk';
import { CategoryReturnable, useNonReturnable } from './returnRules';
import { Commissions } from './Commissions';
import { Payouts } from './Payouts';
import { CashOnDelivery } from './CashOnDelivery';
import { Ledger } from './Ledger';
import { MailDetail, MailOutbox } from './Mail';

export default function AdminPage() {
  return (
    <RequireUser roles={['admin', 'support']}>
      <Admin />
    </RequireUser>
  );
}

/** Admin is the admin area; support agents get only its moderation page. */
function Admin() {
  const features = useFeatures();
  const { user } = useSession();
  const admin = user?.role === 'admin';
  useEffect(() => {
    document.title = (admin ? 'Admin' : 'Moderation') + ' · Bazaar';
  }, [admin]);
  const reviews = features.has('GET /api/v1/review');
  const events = admin && features.has('GET /api/v1/admin/event/dead');
  const tickets = features.has('GET /api/v1/ticket');
  const returns = features.has('GET /api/v1/return');
  const commission = admin && features.has('GET /api/v1/admin/commission');
  const payouts = admin && features.has('GET /api/v1/payout');
  const cod = admin && features.has('GET /api/v1/admin/cod');
  const ledger = admin && features.has('GET /api/v1/admin/ledger');
  const mail = admin && features.has('GET /api/v1/admin/mail');
  return (
    <div className="page area">
      <nav className="area-nav" aria-label={admin ? 'Admin' : 'Moderation'}>
        <h2>{admin ? 'Admin' : 'Moderation'}</h2>
        <ul>
          {admin && (
            <>
              <li>
                <NavLink to="/admin" end>
                  Users
                </NavLink>
              </li>
              <li>
                <NavLink to="/admin/sellers">Sellers</NavLink>
              </li>
              <li>
                <NavLink to="/admin/categories">Categories</NavLink>
              </li>
            </>
          )}
          {tickets && (
            <li>
              <NavLink to="/admin/tickets">Tickets</NavLink>
            </li>
          )}
          {returns && (
            <li>
              <NavLink to="/admin/returns">Returns</NavLink>
            </li>
          )}
          {reviews && (
            <li>
              <NavLink to="/admin/reviews" end={!admin}>
                Reviews
              </NavLink>
            </li>
          )}
          {events && (
            <li>
              <NavLink to="/admin/events">Events</NavLink>
            </li>
          )}
          {mail && (
            <li>
              <NavLink to="/admin/mail">Mail</NavLink>
            </li>
          )}
          {commission && (
            <li>
              <NavLink to="/admin/commissions">Commissions</NavLink>
            </li>
          )}
          {payouts && (
            <li>
              <NavLink to="/admin/payouts">Payouts</NavLink>
            </li>
          )}
          {cod && (
            <li>
              <NavLink to="/admin/cod">Cash on delivery</NavLink>
            </li>
          )}
          {ledger && (
            <li>
              <NavLink to="/admin/ledger">Ledger</NavLink>
            </li>
          )}
        </ul>
      </nav>
      <div>
        <Routes>
          <Route index element={admin ? <Users /> : <Reviews />} />
          {admin && <Route path="sellers" element={<Sellers />} />}
          {admin && <Route path="categories" element={<Categories />} />}
          <Route path="reviews" element={<Reviews />} />
          {admin && <Route path="events" element={<Events />} />}
          {commission && <Route path="commissions" element={<Commissions />} />}
          {payouts && <Route path="payouts" element={<Payouts />} />}
          {cod && <Route path="cod" element={<CashOnDelivery />} />}
          {ledger && <Route path="ledger" element={<Ledger />} />}
          {mail && <Route path="mail" element={<MailOutbox />} />}
          {mail && <Route path="mail/:id" element={<MailDetail />} />}
          {tickets && <Route path="tickets" element={<TicketQueue desk="staff" />} />}
          {tickets && <Route path="tickets/:id" element={<TicketDetail desk="staff" />} />}
          {returns && <Route path="returns" element={<ReturnQueue desk="staff" />} />}
          {returns && <Route path="returns/:id" element={<ReturnDetail desk="staff" />} />}
          <Route path="*" element={<Empty title="Nothing here" />} />
        </Routes>
      </div>
    </div>
  );
}

function useList<T>(key: string, path: string, query: Record<string, string>) {
  return useInfiniteQuery({
    queryKey: [key, query],
    initialPageParam: '',
    getNextPageParam: (p: Page<T>) => p.next_cursor || undefined,
    queryFn: ({ pageParam }) => api.get<Page<T>>(path, { query: { ...query, cursor: pageParam || undefined, limit: 50 } }),
  });
}

function Users() {
  const [params, setParams] = useSearchParams();
  const role = params.get('role') ?? '';
  const status = params.get('status') ?? '';
  const list = useList<User>('admin-users', '/api/v1/admin/user', { role, status });
  const qc = useQueryClient();
  const toast = useToast();
  const { user: me } = useSession();
  const act = useMutation({
    mutationFn: ({ u, action }: { u: User; action: 'suspend' | 'reinstate' }) => api.put<User>(`/api/v1/admin/user/${u.id}/${action}`),
    onSuccess: (u) => {
      toast(`${u.email} is now ${u.status}.`);
      return qc.invalidateQueries({ queryKey: ['admin-users'] });
    },
  });
  const [creating, setCreating] = useState(false);
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const set = (k: string, v: string) => {
    const n = new URLSearchParams(params);
    if (v) n.set(k, v);
    else n.delete(k);
    setParams(n);
  };
  return (
    <section>
      <div className="title-row">
        <h1>Users</h1>
        <button type="button" className="btn primary" onClick={() => setCreating(!creating)} aria-expanded={creating}>
          New user
        </button>
      </div>
      {creating && <NewUser onDone={() => setCreating(false)} />}
      <div className="toolbar">
        <SelectField label="Role" value={role} onChange={(e) => set('role', e.target.value)}>
          <option value="">Any</option>
          {['customer', 'seller', 'admin', 'delivery', 'support'].map((r) => (
            <option key={r}>{r}</option>
          ))}
        </SelectField>
        <SelectField label="Status" value={status} onChange={(e) => set('status', e.target.value)}>
          <option value="">Any</option>
          <option value="active">active</option>
          <option value="suspended">suspended</option>
        </SelectField>
      </div>
      <ErrorBox error={act.error} />
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorBox error={list.error} />
      ) : items.length === 0 ? (
        <Empty title="No users match" />
      ) : (
        <div className="table-wrap panel">
          <table className="data">
            <caption className="sr-only">Users</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">E-mail</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Joined</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((u) => (
                <tr key={u.id}>
                  <td>{u.name}</td>
                  <td>{u.email}</td>
                  <td>{u.role}</td>
                  <td>
                    <Badge status={u.status} />
                  </td>
                  <td>{formatDate(u.created_at, false)}</td>
                  <td>
                    {u.id !== me?.id &&
                      (u.status === 'suspended' ? (
                        <button type="button" className="btn secondary small" onClick={() => act.mutate({ u, action: 'reinstate' })} disabled={act.isPending}>
                          Reinstate<span className="sr-only"> {u.email}</span>
                        </button>
                      ) : (
                        <button type="button" className="btn ghost danger small" onClick={() => act.mutate({ u, action: 'suspend' })} disabled={act.isPending}>
                          Suspend<span className="sr-only"> {u.email}</span>
                        </button>
                      ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.hasNextPage && (
        <div className="center">
          <button type="button" className="btn secondary" onClick={() => list.fetchNextPage()}>
            Load more
          </button>
        </div>
      )}
    </section>
  );
}

function NewUser({ onDone }: { onDone: () => void }) {
  const [f, setF] = useState({ name: '', email: '', password: '', role: 'delivery' });
  const qc = useQueryClient();
  const create = useMutation({
    mutationFn: () => api.post<User>('/api/v1/admin/user', { ...f, name: f.name.trim(), email: f.email.trim() }),
    onSuccess: () => {
      onDone();
      return qc.invalidateQueries({ queryKey: ['admin-users'] });
    },
  });
  return (
    <form
      className="panel"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <h2>New user</h2>
      <ErrorBox error={create.error} fields={['name', 'email', 'password', 'role']} />
      <div className="form-grid">
        <Field label="Name" value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} error={fieldError(create.error, 'name')} required />
        <Field label="E-mail" type="email" value={f.email} onChange={(e) => setF({ ...f, email: e.target.value })} error={fieldError(create.error, 'email')} required />
        <Field label="Password" type="password" autoComplete="new-password" value={f.password} onChange={(e) => setF({ ...f, password: e.target.value })} error={fieldError(create.error, 'password')} required />
        <SelectField label="Role" value={f.role} onChange={(e) => setF({ ...f, role: e.target.value })} error={fieldError(create.error, 'role')}>
          {['customer', 'seller', 'admin', 'delivery', 'support'].map((r) => (
            <option key={r}>{r}</option>
          ))}
        </SelectField>
      </div>
      <button className="btn primary" disabled={create.isPending}>
        Create user
      </button>
    </form>
  );
}

function Sellers() {
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? '';
  const list = useList<Seller>('admin-sellers', '/api/v1/admin/seller', { status });
  const qc = useQueryClient();
  const toast = useToast();
  const act = useMutation({
    mutationFn: ({ s, action }: { s: Seller; action: 'suspend' | 'reinstate' }) => api.put<Seller>(`/api/v1/admin/seller/${s.id}/${action}`),
    onSuccess: (s) => {
      toast(`${s.name} is now ${s.status}.`);
      return qc.invalidateQueries({ queryKey: ['admin-sellers'] });
    },
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section>
      <div className="title-row">
        <h1>Sellers</h1>
      </div>
      <div className="toolbar">
        <SelectField label="Status" value={status} onChange={(e) => setParams(e.target.value ? { status: e.target.value } : {})}>
          <option value="">Any</option>
          <option value="active">active</option>
          <option value="suspended">suspended</option>
        </SelectField>
      </div>
      <ErrorBox error={act.error} />
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorBox error={list.error} />
      ) : items.length === 0 ? (
        <Empty title="No stores match" />
      ) : (
        <div className="table-wrap panel">
          <table className="data">
            <caption className="sr-only">Stores</caption>
            <thead>
              <tr>
                <th scope="col">Store</th>
                <th scope="col">Status</th>
                <th scope="col">Opened</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.id}>
                  <td>
                    {s.name}
                    <div className="muted small">
                      <code>{s.id}</code>
                    </div>
                  </td>
                  <td>
                    <Badge status={s.status} />
                  </td>
                  <td>{formatDate(s.created_at, false)}</td>
                  <td>
                    {s.status === 'suspended' ? (
                      <button type="button" className="btn secondary small" onClick={() => act.mutate({ s, action: 'reinstate' })} disabled={act.isPending}>
                        Reinstate<span className="sr-only"> {s.name}</span>
                      </button>
                    ) : (
                      <button type="button" className="btn ghost danger small" onClick={() => act.mutate({ s, action: 'suspend' })} disabled={act.isPending}>
                        Suspend<span className="sr-only"> {s.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Categories() {
  const cats = useCategories();
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [parent, setParent] = useState('');
  const refresh = () => qc.invalidateQueries({ queryKey: ['categories'] });
  const create = useMutation({
    mutationFn: () => api.post<Category>('/api/v1/category', { name: name.trim(), parent_id: parent || null, position: 0 }),
    onSuccess: () => {
      setName('');
      return refresh();
    },
  });
  const remove = useMutation({ mutationFn: (id: string) => api.del('/api/v1/category/' + id), onSuccess: refresh });
  const rules = useNonReturnable();
  return (
    <section>
      <div className="title-row">
        <h1>Categories</h1>
      </div>
      <form
        className="panel toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Field label="New category" value={name} onChange={(e) => setName(e.target.value)} error={fieldError(create.error, 'name')} required />
        <SelectField label="Inside" value={parent} onChange={(e) => setParent(e.target.value)} error={fieldError(create.error, 'parent_id')}>
          <option value="">(top level)</option>
          {cats.data?.map((c) => (
            <option key={c.id} value={c.id}>
              {'\u00a0\u00a0'.repeat(c.depth) + c.name}
            </option>
          ))}
        </SelectField>
        <button className="btn primary" disabled={create.isPending}>
          Add
        </button>
      </form>
      <ErrorBox error={create.error} fields={['name', 'parent_id']} />
      <ErrorBox error={remove.error} />
      {cats.isPending ? (
        <Loading />
      ) : cats.isError ? (
        <ErrorBox error={cats.error} />
      ) : (
        <ul className="tree panel">
          {cats.data.map((c) => (
            <CategoryRow key={c.id} c={c} onDelete={() => remove.mutate(c.id)} busy={remove.isPending} rule={rules.enabled ? <CategoryReturnable c={c} all={cats.data} rules={rules} /> : null} />
          ))}
        </ul>
      )}
    </section>
  );
}

function CategoryRow({ c, onDelete, busy, rule }: { c: Category; onDelete: () => void; busy: boolean; rule?: ReactNode }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(c.name);
  const qc = useQueryClient();
  const rename = useMutation({
    mutationFn: () => api.put<Category>('/api/v1/category/' + c.id, { name: name.trim() }),
    onSuccess: () => {
      setEditing(false);
      return qc.invalidateQueries({ queryKey: ['categories'] });
    },
  });
  return (
    <li style={{ paddingLeft: c.depth * 1.5 + 'rem' }}>
      {editing ? (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            rename.mutate();
          }}
        >
          <label className="sr-only" htmlFor={'cat-' + c.id}>
            Name of {c.name}
          </label>
          <input id={'cat-' + c.id} value={name} onChange={(e) => setName(e.target.value)} autoFocus />
          <button className="btn secondary small" disabled={rename.isPending}>
            Save
          </button>
          <button type="button" className="link" onClick={() => setEditing(false)}>
            Cancel
          </button>
          {rename.error ? <ErrorBox error={rename.error} /> : null}
        </form>
      ) : (
        <span>
          {c.name} <span className="muted small">/{c.slug}</span>
        </span>
      )}
      {!editing && (
        <span className="row">
          {rule}
          <button type="button" className="link" onClick={() => setEditing(true)}>
            Rename<span className="sr-only"> {c.name}</span>
          </button>
          <button type="button" className="link" onClick={onDelete} disabled={busy}>
            Delete<span className="sr-only"> {c.name}</span>
          </button>
        </span>
      )}
    </li>
  );
}
