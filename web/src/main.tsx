import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
// From react-router/dom: it lets navigations ask for flushSync (filters
// whose controls must not flick back while the URL updates).
import { RouterProvider } from 'react-router/dom';
import { isApiError } from './api/client';
import { api } from './app/api';
import { router } from './app/routes';
import './styles.css';

const queries = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // 4xx answers are final; retry only what may pass on a second try.
      retry: (n, e) => n < 2 && !(isApiError(e) && e.status >= 400 && e.status < 500),
    },
  },
});

// Drop per-user data whenever the signed-in user changes.
let userId: string | null | undefined;
api.subscribe((s) => {
  const id = s.user?.id ?? null;
  if (userId !== undefined && id !== userId) void queries.resetQueries({ predicate: (q) => q.queryKey[0] !== 'openapi' && q.queryKey[0] !== 'categories' });
  userId = id;
});
void api.restore();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
