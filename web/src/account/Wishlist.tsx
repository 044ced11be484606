import { useEffect } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { RequireUser } from '../app/routes';
import { api } from '../app/api';
import type { Page, WishItem } from '../api/types';
import { Empty, ErrorBox, Loading, Price, Thumb } from '../ui/kit';

export default function WishlistPage() {
  return (
    <RequireUser roles={['customer']}>
      <Wishlist />
    </RequireUser>
  );
}

function Wishlist() {
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: ['wishlist'],
    queryFn: () => api.get<Page<WishItem>>('/api/v1/wishlist', { query: { limit: 100 } }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.del('/api/v1/wishlist/' + id),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['wishlist'] }),
  });
  useEffect(() => {
    document.title = 'Wishlist · Bazaar';
  }, []);
  return (
    <div className="page">
      <h1>Your wishlist</h1>
      <ErrorBox error={remove.error} />
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorBox error={list.error} />
      ) : list.data.items.length === 0 ? (
        <Empty title="Nothing saved yet">
          <p>Use “Save” on a product to keep it here.</p>
        </Empty>
      ) : (
        <ul className="grid">
          {list.data.items.map((w) => (
            <li key={w.id} className="wish">
              <Link to={'/p/' + w.slug} className="card">
                <Thumb src={w.image} alt="" />
                <div className="card-body">
                  <span className="card-brand">{w.brand}</span>
                  <span className="card-title">{w.title}</span>
                  <span>
                    from <Price value={w.min_price} />
                  </span>
                  {!w.active && <span className="stock out">No longer for sale</span>}
                </div>
              </Link>
              <button type="button" className="link" onClick={() => remove.mutate(w.id)} disabled={remove.isPending}>
                Remove<span className="sr-only"> {w.title}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
