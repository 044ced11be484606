// Small building blocks shared by every area: form fields that show the
// API's field errors, error and loading states, prices, status badges,
// timelines and a toast.

import { createContext, useCallback, useContext, useId, useRef, useState, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { isApiError } from '../api/client';
import type { Money } from '../api/types';
import { formatMoney, formatRange } from '../lib/money';

export function Price({ value, max, className }: { value: Money; max?: Money; className?: string }) {
  return <span className={'price ' + (className ?? '')}>{max ? formatRange(value, max) : formatMoney(value)}</span>;
}

/** message is what a person should read for an error. */
export function message(e: unknown): string {
  if (isApiError(e)) {
    if (e.code === 'route_not_found') return 'This feature is not available on this server yet.';
    if (e.status === 0 || e.code === 'network') return 'Cannot reach the server. Check your connection and try again.';
    const d = e.detail;
    return d.charAt(0).toUpperCase() + d.slice(1) + (/[.!?]$/.test(d) ? '' : '.');
  }
  if (e instanceof TypeError) return 'Cannot reach the server. Check your connection and try again.';
  return 'Something went wrong. Please try again.';
}

/**
 * ErrorBox shows an error's message; field errors are listed too unless the
 * form shows them next to its fields (fields lists those it shows).
 */
export function ErrorBox({ error, fields, title }: { error: unknown; fields?: string[]; title?: string }) {
  if (!error) return null;
  const extra = isApiError(error) ? error.fields.filter((f) => !fields?.includes(f.field)) : [];
  return (
    <div className="error-box" role="alert">
      {title && <strong>{title} </strong>}
      {message(error)}
      {extra.length > 0 && (
        <ul>
          {extra.map((f) => (
            <li key={f.field}>
              <code>{f.field}</code> {f.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** fieldError is the API's message for one field of a failed form. */
export function fieldError(error: unknown, name: string): string | undefined {
  return isApiError(error) ? error.field(name) : undefined;
}

type FieldProps = { label: string; error?: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>;

export function Field({ label, error, hint, className, ...input }: FieldProps) {
  const id = useId();
  const help = error ? id + '-err' : hint ? id + '-hint' : undefined;
  return (
    <div className={'field ' + (className ?? '')}>
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={help} {...input} />
      {error ? (
        <p className="field-error" id={id + '-err'}>
          {error}
        </p>
      ) : hint ? (
        <p className="hint" id={id + '-hint'}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

type SelectProps = { label: string; error?: string; children: ReactNode } & SelectHTMLAttributes<HTMLSelectElement>;

export function SelectField({ label, error, children, className, ...select }: SelectProps) {
  const id = useId();
  return (
    <div className={'field ' + (className ?? '')}>
      <label htmlFor={id}>{label}</label>
      <select id={id} aria-invalid={error ? true : undefined} aria-describedby={error ? id + '-err' : undefined} {...select}>
        {children}
      </select>
      {error && (
        <p className="field-error" id={id + '-err'}>
          {error}
        </p>
      )}
    </div>
  );
}

type AreaProps = { label: string; error?: string; hint?: string } & TextareaHTMLAttributes<HTMLTextAreaElement>;

export function TextArea({ label, error, hint, className, ...area }: AreaProps) {
  const id = useId();
  const help = error ? id + '-err' : hint ? id + '-hint' : undefined;
  return (
    <div className={'field ' + (className ?? '')}>
      <label htmlFor={id}>{label}</label>
      <textarea id={id} aria-invalid={error ? true : undefined} aria-describedby={help} {...area} />
      {error ? (
        <p className="field-error" id={id + '-err'}>
          {error}
        </p>
      ) : hint ? (
        <p className="hint" id={id + '-hint'}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** LoadMore is a paged list's "Load more" button, shown while there is a next page. */
export function LoadMore({ list }: { list: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown } }) {
  if (!list.hasNextPage) return null;
  return (
    <div className="center">
      <button type="button" className="btn secondary" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
        {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
      </button>
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <h2>{title}</h2>
      {children}
    </div>
  );
}

const tones: Record<string, string> = {
  active: 'good',
  paid: 'good',
  delivered: 'good',
  succeeded: 'good',
  sent: 'good',
  authorized: 'info',
  awaiting_fulfillment: 'info',
  shipped: 'info',
  partially_shipped: 'info',
  partially_delivered: 'info',
  packed: 'info',
  handed_over: 'info',
  picked_up: 'info',
  in_transit: 'info',
  out_for_delivery: 'info',
  pending: 'warn',
  pending_payment: 'warn',
  processing: 'warn',
  draft: 'warn',
  failed_attempt: 'bad',
  failed: 'bad',
  dead: 'bad',
  cancelled: 'bad',
  suspended: 'bad',
  archived: 'muted',
  refunded: 'muted',
  partially_returned: 'muted',
  returned: 'muted',
  returned_to_seller: 'muted',
};

export function humanize(s: string): string {
  const t = s.replace(/_/g, ' ');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/** Badge shows a status in its tone; label, when given, says it in other words. */
export function Badge({ status, label }: { status: string; label?: string }) {
  return <span className={'badge badge-' + (tones[status] ?? 'muted')}>{label ?? humanize(status)}</span>;
}

export function formatDate(s?: string, withTime = true): string {
  if (!s) return '';
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return s;
  return d.toLocaleString(undefined, withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' });
}

export interface TimelineStep {
  label: string;
  at?: string;
  detail?: ReactNode;
  state: 'done' | 'current' | 'todo' | 'bad';
}

export function Timeline({ steps, label }: { steps: TimelineStep[]; label: string }) {
  return (
    <ol className="timeline" aria-label={label}>
      {steps.map((s, i) => (
        <li key={i} className={'tl-' + s.state} aria-current={s.state === 'current' ? 'step' : undefined}>
          <span className="tl-dot" aria-hidden="true" />
          <div>
            <strong>{s.label}</strong>
            {s.at && <time dateTime={s.at}> {formatDate(s.at)}</time>}
            {s.detail && <div className="tl-detail">{s.detail}</div>}
          </div>
        </li>
      ))}
    </ol>
  );
}

// ---- toasts ----------------------------------------------------------------

interface Toast {
  id: number;
  text: ReactNode;
  tone: 'good' | 'bad';
}

const ToastContext = createContext<(text: ReactNode, tone?: 'good' | 'bad') => void>(() => {});

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const show = useCallback((text: ReactNode, tone: 'good' | 'bad' = 'good') => {
    const id = next.current++;
    setToasts((t) => [...t.slice(-2), { id, text, tone }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), 5000);
  }, []);
  return (
    <ToastContext.Provider value={show}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={'toast toast-' + t.tone}>
            {t.text}
            <button type="button" className="link" aria-label="Dismiss" onClick={() => setToasts((all) => all.filter((x) => x.id !== t.id))}>
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast() {
  return useContext(ToastContext);
}

/** Thumb shows a product image, or a neutral tile when there is none. */
export function Thumb({ src, alt, size }: { src?: string; alt: string; size?: number }) {
  if (!src) {
    return (
      <div className="thumb thumb-empty" style={size ? { width: size, height: size } : undefined} role="img" aria-label={alt || 'No image'}>
        <svg viewBox="0 0 24 24" width="40%" aria-hidden="true">
          <path fill="currentColor" d="M4 5h16v14H4zm2 2v8l3-3 3 3 3-4 3 4V7z" />
        </svg>
      </div>
    );
  }
  return <img className="thumb" src={src} alt={alt} loading="lazy" decoding="async" width={size} height={size} />;
}
