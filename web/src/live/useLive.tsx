import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, useSession } from '../app/api';
import { useToast } from '../ui/kit';
import { CLOSE_TOKEN_EXPIRED, PROTOCOL, TOKEN_PREFIX, backoff, liveUrl, parseMessage, staleKeys } from './live';

const LiveContext = createContext(false);

/**
 * useLiveConnected says whether live updates are flowing: pages that poll
 * for changes (an order's parcels, the seller's queue) stop polling then.
 */
export function useLiveConnected(): boolean {
  return useContext(LiveContext);
}

/**
 * LiveProvider keeps one WebSocket to GET /api/v1/live open while someone
 * is signed in. Each message marks the queries that show its data stale
 * (react-query refetches those on screen), a notification also shows a
 * toast, and a reset refetches everything live data feeds. It reconnects
 * with backoff, resuming after the last message id it saw; when the token
 * expires (close 4001) it reconnects at once with a fresh one.
 */
export function LiveProvider({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const qc = useQueryClient();
  const toast = useToast();
  const [connected, setConnected] = useState(false);
  const userId = user?.id;

  useEffect(() => {
    if (!userId || typeof WebSocket === 'undefined') return;
    let stopped = false;
    let ws: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let last: string | undefined;

    const retry = () => {
      if (stopped) return;
      timer = setTimeout(() => void connect(), backoff(attempt++));
    };
    const connect = async () => {
      const token = await api.accessToken();
      if (stopped) return;
      if (!token) return retry();
      const sock = new WebSocket(liveUrl(window.location, last), [PROTOCOL, TOKEN_PREFIX + token]);
      ws = sock;
      sock.onmessage = (e) => {
        const m = parseMessage(e.data);
        if (!m) return;
        last = m.id;
        if (m.type === 'hello') {
          attempt = 0;
          setConnected(true);
          return;
        }
        for (const queryKey of staleKeys(m)) void qc.invalidateQueries({ queryKey });
        if (m.type === 'notification' && typeof m.data.title === 'string') {
          toast(
            <span data-testid="live-toast">
              <strong>{m.data.title}</strong> {typeof m.data.body === 'string' ? m.data.body : ''}
            </span>,
          );
        }
      };
      sock.onclose = (e) => {
        if (ws === sock) ws = null;
        setConnected(false);
        if (stopped) return;
        if (e.code === CLOSE_TOKEN_EXPIRED && attempt === 0) {
          attempt++; // once at once; then with backoff if it keeps failing
          void connect();
          return;
        }
        retry();
      };
    };
    void connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      ws?.close(1000);
      setConnected(false);
    };
  }, [userId, qc, toast]);

  useEffect(() => {
    // For tests and styles: whether live updates flow.
    document.documentElement.dataset.live = connected ? 'on' : 'off';
  }, [connected]);

  return <LiveContext.Provider value={connected}>{children}</LiveContext.Provider>;
}
