// Attachments of tickets and returns. Their URLs need the bearer token,
// which lives in memory only: an <img src> cannot send it, so the bytes
// are fetched with the API client and shown through object URLs, revoked
// when the component goes away.

import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api } from '../app/api';
import type { Attachment } from '../api/support';
import { message } from '../ui/kit';
import { saveBlob } from '../lib/download';
import { attachmentAccept, checkFile, formatSize, isImage, maxAttachments } from './format';

/** useObjectUrl is an object URL for blob while the component is mounted (revoked after). */
export function useObjectUrl(blob: Blob | undefined | null): string | undefined {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (!blob) {
      setUrl(undefined);
      return;
    }
    const u = URL.createObjectURL(blob);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [blob]);
  return url;
}

const attachmentPath = (a: Pick<Attachment, 'id'>) => '/api/v1/attachment/' + encodeURIComponent(a.id);

/** useAttachmentUrl fetches an attachment with the session's token and gives an object URL for it. */
export function useAttachmentUrl(a: Pick<Attachment, 'id'>, enabled = true) {
  const q = useQuery({
    queryKey: ['attachment', a.id],
    queryFn: ({ signal }) => api.blob(attachmentPath(a), { signal }),
    enabled,
    staleTime: Infinity, // an attachment never changes
    gcTime: 5 * 60_000,
    retry: 1,
  });
  const url = useObjectUrl(q.data);
  return { url, error: q.error, loading: enabled && q.isPending };
}

/** downloadAttachment fetches a file with the token and hands it to the browser as a download. */
export async function downloadAttachment(a: Pick<Attachment, 'id' | 'name'>) {
  saveBlob(await api.blob(attachmentPath(a)), a.name || a.id);
}

function FileIcon() {
  return (
    <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
      <path fill="currentColor" d="M6 2h8l6 6v14H6zm7 1.5V9h5.5zM8 13h8v1.6H8zm0 3.2h8v1.6H8z" />
    </svg>
  );
}

/**
 * AttachmentView shows one attachment: an image as a thumbnail that opens
 * the full picture, a PDF as a download button.
 */
export function AttachmentView({ attachment: a }: { attachment: Attachment }) {
  const image = isImage(a.content_type);
  const { url, error, loading } = useAttachmentUrl(a, image);
  const [failed, setFailed] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (!image) {
    return (
      <span className="attachment attachment-file">
        <button
          type="button"
          className="link"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setFailed(null);
            try {
              await downloadAttachment(a);
            } catch (e) {
              setFailed(e);
            } finally {
              setBusy(false);
            }
          }}
        >
          <FileIcon />
          <span>
            <span className="sr-only">Download </span>
            {a.name}
          </span>
        </button>
        <span className="muted small">{busy ? 'Downloading…' : formatSize(a.size)}</span>
        {!!failed && (
          <span className="field-error" role="alert">
            {message(failed)}
          </span>
        )}
      </span>
    );
  }
  if (error) {
    return (
      <span className="attachment attachment-thumb attachment-missing" role="img" aria-label={`${a.name}: cannot be shown`} title={message(error)}>
        <FileIcon />
      </span>
    );
  }
  if (loading || !url) {
    return (
      <span className="attachment attachment-thumb" role="img" aria-label={`${a.name}, loading`}>
        <span className="spinner" aria-hidden="true" />
      </span>
    );
  }
  return (
    <a className="attachment attachment-thumb" href={url} target="_blank" rel="noopener" title={`${a.name} (${formatSize(a.size)})`}>
      <img src={url} alt={a.name} />
    </a>
  );
}

/** AttachmentList shows attachments in a row; nothing when there are none. */
export function AttachmentList({ attachments, label = 'Attachments' }: { attachments: Attachment[] | undefined; label?: string }) {
  if (!attachments?.length) return null;
  return (
    <ul className="attachment-list" aria-label={label}>
      {attachments.map((a) => (
        <li key={a.id}>
          <AttachmentView attachment={a} />
        </li>
      ))}
    </ul>
  );
}

// ---- uploads -----------------------------------------------------------------

/** One file chosen for upload. */
export interface Upload {
  key: number;
  file: File;
  state: 'uploading' | 'done' | 'failed';
  attachment?: Attachment;
  error?: string;
}

const typeByExtension: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', pdf: 'application/pdf' };

/** uploadFile sends one file as the raw body; the server reads its type from the bytes. */
export function uploadFile(file: File): Promise<Attachment> {
  let body: Blob = file;
  if (!file.type) {
    const ext = file.name.split('.').pop()?.toLowerCase() ?? '';
    if (typeByExtension[ext]) body = new Blob([file], { type: typeByExtension[ext] });
  }
  return api.post<Attachment>('/api/v1/attachment', undefined, { raw: body, query: { name: file.name } });
}

export interface Uploads {
  items: Upload[];
  /** IDs of the files uploaded, to send with the form. */
  ids: string[];
  /** True while a file is still uploading: the form should wait. */
  busy: boolean;
  max: number;
  /** Why the last files chosen were not all taken (too many). */
  notice: string;
  add(files: File[]): void;
  remove(key: number): void;
  clear(): void;
}

/**
 * useUploads keeps the files chosen for a message or a return: each is
 * uploaded at once (POST /api/v1/attachment), so a refused file (413, 415)
 * says so next to its name before the form is sent.
 */
export function useUploads(max = maxAttachments): Uploads {
  const [items, setItems] = useState<Upload[]>([]);
  const [notice, setNotice] = useState('');
  const next = useRef(1);
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);
  const patch = useCallback((key: number, p: Partial<Upload>) => {
    if (live.current) setItems((all) => all.map((u) => (u.key === key ? { ...u, ...p } : u)));
  }, []);
  // The latest list, so add() can count without side effects in a state updater.
  const current = useRef(items);
  current.current = items;
  const add = useCallback(
    (files: File[]) => {
      const room = max - current.current.filter((u) => u.state !== 'failed').length;
      setNotice(files.length > room ? `At most ${max} files: ${room <= 0 ? 'none' : 'only the first ' + room} of those chosen ${room === 1 ? 'was' : 'were'} added.` : '');
      const fresh: Upload[] = files.slice(0, Math.max(0, room)).map((file) => {
        const key = next.current++;
        const why = checkFile(file);
        if (why) return { key, file, state: 'failed', error: why };
        uploadFile(file).then(
          (attachment) => patch(key, { state: 'done', attachment }),
          (e) => patch(key, { state: 'failed', error: message(e) }),
        );
        return { key, file, state: 'uploading' };
      });
      current.current = [...current.current, ...fresh];
      setItems(current.current);
    },
    [max, patch],
  );
  const remove = useCallback((key: number) => {
    setNotice('');
    setItems((all) => all.filter((u) => u.key !== key));
  }, []);
  const clear = useCallback(() => {
    setNotice('');
    setItems([]);
  }, []);
  return {
    items,
    ids: items.filter((u) => u.state === 'done').map((u) => u.attachment!.id),
    busy: items.some((u) => u.state === 'uploading'),
    max,
    notice,
    add,
    remove,
    clear,
  };
}

function LocalPreview({ file }: { file: File }) {
  const url = useObjectUrl(isImage(file.type) ? file : null);
  return url ? (
    <img className="upload-preview" src={url} alt="" />
  ) : (
    <span className="upload-preview upload-preview-file">
      <FileIcon />
    </span>
  );
}

/**
 * UploadField is a file picker for JPEG, PNG, WebP and PDF files (5 MB
 * each, max files), listing what was chosen with each upload's outcome.
 */
export function UploadField({ uploads, label = 'Attach files (optional)', error }: { uploads: Uploads; label?: string; error?: string }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const taken = uploads.items.filter((u) => u.state !== 'failed').length;
  const full = taken >= uploads.max;
  return (
    <div className="field upload-field">
      <label htmlFor={id}>{label}</label>
      <input
        ref={input}
        id={id}
        type="file"
        multiple
        accept={attachmentAccept}
        disabled={full}
        aria-describedby={id + '-hint' + (error ? ' ' + id + '-err' : '')}
        aria-invalid={error ? true : undefined}
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = ''; // the same file may be chosen again after removing it
          if (files.length) uploads.add(files);
        }}
      />
      <p className="hint" id={id + '-hint'}>
        JPEG, PNG, WebP or PDF, up to 5 MB each; at most {uploads.max} files.{full && ' That is the most you can attach.'}
      </p>
      {error && (
        <p className="field-error" id={id + '-err'}>
          {error}
        </p>
      )}
      <div aria-live="polite">
        {uploads.notice && <p className="field-error">{uploads.notice}</p>}
        {uploads.items.length > 0 && (
          <ul className="upload-list" aria-label="Chosen files">
            {uploads.items.map((u) => (
              <li key={u.key} className={'upload-item upload-' + u.state} data-testid="upload-item">
                <LocalPreview file={u.file} />
                <span className="upload-info">
                  <span className="upload-name">{u.file.name}</span>
                  <span className="muted small">
                    {formatSize(u.file.size)}
                    {u.state === 'uploading' && ' · Uploading…'}
                    {u.state === 'done' && ' · Attached'}
                  </span>
                  {u.state === 'failed' && <span className="field-error">Not attached: {u.error}</span>}
                </span>
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    uploads.remove(u.key);
                    input.current?.focus();
                  }}
                >
                  {u.state === 'failed' ? 'Dismiss' : 'Remove'}
                  <span className="sr-only"> {u.file.name}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
