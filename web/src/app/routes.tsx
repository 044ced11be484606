import { createBrowserRouter, Link, Navigate, useLocation, useRouteError, type RouteObject } from 'react-router';
import type { ReactNode } from 'react';
import type { Role } from '../api/types';
import { Layout } from './Layout';
import { useSession } from './api';
import { Loading, message } from '../ui/kit';
import { Browse } from '../store/Browse';
import { ProductPage } from '../store/ProductPage';
import { CartPage } from '../store/CartPage';
import { SignIn, Register, OidcReturn } from '../store/SignIn';
import { ForgotPassword, ResetPassword, VerifyEmail } from '../store/EmailPages';

/** RequireUser shows its children to a signed-in user of one of roles; others are sent to sign in. */
export function RequireUser({ roles, children }: { roles?: Role[]; children: ReactNode }) {
  const { user, restoring } = useSession();
  const loc = useLocation();
  if (restoring) return <Loading />;
  if (!user) return <Navigate to={'/signin?next=' + encodeURIComponent(loc.pathname + loc.search)} replace />;
  if (roles && !roles.includes(user.role)) {
    return (
      <div className="page narrow">
        <h1>Not for this account</h1>
        <p>
          This area is for {roles.join(' or ')} accounts; you are signed in as a {user.role}. <Link to="/">Back to the shop</Link>
        </p>
      </div>
    );
  }
  return <>{children}</>;
}

function NotFound() {
  return (
    <div className="page narrow">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/">Back to the shop</Link>
      </p>
    </div>
  );
}

function RouteError() {
  const err = useRouteError();
  return (
    <div className="page narrow" role="alert">
      <h1>Something went wrong</h1>
      <p>{message(err)}</p>
      <p>
        <a href="/">Reload the shop</a>
      </p>
    </div>
  );
}

const lazy = (load: () => Promise<{ default: () => ReactNode }>): RouteObject['lazy'] => async () => ({ Component: (await load()).default });

const routes: RouteObject[] = [
  {
    element: <Layout />,
    errorElement: <RouteError />,
    hydrateFallbackElement: <Loading />,
    children: [
      { index: true, element: <Browse /> },
      { path: 'c/:category', element: <Browse /> },
      { path: 'search', element: <Browse /> },
      { path: 'p/:slug', element: <ProductPage /> },
      { path: 'cart', element: <CartPage /> },
      { path: 'signin', element: <SignIn /> },
      { path: 'signin/oidc', element: <OidcReturn /> },
      { path: 'register', element: <Register /> },
      // The pages mailed links open, and the page that asks for a reset link.
      { path: 'verify-email', element: <VerifyEmail /> },
      { path: 'forgot-password', element: <ForgotPassword /> },
      { path: 'reset-password', element: <ResetPassword /> },
      // The customer's account: checkout, orders, returns, support tickets, wishlist, addresses.
      { path: 'checkout', lazy: lazy(() => import('../account/Checkout')) },
      { path: 'orders', lazy: lazy(() => import('../account/Orders')) },
      { path: 'orders/:id', lazy: lazy(() => import('../account/OrderDetail')) },
      { path: 'orders/:id/return/:sellerOrderId', lazy: lazy(() => import('../account/ReturnForm')) },
      { path: 'returns', lazy: lazy(() => import('../account/Returns')) },
      { path: 'returns/:id', lazy: lazy(() => import('../account/ReturnDetail')) },
      { path: 'tickets', lazy: lazy(() => import('../account/Tickets')) },
      { path: 'tickets/new', lazy: lazy(() => import('../account/NewTicket')) },
      { path: 'tickets/:id', lazy: lazy(() => import('../account/TicketDetail')) },
      { path: 'wishlist', lazy: lazy(() => import('../account/Wishlist')) },
      { path: 'account', lazy: lazy(() => import('../account/Account')) },
      { path: 'account/notifications', lazy: lazy(() => import('../account/NotificationPreferences')) },
      { path: 'notifications', lazy: lazy(() => import('../account/Notifications')) },
      // Other actors' areas, each its own bundle.
      { path: 'seller/*', lazy: lazy(() => import('../seller/SellerCenter')) },
      { path: 'delivery/*', lazy: lazy(() => import('../delivery/Delivery')) },
      { path: 'admin/*', lazy: lazy(() => import('../admin/Admin')) },
      { path: '*', element: <NotFound /> },
    ],
  },
];

export const router = createBrowserRouter(routes);
