// A ticket's conversation and the box to answer it, for every actor: the
// customer, the seller concerned and staff (who may add internal notes).

import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../app/api';
import type { Message, MessageInput, Ticket } from '../api/support';
import { ErrorBox, TextArea, fieldError, formatDate, humanize, useToast } from '../ui/kit';
import { AttachmentList, UploadField, useUploads } from './attachments';

/** authorLabel is who wrote a message as the viewer should read it. */
export function authorLabel(m: Pick<Message, 'author_name' | 'author_role'>): string {
  if (m.author_name) return m.author_name;
  if (m.author_role === 'admin' || m.author_role === 'support') return 'Support';
  return humanize(m.author_role);
}

function MessageItem({ m }: { m: Message }) {
  const who = authorLabel(m);
  const mine = who === 'You';
  const side = m.author_role === 'admin' || m.author_role === 'support' ? 'staff' : m.author_role;
  return (
    <li className={'msg msg-' + side + (mine ? ' msg-mine' : '') + (m.internal ? ' msg-internal' : '')} data-testid="ticket-message">
      <article aria-label={`${m.internal ? 'Internal note' : 'Message'} from ${who}`}>
        <header className="msg-head">
          <span className="msg-author">{who}</span>
          {m.internal && <span className="badge badge-warn">Internal note · staff only</span>}
          <time dateTime={m.created_at} className="muted small">
            {formatDate(m.created_at)}
          </time>
        </header>
        <p className="msg-body">{m.body}</p>
        <AttachmentList attachments={m.attachments} label={`Attachments from ${who}`} />
      </article>
    </li>
  );
}

/** TicketThread lists a ticket's messages, oldest first; internal notes (staff only) stand out. */
export function TicketThread({ messages }: { messages: Message[] | undefined }) {
  if (!messages?.length) return <p className="muted">No messages yet.</p>;
  return (
    <ol className="thread" aria-label="Conversation">
      {messages.map((m) => (
        <MessageItem key={m.id} m={m} />
      ))}
    </ol>
  );
}

/**
 * ReplyBox answers a ticket: text and up to 5 files; with allowInternal
 * (staff), an "Internal note" box keeps the message from the customer and
 * the seller. On success it refreshes the ['ticket', id] query (and
 * ['tickets']) and calls onSent.
 */
export function ReplyBox({
  ticket,
  allowInternal = false,
  onSent,
  label = 'Your reply',
}: {
  ticket: Pick<Ticket, 'id' | 'status'>;
  allowInternal?: boolean;
  onSent?: (m: Message) => void;
  label?: string;
}) {
  const [body, setBody] = useState('');
  const [internal, setInternal] = useState(false);
  const uploads = useUploads();
  const qc = useQueryClient();
  const toast = useToast();
  const send = useMutation({
    mutationFn: () => {
      const input: MessageInput = { body: body.trim() };
      if (internal) input.internal = true;
      if (uploads.ids.length) input.attachments = uploads.ids;
      return api.post<Message>('/api/v1/ticket/' + encodeURIComponent(ticket.id) + '/message', input);
    },
    onSuccess: (m) => {
      setBody('');
      setInternal(false);
      uploads.clear();
      toast(m.internal ? 'Internal note added.' : 'Reply sent.');
      onSent?.(m);
      void qc.invalidateQueries({ queryKey: ['tickets'] });
      return qc.invalidateQueries({ queryKey: ['ticket', ticket.id] });
    },
  });
  if (ticket.status === 'closed') {
    return <p className="notice">This ticket is closed: it can no longer be answered. Open a new ticket if you still need help.</p>;
  }
  return (
    <form
      className={'reply-box' + (internal ? ' reply-internal' : '')}
      aria-label="Reply"
      onSubmit={(e) => {
        e.preventDefault();
        if (!body.trim() || uploads.busy) return;
        send.mutate();
      }}
    >
      <ErrorBox error={send.error} fields={['body', 'attachments']} />
      <TextArea label={internal ? 'Internal note' : label} value={body} onChange={(e) => setBody(e.target.value)} maxLength={10_000} required error={fieldError(send.error, 'body')} />
      <UploadField uploads={uploads} error={fieldError(send.error, 'attachments')} />
      {allowInternal && (
        <label className="check">
          <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} /> Internal note (staff only: the customer and the seller never see it)
        </label>
      )}
      {ticket.status === 'resolved' && !internal && <p className="hint">This ticket is resolved; replying reopens it.</p>}
      <button type="submit" className="btn primary" disabled={send.isPending || uploads.busy || !body.trim()}>
        {send.isPending ? 'Sending…' : uploads.busy ? 'Uploading…' : internal ? 'Add note' : 'Send reply'}
      </button>
    </form>
  );
}
