import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
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

/** The messages for the codes a refused "Sign in with ..." comes back with. */
const oidcMessages: Record<string, string> = {
  oidc_state_invalid: 'That sign-in expired or was already used. Please try again.',
  oidc_nonce_mismatch: 'The provider’s answer did not match this sign-in. Please try again.',
  oidc_token_invalid: 'The provider’s answer could not be verified. Please try again.',
  oidc_exchange_failed: 'The provider did not accept the sign-in. Please try again.',
  oidc_denied: 'The sign-in was cancelled at the provider.',
  oidc_email_missing: 'The provider did not share your e-mail address; allow it and try again.',
  oidc_email_unverified: 'An account with this e-mail exists, but the provider has not verified the e-mail. Sign in with your password.',
  oidc_link_refused: 'A staff account has this e-mail; staff sign in with their password.',
  oidc_provider_unknown: 'That sign-in provider is not configured.',
  oidc_provider_unavailable: 'The sign-in provider cannot be reached. Please try again later.',
  oidc_code_invalid: 'That sign-in expired or was already used. Please try again.',
  account_suspended: 'This account is suspended.',
};

function oidcMessage(code: string): string {
  return oidcMessages[code] ?? 'The sign-in did not work. Please try again.';
}

/** ProviderButtons are the "Sign in with ..." buttons, one per configured provider. */
function ProviderButtons({ next }: { next: string | null }) {
  const q = useQuery({
    queryKey: ['oidc-providers'],
    queryFn: () => api.get<{ items: { name: string; label: string }[] }>('/api/v1/auth/oidc').then((r) => r.items),
    staleTime: 5 * 60_000,
    retry: false,
  });
  if (!q.data?.length) return null;
  const qs = next && next.startsWith('/') && !next.startsWith('//') ? '?next=' + encodeURIComponent(next) : '';
  return (
    <div className="oidc-providers">
      {q.data.map((p) => (
        <a key={p.name} className="btn block" href={'/api/v1/auth/oidc/' + encodeURIComponent(p.name) + qs}>
          Sign in with {p.label}
        </a>
      ))}
      <p className="muted small">or with your e-mail and password:</p>
    </div>
  );
}

/** OidcReturn finishes a "Sign in with ...": the hand-off code is in the URL fragment. */
export function OidcReturn() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);
  useEffect(() => {
    document.title = 'Signing in · Bazaar';
    if (started.current) return; // the code is single use, even under StrictMode's double effect
    started.current = true;
    const frag = new URLSearchParams(window.location.hash.slice(1));
    const code = frag.get('code');
    const next = frag.get('next');
    // The code is single use: take it out of the address bar and history.
    window.history.replaceState(null, '', window.location.pathname);
    if (!code) {
      setError(oidcMessage('oidc_code_invalid'));
      return;
    }
    api
      .finishOidc(code)
      .then(async (u) => {
        await qc.invalidateQueries({ queryKey: ['cart'] });
        navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : home(u), { replace: true });
      })
      .catch((e: unknown) => setError(oidcMessage((e as { code?: string }).code ?? '')));
  }, []);
  return (
    <div className="page auth">
      <div className="panel auth-form">
        <h1>Signing in…</h1>
        {error && (
          <p className="error-box" role="alert">
            {error} <Link to="/signin">Back to sign in</Link>
          </p>
        )}
      </div>
    </div>
  );
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
        {params.get('oidc_error') && !login.error && (
          <p className="error-box" role="alert">
            {oidcMessage(params.get('oidc_error')!)}
          </p>
        )}
        <ProviderButtons next={params.get('next')} />
        <ErrorBox error={login.error} fields={['email', 'password']} />
        <Field label="E-mail" type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} error={fieldError(login.error, 'email')} autoFocus />
        <Field label="Password" type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} error={fieldError(login.error, 'password')} />
        <p className="small">
          <Link to={'/forgot-password' + (email.trim() ? '?email=' + encodeURIComponent(email.trim()) : '')}>Forgot your password?</Link>
        </p>
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
