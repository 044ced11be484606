import { useState } from 'react';
import { useSession } from '../app/api';
import { ResendLink } from '../store/EmailPages';

const dismissedKey = (id: string) => 'bazaar.verify-banner.dismissed.' + id;

/**
 * VerifyBanner reminds a signed-in user whose address is not verified to
 * open the mailed link, with "resend". Dismissed, it stays away for the
 * rest of the browser session.
 */
export function VerifyBanner() {
  const { user } = useSession();
  const [dismissed, setDismissed] = useState<Record<string, boolean>>({});
  if (!user || user.email_verified) return null;
  if (dismissed[user.id] || sessionStorage.getItem(dismissedKey(user.id))) return null;
  return (
    <section className="verify-banner" aria-label="E-mail address not confirmed">
      <p>
        Please confirm your e-mail address: open the link we sent to <strong>{user.email}</strong>.
        {user.role === 'seller' && ' Until then you can prepare drafts, but not list products.'} <ResendLink />
      </p>
      <button
        type="button"
        className="link"
        aria-label="Dismiss the reminder"
        onClick={() => {
          sessionStorage.setItem(dismissedKey(user.id), '1');
          setDismissed({ ...dismissed, [user.id]: true });
        }}
      >
        ×
      </button>
    </section>
  );
}
