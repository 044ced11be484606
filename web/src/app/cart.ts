import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Cart } from '../api/types';
import { api, useSession } from './api';

/**
 * useCart is the caller's cart. A guest without a cart token has no cart
 * yet: asking would make an empty one, so we wait for the first add.
 */
export function useCart() {
  const { user, restoring } = useSession();
  return useQuery({
    queryKey: ['cart'],
    queryFn: () => api.get<Cart>('/api/v1/cart', { cart: true }),
    enabled: !restoring && (!!user || !!api.cartToken),
    staleTime: 10_000,
  });
}

/** useCartChange runs a cart mutation and puts the cart it returns in the cache. */
export function useCartChange<V>(fn: (v: V) => Promise<Cart>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (cart) => qc.setQueryData(['cart'], cart),
  });
}

export const addToCart = (sku: string, quantity: number) => api.post<Cart>('/api/v1/cart/item', { sku, quantity }, { cart: true });
export const setQuantity = (id: string, quantity: number) => api.put<Cart>('/api/v1/cart/item/' + encodeURIComponent(id), { quantity }, { cart: true });
export const removeLine = async (id: string) => {
  await api.del('/api/v1/cart/item/' + encodeURIComponent(id), { cart: true });
  return api.get<Cart>('/api/v1/cart', { cart: true });
};
