// The support pieces the seller and staff desks use: status badges, a
// ticket's thread and reply box, a return's photos and history.
// TEMPORARY stand-ins with the same props as the shared components of
// web/src/support (being written on branch wt-webc); once merged, this file
// only re-exports those.
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../app/api';
import { returnStatusLabel, ticketStatusLabel, type Attachment, type Message, type PickupStatus, type Return, type ReturnStatus, type Ticket, type TicketStatus } from '../api/support';
import { ErrorBox, TextArea, Timeline, formatDate, type TimelineStep } from '../ui/kit';
import { pickupLabel, timelineLabel } from './returns';

export function TicketBadge({ status }: { status: TicketStatus; viewer?: 'customer' | 'seller' | 'staff' }) {
  return (
    <span className="badge badge-info" data-testid="ticket-status">
      {ticketStatusLabel[status]}
    </span>
  );
}

export function ReturnBadge({ status }: { status: ReturnStatus }) {
  return (
    <span className="badge badge-info" data-testid="return-status">
      {returnStatusLabel[status]}
    </span>
  );
}

export function AttachmentList({ attachments, label = 'Attachments' }: { attachments: Attachment[] | undefined; label?: string }) {
  if (!attachments?.length) return null;
  return (
    <ul className="plain-list small" aria-label={label}>
      {attachments.map((p) => (
        <li key={p.id}>{p.name}</li>
      ))}
    </ul>
  );
}

export function TicketThread({ messages }: { messages: Message[] | undefined }) {
  return (
    <ol className="plain-list" aria-label="Conversation">
      {messages?.map((m) => (
        <li key={m.id} data-testid="ticket-message">
          <strong>{m.author_name}</strong> {m.internal && 'Internal note'} {formatDate(m.created_at)}
          <p>{m.body}</p>
        </li>
      ))}
    </ol>
  );
}

export function ReplyBox({ ticket, allowInternal = false }: { ticket: Pick<Ticket, 'id' | 'status'>; allowInternal?: boolean }) {
  const [body, setBody] = useState('');
  const [internal, setInternal] = useState(false);
  const qc = useQueryClient();
  const send = useMutation({
    mutationFn: () => api.post<Message>(`/api/v1/ticket/${ticket.id}/message`, { body: body.trim(), internal }),
    onSuccess: () => {
      setBody('');
      setInternal(false);
      return qc.invalidateQueries({ queryKey: ['ticket', ticket.id] });
    },
  });
  return (
    <form
      aria-label="Reply"
      onSubmit={(e) => {
        e.preventDefault();
        send.mutate();
      }}
    >
      <ErrorBox error={send.error} />
      <TextArea label={internal ? 'Internal note' : 'Your reply'} value={body} onChange={(e) => setBody(e.target.value)} required />
      {allowInternal && (
        <label className="check">
          <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} /> Internal note
        </label>
      )}
      <button className="btn primary">{internal ? 'Add note' : 'Send reply'}</button>
    </form>
  );
}

export function ReturnTimeline({ ret }: { ret: Pick<Return, 'status' | 'timeline'> }) {
  const steps: TimelineStep[] = ret.timeline.map((e) => ({ label: timelineLabel(e.status), at: e.at, state: 'done' }));
  return <Timeline steps={steps} label="Return progress" />;
}

// ---- the desks' own pieces (not shared) ----

const pickupTone: Record<PickupStatus, string> = {
  scheduled: 'warn',
  picked_up: 'info',
  failed_attempt: 'bad',
  delivered: 'good',
  cancelled: 'muted',
};

/** PickupBadge shows a return pickup's status. */
export function PickupBadge({ status }: { status: PickupStatus }) {
  return <span className={'badge badge-' + pickupTone[status]}>{pickupLabel[status]}</span>;
}
