// The returnable toggle beside each category of the admin's category tree
// (PUT /api/v1/admin/return-policy/category/{id}, admins only).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, useFeatures, useSession } from '../app/api';
import type { Category } from '../api/types';
import { useToast } from '../ui/kit';
import { markedAncestor } from './categoryRules';
import '../seller/desk.css';

export interface Rules {
  enabled: boolean;
  marked: Set<string>;
  loading: boolean;
}

/** useNonReturnable is the set of category IDs marked non-returnable (admins, when the route exists). */
export function useNonReturnable(): Rules {
  const features = useFeatures();
  const { user } = useSession();
  const enabled = user?.role === 'admin' && features.has('GET /api/v1/admin/return-policy/category');
  const q = useQuery({
    queryKey: ['non-returnable'],
    enabled,
    queryFn: ({ signal }) => api.get<{ categories: string[] }>('/api/v1/admin/return-policy/category', { signal }).then((r) => new Set(r.categories ?? [])),
  });
  return { enabled, marked: q.data ?? new Set(), loading: q.isPending };
}

/** CategoryReturnable says whether a category's products may be returned, with a toggle. */
export function CategoryReturnable({ c, all, rules }: { c: Category; all: Category[]; rules: Rules }) {
  const qc = useQueryClient();
  const toast = useToast();
  const set = useMutation({
    mutationFn: (returnable: boolean) => api.put<{ category_id: string; returnable: boolean }>('/api/v1/admin/return-policy/category/' + encodeURIComponent(c.id), { returnable }),
    onSuccess: (r) => {
      qc.setQueryData<Set<string>>(['non-returnable'], (old) => {
        const next = new Set(old);
        if (r.returnable) next.delete(r.category_id);
        else next.add(r.category_id);
        return next;
      });
      toast(`${c.name} is now ${r.returnable ? 'returnable' : 'non-returnable'}.`);
      return qc.invalidateQueries({ queryKey: ['non-returnable'] });
    },
    onError: () => toast(`Could not change whether ${c.name} is returnable.`, 'bad'),
  });
  // Until the marked set is known, show no box: a box shown ticked before
  // the answer arrives would claim every category returnable.
  if (rules.loading) return <span className="rule muted" data-testid="category-returnable" aria-busy="true" />;
  const marked = rules.marked.has(c.id);
  const from = marked ? undefined : markedAncestor(c, all, rules.marked);
  return (
    <span className="rule" data-testid="category-returnable">
      {marked ? (
        <span className="badge badge-bad">Non-returnable</span>
      ) : from ? (
        <span className="badge badge-muted" id={'via-' + c.id} title={`Because ${from.name} is non-returnable; make ${from.name} returnable to change this one`}>
          Non-returnable (via {from.name})
        </span>
      ) : null}
      <label className="check" style={{ margin: 0 }}>
        <input
          type="checkbox"
          aria-label={`Returnable: ${c.name}`}
          aria-describedby={from ? 'via-' + c.id : undefined}
          checked={set.isPending ? set.variables : !marked && !from}
          disabled={set.isPending || !!from}
          onChange={(e) => set.mutate(e.target.checked)}
        />
        Returnable
      </label>
    </span>
  );
}
