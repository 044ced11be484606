import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { RequireUser } from '../app/routes';
import { api, useSession } from '../app/api';
import type { Address, AddressInput, Page, User } from '../api/types';
import { ErrorBox, Field, Loading, fieldError, useToast } from '../ui/kit';
import { AddressFields, emptyAddress, formatAddress } from './AddressForm';
import { ResendLink } from '../store/EmailPages';

export default function AccountPage() {
  return (
    <RequireUser>
      <Account />
    </RequireUser>
  );
}

function Account() {
  const { user } = useSession();
  useEffect(() => {
    document.title = 'Account · Bazaar';
  }, []);
  return (
    <div className="page narrow">
      <h1>Your account</h1>
      <p className="muted">
        {user!.email} · {user!.role}
      </p>
      {user!.role === 'customer' && <Help />}
      <section className="panel" aria-labelledby="notify-title">
        <h2 id="notify-title">Notifications</h2>
        <ul className="link-list">
          <li>
            <Link to="/notifications">Your notifications</Link> <span className="muted small">— news about your {user!.role === 'seller' ? 'store' : 'orders'}</span>
          </li>
          <li>
            <Link to="/account/notifications">Notification preferences</Link> <span className="muted small">— what comes in-app and by e-mail</span>
          </li>
        </ul>
      </section>
      <Profile user={user!} />
      <Email user={user!} />
      <Password />
      {user!.role === 'customer' && <Addresses />}
    </div>
  );
}

function Profile({ user }: { user: User }) {
  const [name, setName] = useState(user.name);
  const toast = useToast();
  const save = useMutation({
    mutationFn: () => api.put<User>('/api/v1/me', { name: name.trim() }),
    onSuccess: () => toast('Your name is saved.'),
  });
  return (
    <form
      className="panel"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <h2>Profile</h2>
      <ErrorBox error={save.error} fields={['name']} />
      <Field label="Name" value={name} onChange={(e) => setName(e.target.value)} error={fieldError(save.error, 'name')} autoComplete="name" required />
      <button className="btn secondary" disabled={save.isPending}>
        Save
      </button>
    </form>
  );
}

/** Email shows the address and whether it is confirmed, and changes it: the new address confirms by its mailed link. */
function Email({ user }: { user: User }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [sentTo, setSentTo] = useState('');
  const change = useMutation({
    mutationFn: () => api.post('/api/v1/me/email', { email: email.trim(), password }),
    onSuccess: () => {
      setSentTo(email.trim());
      setEmail('');
      setPassword('');
    },
  });
  return (
    <form
      className="panel"
      aria-labelledby="email-title"
      onSubmit={(e) => {
        e.preventDefault();
        change.mutate();
      }}
    >
      <h2 id="email-title">E-mail address</h2>
      <p>
        <strong>{user.email}</strong>{' '}
        {user.email_verified ? (
          <span className="badge badge-good">Confirmed</span>
        ) : (
          <>
            <span className="badge badge-warn">Not confirmed</span> <ResendLink label="Send the confirmation link again" />
          </>
        )}
      </p>
      {sentTo && (
        <p className="success-box" role="status">
          We sent a link to <strong>{sentTo}</strong>. Your address changes when you open it (within 24 hours); until then you keep using {user.email}.
        </p>
      )}
      <ErrorBox error={change.error} fields={['email', 'password']} />
      <Field label="New e-mail address" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={fieldError(change.error, 'email')} required />
      <Field label="Your password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={fieldError(change.error, 'password')} hint="To confirm it is you." required />
      <button className="btn secondary" disabled={change.isPending}>
        Change e-mail address
      </button>
    </form>
  );
}

function Password() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const toast = useToast();
  const save = useMutation({
    mutationFn: () => api.put('/api/v1/me/password', { current_password: current, new_password: next }),
    onSuccess: async () => {
      toast('Password changed. Please sign in again.');
      await api.logout();
    },
  });
  return (
    <form
      className="panel"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <h2>Password</h2>
      <ErrorBox error={save.error} fields={['current_password', 'new_password']} />
      <Field label="Current password" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} error={fieldError(save.error, 'current_password')} required />
      <Field label="New password" type="password" autoComplete="new-password" minLength={8} value={next} onChange={(e) => setNext(e.target.value)} error={fieldError(save.error, 'new_password')} hint="At least 8 characters. Other sessions are signed out." required />
      <button className="btn secondary" disabled={save.isPending}>
        Change password
      </button>
    </form>
  );
}

function Addresses() {
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: ['addresses'],
    queryFn: () => api.get<Page<Address>>('/api/v1/address', { query: { limit: 50 } }).then((p) => p.items),
  });
  const [draft, setDraft] = useState<AddressInput | null>(null);
  const add = useMutation({
    mutationFn: (a: AddressInput) => api.post<Address>('/api/v1/address', a),
    onSuccess: () => {
      setDraft(null);
      return qc.invalidateQueries({ queryKey: ['addresses'] });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.del('/api/v1/address/' + id),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['addresses'] }),
  });
  return (
    <section className="panel">
      <h2>Addresses</h2>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorBox error={list.error} />
      ) : (
        <ul className="plain-list">
          {list.data.length === 0 && <li className="muted">No saved addresses.</li>}
          {list.data.map((a) => (
            <li key={a.id} className="row spread">
              <span>
                {formatAddress(a)} {a.is_default && <span className="badge badge-info">Default</span>}
              </span>
              <button type="button" className="link" onClick={() => remove.mutate(a.id)} disabled={remove.isPending}>
                Delete<span className="sr-only"> {a.line1}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorBox error={remove.error} />
      {draft ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate(draft);
          }}
        >
          <ErrorBox error={add.error} fields={Object.keys(emptyAddress)} />
          <AddressFields value={draft} onChange={setDraft} error={add.error} />
          <label className="check">
            <input type="checkbox" checked={draft.is_default} onChange={(e) => setDraft({ ...draft, is_default: e.target.checked })} /> Make this my default address
          </label>
          <div className="row">
            <button className="btn primary" disabled={add.isPending}>
              Save address
            </button>
            <button type="button" className="btn ghost" onClick={() => setDraft(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <button type="button" className="btn secondary" onClick={() => setDraft(emptyAddress)}>
          Add an address
        </button>
      )}
    </section>
  );
}

function Help() {
  return (
    <section className="panel" aria-labelledby="help-title">
      <h2 id="help-title">Orders, returns and help</h2>
      <ul className="link-list">
        <li>
          <Link to="/orders">Your orders</Link> <span className="muted small">— track parcels, return items</span>
        </li>
        <li>
          <Link to="/returns">Your returns</Link> <span className="muted small">— their progress and refunds</span>
        </li>
        <li>
          <Link to="/tickets">Your support tickets</Link> <span className="muted small">— your conversations with sellers and support</span>
        </li>
        <li>
          <Link to="/tickets/new">Contact support</Link>
        </li>
      </ul>
    </section>
  );
}
