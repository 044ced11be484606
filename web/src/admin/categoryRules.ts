// Non-returnable categories: a category marked non-returnable makes its
// subcategories so too.
import type { Category } from '../api/types';

/**
 * markedAncestor is the nearest ancestor of c (by parent_id) marked
 * non-returnable, which makes c non-returnable too; undefined if none is.
 */
export function markedAncestor(c: Pick<Category, 'parent_id'>, all: Pick<Category, 'id' | 'parent_id' | 'name'>[], marked: Set<string>): Pick<Category, 'id' | 'name'> | undefined {
  const byId = new Map(all.map((x) => [x.id, x]));
  const seen = new Set<string>();
  let p = c.parent_id ? byId.get(c.parent_id) : undefined;
  while (p && !seen.has(p.id)) {
    if (marked.has(p.id)) return p;
    seen.add(p.id);
    p = p.parent_id ? byId.get(p.parent_id) : undefined;
  }
  return undefined;
}
