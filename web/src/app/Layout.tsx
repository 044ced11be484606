import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Link, NavLink, Outlet, ScrollRestoration, useLocation, useNavigate, useSearchParams, useNavigation } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api, useCategories, useFeatures, useSession } from './api';
import { useCart } from './cart';
import type { Suggestion } from '../api/types';
import { suggestionPath } from '../store/search';
import { ToastProvider } from '../ui/kit';
import { VerifyBanner } from '../account/VerifyBanner';
import { LiveProvider } from '../live/useLive';
import { Bell } from './Bell';

export function Layout() {
  const nav = useNavigation();
  return (
    <ToastProvider>
      <LiveProvider>
        <a className="skip" href="#main">
          Skip to content
        </a>
        <Header />
        <CategoryNav />
        <VerifyBanner />
        {nav.state === 'loading' && <div className="route-progress" role="progressbar" aria-label="Loading page" />}
        <main id="main" tabIndex={-1}>
          <Outlet />
        </main>
        <footer className="site-footer">
          <p>
            Bazaar — an open-source marketplace. <a href="/api/v1/openapi.json">API</a>
          </p>
        </footer>
        <ScrollRestoration />
      </LiveProvider>
    </ToastProvider>
  );
}

function Header() {
  const { user, restoring } = useSession();
  const cart = useCart();
  const count = cart.data?.item_count ?? 0;
  return (
    <header className="site-header">
      <div className="bar">
        <Link to="/" className="logo" aria-label="Bazaar home">
          <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
            <rect width="32" height="32" rx="7" fill="currentColor" />
            <path d="M9 12h14l-1.5 11h-11z" fill="none" stroke="#fff" strokeWidth="2.2" strokeLinejoin="round" />
            <path d="M12.5 12a3.5 3.5 0 0 1 7 0" fill="none" stroke="#fff" strokeWidth="2.2" />
          </svg>
          <span>Bazaar</span>
        </Link>
        <SearchBox />
        <nav className="header-links" aria-label="Account">
          {user && user.role === 'customer' && <NavLink to="/wishlist">Wishlist</NavLink>}
          {user && <Bell />}
          {user && <AccountMenu />}
          {!user && !restoring && <NavLink to="/signin">Sign in</NavLink>}
          {/* The name is the visible text ("Cart 2") and the unit, so speech matches what is seen. */}
          <NavLink to="/cart" className="cart-link">
            <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
              <path fill="currentColor" d="M7 18a2 2 0 1 0 0 4 2 2 0 0 0 0-4m10 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4M5.2 4l.4 2H21l-2.4 8.2a2 2 0 0 1-1.9 1.4H8.5a2 2 0 0 1-2-1.6L4.3 3H2V1h3.9z" />
            </svg>
            <span>Cart</span>{' '}
            {count > 0 && (
              <>
                <span className="cart-count" data-testid="cart-count">
                  {count}
                </span>
                <span className="sr-only"> {count === 1 ? 'item' : 'items'}</span>
              </>
            )}
          </NavLink>
        </nav>
      </div>
    </header>
  );
}

function AccountMenu() {
  const { user } = useSession();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const loc = useLocation();
  const panelId = useId();
  useEffect(() => setOpen(false), [loc.pathname]);
  useEffect(() => {
    if (!open) return;
    const onClick = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        button.current?.focus();
      }
    };
    document.addEventListener('click', onClick);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('click', onClick);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  if (!user) return null;
  const first = user.name.split(' ')[0] || user.email;
  return (
    <div className="menu" ref={ref}>
      <button ref={button} type="button" className="menu-button" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen(!open)}>
        <span className="avatar" aria-hidden="true">
          {first.charAt(0).toUpperCase()}
        </span>
        <span className="menu-name">{first}</span>
        <span className="sr-only">, account menu</span>
      </button>
      <div className="menu-panel" id={panelId} hidden={!open}>
        <p className="menu-who">
          {user.name}
          <br />
          <small>
            {user.email} · {user.role}
          </small>
        </p>
        {user.role === 'customer' && <Link to="/orders">Orders</Link>}
        {user.role === 'customer' && <Link to="/returns">Returns</Link>}
        {user.role === 'customer' && <Link to="/wishlist">Wishlist</Link>}
        {user.role === 'customer' && <Link to="/tickets">Help & support</Link>}
        {user.role === 'seller' && <Link to="/seller">Seller center</Link>}
        {(user.role === 'delivery' || user.role === 'admin') && <Link to="/delivery">Deliveries</Link>}
        {user.role === 'admin' && <Link to="/admin">Admin</Link>}
        {user.role === 'support' && <Link to="/admin/reviews">Moderation</Link>}
        <Link to="/notifications">Notifications</Link>
        <Link to="/account">Account</Link>
        <button
          type="button"
          className="link"
          onClick={async () => {
            setOpen(false);
            await api.logout();
            navigate('/');
          }}
        >
          Sign out
        </button>
      </div>
    </div>
  );
}

function SearchBox() {
  const [params] = useSearchParams();
  const loc = useLocation();
  const navigate = useNavigate();
  const features = useFeatures();
  const listId = useId();
  const [text, setText] = useState(loc.pathname === '/search' ? (params.get('q') ?? '') : '');
  const [debounced, setDebounced] = useState('');
  useEffect(() => {
    if (loc.pathname === '/search') setText(params.get('q') ?? '');
  }, [loc.pathname, params]);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(text.trim()), 200);
    return () => clearTimeout(t);
  }, [text]);
  const canSuggest = features.has('GET /api/v1/search/suggest');
  const suggest = useQuery({
    queryKey: ['suggest', debounced],
    queryFn: ({ signal }) => api.get<Suggestion[] | { items: Suggestion[] }>('/api/v1/search/suggest', { query: { q: debounced, limit: 8 }, signal }),
    enabled: canSuggest && debounced.length >= 2,
    staleTime: 60_000,
  });
  const items = Array.isArray(suggest.data) ? suggest.data : (suggest.data?.items ?? []);
  // Suggestions offered since the last search, by text: choosing one from
  // the list fills in its text and starts a new lookup, which may no
  // longer list it by the time the form is sent.
  const offered = useRef(new Map<string, Suggestion>());
  useEffect(() => {
    for (const s of [...items].reverse()) offered.current.set(s.text, s);
  }, [items]);
  const cats = useCategories();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const q = text.trim();
    const chosen = q ? (items.find((s) => s.text === q) ?? offered.current.get(q)) : undefined;
    offered.current.clear();
    const to = chosen && suggestionPath(chosen, cats.data);
    if (to) {
      setText('');
      navigate(to);
      return;
    }
    navigate(q ? '/search?q=' + encodeURIComponent(q) : '/');
  };
  return (
    <form className="search" role="search" onSubmit={submit}>
      <label htmlFor="site-search" className="sr-only">
        Search products
      </label>
      <input
        id="site-search"
        type="search"
        name="q"
        placeholder="Search products, brands and more"
        value={text}
        onChange={(e) => setText(e.target.value)}
        list={canSuggest ? listId : undefined}
        autoComplete="off"
        maxLength={100}
      />
      {canSuggest && (
        <datalist id={listId}>
          {items.map((s, i) => (
            <option key={i} value={s.text} label={kindLabels[s.kind]} />
          ))}
        </datalist>
      )}
      <button type="submit" aria-label="Search">
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
          <path fill="currentColor" d="M10 2a8 8 0 0 1 6.3 12.9l5.4 5.4-1.4 1.4-5.4-5.4A8 8 0 1 1 10 2m0 2a6 6 0 1 0 0 12 6 6 0 0 0 0-12" />
        </svg>
      </button>
    </form>
  );
}

const kindLabels: Record<string, string | undefined> = { category: 'Category', brand: 'Brand', product: 'Product' };

function CategoryNav() {
  const cats = useCategories();
  const roots = (cats.data ?? []).filter((c) => c.depth === 0);
  if (roots.length === 0) return <nav className="cat-nav" aria-label="Categories" />;
  return (
    <nav className="cat-nav" aria-label="Categories">
      <ul>
        <li>
          <NavLink to="/" end>
            All
          </NavLink>
        </li>
        {roots.map((c) => (
          <li key={c.id}>
            <NavLink to={'/c/' + c.slug}>{c.name}</NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
