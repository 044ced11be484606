// The pages a mailed link opens (verify an address, reset a password) and
// the page that asks for a reset link. The token comes in the query string;
// each page takes it out of the address bar at once, so it is not kept in
// the history or sent on as a Referer.

import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { api, useSession } from '../app/api';
import { isApiError } from '../api/client';
import type { User } from '../api/types';
import { ErrorBox, Field, fieldError } from '../ui/kit';

/** useToken reads ?token= once and removes it from the address bar. */
function useToken(): string {
  const [params] = useSearchParams();
  const [token] = useState(() => params.get('token') ?? '');
  useEffect(() => {
    if (window.location.search) window.history.replaceState(window.history.state, '', window.location.pathname);
  }, []);
  return token;
}

const invalidLink = 'This link is invalid, has expired or was already used.';

/** VerifyEmail confirms an address (or an e-mail change) with the token from the mail. */
export function VerifyEmail() {
  const token = useToken();
  const { user } = useSession();
  const started = useRef(false);
  const verify = useMutation({
    mutationFn: () => api.post<User>('/api/v1/auth/verify-email', { token }),
    onSuccess: (u) => api.updateUser(u),
  });
  useEffect(() => {
    document.title = 'Confirm your e-mail address · Bazaar';
    // The token is single use, even under StrictMode's double effect.
    if (started.current || !token) return;
    started.current = true;
    verify.mutate();
  }, []);
  const failed = !token || (verify.isError && isApiError(verify.error) && verify.error.code === 'token_invalid');
  return (
    <div className="page auth">
      <section className="panel auth-form" aria-labelledby="verify-title" aria-live="polite">
        <h1 id="verify-title">Confirm your e-mail address</h1>
        {verify.isPending && <p>Confirming…</p>}
        {verify.isSuccess && (
          <>
            <p className="success-box" role="status">
              Thank you: <strong>{verify.data.email}</strong> is confirmed.
            </p>
            <p>
              {user ? (
                <Link to={verify.data.role === 'seller' ? '/seller' : '/'}>{verify.data.role === 'seller' ? 'Go to the seller center' : 'Continue shopping'}</Link>
              ) : (
                <Link to="/signin">Sign in</Link>
              )}
            </p>
          </>
        )}
        {failed && (
          <>
            <p className="error-box" role="alert">
              {invalidLink}
            </p>
            <p>{user && !user.email_verified ? <ResendLink /> : user ? <Link to="/account">Your account</Link> : <Link to="/signin">Sign in</Link>}</p>
          </>
        )}
        {verify.isError && !failed && <ErrorBox error={verify.error} />}
      </section>
    </div>
  );
}

/** ResendLink mails the signed-in user a fresh verification link. */
export function ResendLink({ label = 'Send me a new link' }: { label?: string }) {
  const { user } = useSession();
  const resend = useMutation({ mutationFn: () => api.post('/api/v1/auth/verify-email/resend') });
  if (resend.isSuccess) return <span role="status">We sent a new link to {user?.email}.</span>;
  return (
    <>
      <button type="button" className="link" onClick={() => resend.mutate()} disabled={resend.isPending}>
        {resend.isPending ? 'Sending…' : label}
      </button>
      <ErrorBox error={resend.error} />
    </>
  );
}

/** ForgotPassword asks for a reset link. The answer is the same whether or not the address has an account. */
export function ForgotPassword() {
  const [params] = useSearchParams();
  const [email, setEmail] = useState(params.get('email') ?? '');
  const ask = useMutation({ mutationFn: () => api.post('/api/v1/auth/password-reset', { email: email.trim() }) });
  useEffect(() => {
    document.title = 'Forgot your password · Bazaar';
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    ask.mutate();
  };
  return (
    <div className="page auth">
      <form className="panel auth-form" onSubmit={submit} aria-labelledby="forgot-title">
        <h1 id="forgot-title">Forgot your password?</h1>
        {ask.isSuccess ? (
          <p className="success-box" role="status">
            If an account uses <strong>{email.trim()}</strong>, we have sent it a link to choose a new password. The link works for one hour. Check your inbox (and your spam folder).
          </p>
        ) : (
          <>
            <p className="muted">Enter the e-mail address of your account and we will send you a link to choose a new password.</p>
            <ErrorBox error={ask.error} fields={['email']} />
            <Field label="E-mail" type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} error={fieldError(ask.error, 'email')} autoFocus />
            <button type="submit" className="btn primary block" disabled={ask.isPending}>
              {ask.isPending ? 'Sending…' : 'Send me a link'}
            </button>
          </>
        )}
        <p>
          <Link to="/signin">Back to sign in</Link>
        </p>
      </form>
    </div>
  );
}

/** ResetPassword sets a new password with the token from the mail; every session ends. */
export function ResetPassword() {
  const token = useToken();
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const reset = useMutation({
    mutationFn: () => api.post('/api/v1/auth/password-reset/confirm', { token, password }),
    // Every session of the account was revoked, this browser's too.
    onSuccess: () => api.clearSession(),
  });
  useEffect(() => {
    document.title = 'Choose a new password · Bazaar';
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMismatch(password !== again);
    if (password === again) reset.mutate();
  };
  const invalid = !token || (reset.isError && isApiError(reset.error) && reset.error.code === 'token_invalid');
  return (
    <div className="page auth">
      <form className="panel auth-form" onSubmit={submit} aria-labelledby="reset-title">
        <h1 id="reset-title">Choose a new password</h1>
        {reset.isSuccess ? (
          <>
            <p className="success-box" role="status">
              Your password is changed, and you are signed out on every device.
            </p>
            <p>
              <Link to="/signin" className="btn primary">
                Sign in with your new password
              </Link>
            </p>
          </>
        ) : invalid ? (
          <>
            <p className="error-box" role="alert">
              {invalidLink}
            </p>
            <p>
              <Link to="/forgot-password">Ask for a new link</Link>
            </p>
          </>
        ) : (
          <>
            <ErrorBox error={reset.error} fields={['password']} />
            <Field
              label="New password"
              type="password"
              name="password"
              autoComplete="new-password"
              required
              minLength={8}
              maxLength={128}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={fieldError(reset.error, 'password')}
              hint="At least 8 characters. You will be signed out on every device."
              autoFocus
            />
            <Field
              label="New password again"
              type="password"
              name="password-again"
              autoComplete="new-password"
              required
              value={again}
              onChange={(e) => setAgain(e.target.value)}
              error={mismatch ? 'The two passwords differ.' : undefined}
            />
            <button type="submit" className="btn primary block" disabled={reset.isPending}>
              {reset.isPending ? 'Saving…' : 'Save the new password'}
            </button>
          </>
        )}
      </form>
    </div>
  );
}
