import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, useSession } from '../app/api';
import type { User } from '../api/types';
import { ErrorBox, Field, fieldError } from '../ui/kit';

/** next is where to go after signing in: the page that asked, or the user's home area. */
function useNext() {
  const [params] = useSearchParams();
  const next = params.get('next');
  // Only same-site paths: never an open redirect.
  return (u: User) => (next && next.startsWith('/') && !next.startsWith('//') ? next : home(u));
}

function home(u: User): string {
  switch (u.role) {
    case 'seller':
      return '/seller';
    case 'delivery':
      return '/delivery';
    case 'admin':
      return '/admin';
    default:
      return '/';
  }
}

export function SignIn() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const navigate = useNavigate();
  const next = useNext();
  const qc = useQueryClient();
  const { user } = useSession();
  const [params] = useSearchParams();
  const login = useMutation({
    mutationFn: () => api.login(email.trim(), password),
    onSuccess: async (u) => {
      await qc.invalidateQueries({ queryKey: ['cart'] });
      navigate(next(u), { replace: true });
    },
  });
  useEffect(() => {
    document.title = 'Sign in · Bazaar';
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate();
  };
  return (
    <div className="page auth">
      <form className="panel auth-form" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in</h1>
        {user && !login.isSuccess && <p className="notice">You are signed in as {user.email}. Signing in again switches account.</p>}
        <ErrorBox error={login.error} fields={['email', 'password']} />
        <Field label="E-mail" type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} error={fieldError(login.error, 'email')} autoFocus />
        <Field label="Password" type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} error={fieldError(login.error, 'password')} />
        <button type="submit" className="btn primary block" disabled={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
        <p>
          New to Bazaar? <Link to={'/register' + (params.get('next') ? '?next=' + encodeURIComponent(params.get('next')!) : '')}>Create an account</Link>
        </p>
        <details className="demo-logins">
          <summary>Demo accounts</summary>
          <ul>
            {[
              ['customer@demo.bazaar.dev', 'demo-customer-pass'],
              ['seller@demo.bazaar.dev', 'demo-seller-pass'],
              ['delivery@demo.bazaar.dev', 'demo-delivery-pass'],
              ['admin@demo.bazaar.dev', 'demo-admin-pass'],
            ].map(([e, p]) => (
              <li key={e}>
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    setEmail(e);
                    setPassword(p);
                  }}
                >
                  {e}
                </button>
              </li>
            ))}
          </ul>
          <p className="muted small">Only on a server started with --demo.</p>
        </details>
      </form>
    </div>
  );
}

export function Register() {
  const [form, setForm] = useState({ name: '', email: '', password: '', seller: false });
  const navigate = useNavigate();
  const next = useNext();
  const qc = useQueryClient();
  const [params] = useSearchParams();
  const register = useMutation({
    mutationFn: () => api.register({ name: form.name.trim(), email: form.email.trim(), password: form.password, role: form.seller ? 'seller' : 'customer' }),
    onSuccess: async (u) => {
      await qc.invalidateQueries({ queryKey: ['cart'] });
      navigate(next(u), { replace: true });
    },
  });
  useEffect(() => {
    document.title = 'Create an account · Bazaar';
  }, []);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  return (
    <div className="page auth">
      <form
        className="panel auth-form"
        onSubmit={(e) => {
          e.preventDefault();
          register.mutate();
        }}
        aria-labelledby="register-title"
      >
        <h1 id="register-title">Create an account</h1>
        <ErrorBox error={register.error} fields={['name', 'email', 'password', 'role']} />
        <Field label="Your name" name="name" autoComplete="name" required value={form.name} onChange={set('name')} error={fieldError(register.error, 'name')} autoFocus />
        <Field label="E-mail" type="email" name="email" autoComplete="email" required value={form.email} onChange={set('email')} error={fieldError(register.error, 'email')} />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="new-password"
          required
          minLength={8}
          value={form.password}
          onChange={set('password')}
          error={fieldError(register.error, 'password')}
          hint="At least 8 characters."
        />
        <label className="check">
          <input type="checkbox" checked={form.seller} onChange={set('seller')} /> I want to sell on Bazaar
        </label>
        <button type="submit" className="btn primary block" disabled={register.isPending}>
          {register.isPending ? 'Creating your account…' : 'Create account'}
        </button>
        <p>
          Already have an account? <Link to={'/signin' + (params.get('next') ? '?next=' + encodeURIComponent(params.get('next')!) : '')}>Sign in</Link>
        </p>
      </form>
    </div>
  );
}
