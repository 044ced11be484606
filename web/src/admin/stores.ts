// Names for the IDs the money screens show: stores and delivery partners.
import { useQuery } from '@tanstack/react-query';
import { api } from '../app/api';
import type { Page, Seller, User } from '../api/types';

/**
 * useStores lists the stores (the first 100, by the API's order) and
 * their names by ID, for pickers and tables; an ID not among them is
 * shown as it is.
 */
export function useStores() {
  const q = useQuery({
    queryKey: ['admin-stores'],
    queryFn: ({ signal }) => api.get<Page<Seller>>('/api/v1/admin/seller', { query: { limit: 100 }, signal }),
    staleTime: 60_000,
  });
  const list = q.data?.items ?? [];
  return { list, names: Object.fromEntries(list.map((s) => [s.id, s.name])) as Record<string, string> };
}

/** usePartners names the delivery partners (the first 100) by user ID. */
export function usePartners() {
  const q = useQuery({
    queryKey: ['admin-partners'],
    queryFn: ({ signal }) => api.get<Page<User>>('/api/v1/admin/user', { query: { role: 'delivery', limit: 100 }, signal }),
    staleTime: 60_000,
  });
  return Object.fromEntries((q.data?.items ?? []).map((u) => [u.id, u])) as Record<string, User>;
}
