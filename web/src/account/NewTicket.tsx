import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { RequireUser } from '../app/routes';
import { api } from '../app/api';
import { isApiError, newIdempotencyKey } from '../api/client';
import type { Product } from '../api/types';
import type { Ticket, TicketCategory, TicketInput } from '../api/support';
import { ErrorBox, Field, SelectField, TextArea, fieldError, useToast } from '../ui/kit';
import { UploadField, useUploads } from '../support/attachments';
import { ticketCategories, ticketCategoryLabel, ticketContext } from '../support/format';

export default function NewTicketPage() {
  return (
    <RequireUser roles={['customer']}>
      <NewTicket />
    </RequireUser>
  );
}

function About({ about, order }: { about: ReturnType<typeof ticketContext>['about']; order: string | null }) {
  const product = useQuery({
    queryKey: ['product', about.product_id],
    queryFn: () => api.get<Product>('/api/v1/product/' + encodeURIComponent(about.product_id!)),
    enabled: !!about.product_id,
  });
  let what: ReactNode = null;
  if (about.return_id) what = <Link to={'/returns/' + about.return_id}>Return {about.return_id}</Link>;
  else if (about.seller_order_id)
    what = order ? (
      <>
        A parcel of <Link to={'/orders/' + order}>order {order}</Link>
      </>
    ) : (
      <>Parcel {about.seller_order_id}</>
    );
  else if (about.order_id) what = <Link to={'/orders/' + about.order_id}>Order {about.order_id}</Link>;
  else if (about.product_id) what = <Link to={'/p/' + about.product_id}>{product.data?.title ?? 'A product'}</Link>;
  if (!what) return null;
  return (
    <p className="notice" data-testid="ticket-about">
      About: {what}
    </p>
  );
}

function NewTicket() {
  const [params] = useSearchParams();
  const ctx = ticketContext(params);
  const [subject, setSubject] = useState('');
  const [category, setCategory] = useState<TicketCategory | ''>(ctx.category);
  const [body, setBody] = useState('');
  const uploads = useUploads();
  const key = useRef(newIdempotencyKey());
  const navigate = useNavigate();
  const qc = useQueryClient();
  const toast = useToast();
  useEffect(() => {
    document.title = 'Contact support · Bazaar';
  }, []);
  const open = useMutation({
    mutationFn: () => {
      const input: TicketInput = { subject: subject.trim(), body: body.trim(), ...ctx.about };
      if (category) input.category = category;
      if (uploads.ids.length) input.attachments = uploads.ids;
      return api.post<Ticket>('/api/v1/ticket', input, { idempotencyKey: key.current });
    },
    onSuccess: (t) => {
      qc.setQueryData(['ticket', t.id], t);
      void qc.invalidateQueries({ queryKey: ['tickets'] });
      if (ctx.about.return_id) void qc.invalidateQueries({ queryKey: ['return', ctx.about.return_id] });
      toast('Your ticket is open. We will answer here.');
      navigate('/tickets/' + t.id, { replace: true });
    },
    onError: (e) => {
      if (isApiError(e)) key.current = newIdempotencyKey();
    },
  });
  const escalating = !!ctx.about.return_id;
  return (
    <div className="page narrow">
      <p className="crumbs">
        <Link to="/tickets">Your support tickets</Link>
      </p>
      <h1>{escalating ? 'Ask support about a return' : 'Contact support'}</h1>
      <About about={ctx.about} order={params.get('order')} />
      <form
        className="panel"
        aria-label="New ticket"
        onSubmit={(e) => {
          e.preventDefault();
          if (uploads.busy) return;
          open.mutate();
        }}
      >
        <ErrorBox error={open.error} fields={['subject', 'body', 'category', 'attachments']} />
        <Field label="Subject" value={subject} onChange={(e) => setSubject(e.target.value)} maxLength={200} required error={fieldError(open.error, 'subject')} />
        <SelectField label="Topic" value={category} onChange={(e) => setCategory(e.target.value as TicketCategory | '')} error={fieldError(open.error, 'category')}>
          <option value="">Let us decide</option>
          {ticketCategories.map((c) => (
            <option key={c} value={c}>
              {ticketCategoryLabel[c]}
            </option>
          ))}
        </SelectField>
        <TextArea
          label="How can we help?"
          value={body}
          onChange={(e) => setBody(e.target.value)}
          maxLength={10_000}
          rows={6}
          required
          error={fieldError(open.error, 'body')}
          hint={escalating ? 'Say why you disagree with the decision; support can approve or refund the return.' : 'The more detail, the faster we can help.'}
        />
        <UploadField uploads={uploads} error={fieldError(open.error, 'attachments')} />
        <button type="submit" className="btn primary" disabled={open.isPending || uploads.busy || !subject.trim() || !body.trim()}>
          {open.isPending ? 'Sending…' : uploads.busy ? 'Uploading…' : 'Send'}
        </button>
      </form>
    </div>
  );
}
