import { NavLink } from 'react-router';
import { badgeCount, unreadLabel, useUnread } from '../api/notify';
import { useFeatures } from './api';

/**
 * Bell links a signed-in user to the inbox, showing the unread count. Its
 * accessible name says the count ("Notifications, 3 unread"), so speech
 * matches what is seen.
 */
export function Bell() {
  const features = useFeatures();
  const enabled = features.has('GET /api/v1/notification');
  const unread = useUnread(enabled);
  if (!enabled) return null;
  const n = unread.data ?? 0;
  return (
    <NavLink to="/notifications" className="bell-link" aria-label={unreadLabel(n)} data-testid="bell">
      <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
        <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22m7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z" />
      </svg>
      {n > 0 && (
        <span className="cart-count bell-count" data-testid="bell-count" aria-hidden="true">
          {badgeCount(n)}
        </span>
      )}
    </NavLink>
  );
}
