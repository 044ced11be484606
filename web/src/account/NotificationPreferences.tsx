// Notification preferences: for each category that concerns the user, the
// channels it comes on (in-app, e-mail). Transactional e-mail (orders) is
// shown locked, with the reason. This page is also where e-mail's
// List-Unsubscribe link lands.
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { RequireUser } from '../app/routes';
import { api, useSession } from '../app/api';
import { categories, categoryLabel, forRole, notificationKey, preferenceKey, requiredReason, type Preference } from '../api/notify';
import { ErrorBox, Loading, useToast } from '../ui/kit';

export default function NotificationPreferencesPage() {
  return (
    <RequireUser>
      <NotificationPreferences />
    </RequireUser>
  );
}

function NotificationPreferences() {
  useEffect(() => {
    document.title = 'Notification preferences · Bazaar';
  }, []);
  const { user } = useSession();
  const q = useQuery({
    queryKey: preferenceKey,
    queryFn: ({ signal }) => api.get<{ items: Preference[] }>('/api/v1/notification/preference', { signal }).then((p) => p.items),
  });
  return (
    <div className="page narrow">
      <p className="crumbs">
        <Link to="/account">Your account</Link> › Notifications
      </p>
      <h1>Notification preferences</h1>
      <p className="muted">
        Choose how we tell you what happens. Your <Link to="/notifications">notifications</Link> show in-app news.
      </p>
      {q.isPending ? <Loading /> : !q.data ? <ErrorBox error={q.error} /> : <Form prefs={forRole(q.data, user!.role)} />}
    </div>
  );
}

function Form({ prefs }: { prefs: Preference[] }) {
  const [draft, setDraft] = useState(prefs);
  useEffect(() => setDraft(prefs), [prefs]);
  const qc = useQueryClient();
  const toast = useToast();
  const save = useMutation({
    mutationFn: (items: Preference[]) =>
      api.put<{ items: Preference[] }>('/api/v1/notification/preference', {
        items: items.map((p) => ({ category: p.category, in_app: p.in_app, email: p.email })),
      }),
    onSuccess: (r) => {
      qc.setQueryData(preferenceKey, r.items);
      toast('Notification preferences saved.');
      return qc.invalidateQueries({ queryKey: notificationKey });
    },
  });
  const set = (i: number, change: Partial<Preference>) => setDraft(draft.map((p, j) => (j === i ? { ...p, ...change } : p)));
  const dirty = draft.some((p, i) => p.in_app !== prefs[i]?.in_app || p.email !== prefs[i]?.email);
  return (
    <form
      className="panel"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(draft);
      }}
    >
      <ErrorBox error={save.error} />
      <table className="data prefs">
        <caption className="sr-only">Channels per kind of notification</caption>
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col" className="ch">
              In-app
            </th>
            <th scope="col" className="ch">
              E-mail
            </th>
          </tr>
        </thead>
        <tbody>
          {draft.map((p, i) => {
            const name = categoryLabel(p.category);
            const about = categories[p.category]?.about;
            return (
              <tr key={p.category} data-testid={'pref-' + p.category}>
                <th scope="row">
                  {name}
                  {about && <div className="muted small">{about}</div>}
                  {p.email_required && (
                    <div className="small pref-locked" id={'locked-' + p.category}>
                      {requiredReason(p.category)}
                    </div>
                  )}
                </th>
                <td className="ch">
                  <input type="checkbox" aria-label={`${name}: in-app`} checked={p.in_app} onChange={(e) => set(i, { in_app: e.target.checked })} />
                </td>
                <td className="ch">
                  <input
                    type="checkbox"
                    aria-label={`${name}: e-mail`}
                    checked={p.email || p.email_required}
                    disabled={p.email_required}
                    aria-describedby={p.email_required ? 'locked-' + p.category : undefined}
                    onChange={(e) => set(i, { email: e.target.checked })}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="row">
        <button className="btn primary" disabled={save.isPending || !dirty}>
          {save.isPending ? 'Saving…' : 'Save preferences'}
        </button>
        {dirty && (
          <button type="button" className="btn ghost" onClick={() => setDraft(prefs)}>
            Undo changes
          </button>
        )}
      </div>
    </form>
  );
}
