import { useSyncExternalStore } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Client, type SessionState } from '../api/client';
import type { Category } from '../api/types';

/** api is the app's one API client. */
export const api = new Client();

if (typeof window !== 'undefined') {
  // Another tab signed in or out, or rotated the refresh token.
  window.addEventListener('storage', (e) => api.storageChanged(e.key));
}

/** useSession is the signed-in user (null when signed out) and whether start-up restore is still running. */
export function useSession(): SessionState {
  return useSyncExternalStore(
    (fn) => api.subscribe(fn),
    () => api.session,
  );
}

/** Features lists the API routes this server has, from its OpenAPI document. */
export interface Features {
  has(route: string): boolean;
  loaded: boolean;
}

const core = new Set<string>();

/**
 * routeKey is a route with its path parameters unnamed, so "GET
 * /api/v1/product/{id}/review" matches the document's
 * "/api/v1/product/{productID}/review" whatever the server calls them.
 */
export function routeKey(route: string): string {
  return route.replace(/\{[^}]*\}/g, '{}');
}

/**
 * useFeatures tells which optional parts of the API exist (ordering, search,
 * shipments are built by other modules and may not be wired yet), so the UI
 * only shows what works.
 */
export function useFeatures(): Features {
  const q = useQuery({
    queryKey: ['openapi'],
    queryFn: async () => {
      const doc = await api.get<{ paths: Record<string, Record<string, unknown>> }>('/api/v1/openapi.json');
      const routes = new Set<string>();
      for (const [path, ops] of Object.entries(doc.paths ?? {})) {
        for (const method of Object.keys(ops)) routes.add(routeKey(method.toUpperCase() + ' ' + path));
      }
      return routes;
    },
    staleTime: Infinity,
    gcTime: Infinity,
    retry: 1,
  });
  const routes = q.data ?? core;
  return { has: (r) => routes.has(routeKey(r)), loaded: q.isSuccess || q.isError };
}

/** useCategories is the whole category tree, flat in display order. */
export function useCategories() {
  return useQuery({
    queryKey: ['categories'],
    queryFn: () => api.get<{ items: Category[] }>('/api/v1/category').then((p) => p.items),
    staleTime: 5 * 60_000,
  });
}
