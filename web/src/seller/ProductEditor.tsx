import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, useCategories } from '../app/api';
import { isApiError, newIdempotencyKey } from '../api/client';
import type { NewProduct, Product, ProductStatus, Stock } from '../api/types';
import { parseAmount, toMajor } from '../lib/money';
import { Badge, ErrorBox, Field, Loading, SelectField, TextArea, fieldError, humanize, useToast } from '../ui/kit';

interface Row {
  key: string;
  sku: string;
  options: Record<string, string>;
  price: string;
}

interface Draft {
  title: string;
  brand: string;
  category_id: string;
  description: string;
  status: ProductStatus;
  attributes: { key: string; name: string; value: string }[];
  optionNames: string;
  variants: Row[];
  currency: string;
}

let keys = 0;
const key = () => 'k' + ++keys;

function draftOf(p?: Product): Draft {
  if (!p) {
    return {
      title: '',
      brand: '',
      category_id: '',
      description: '',
      status: 'draft',
      attributes: [],
      optionNames: 'size',
      variants: [{ key: key(), sku: '', options: {}, price: '' }],
      currency: 'USD',
    };
  }
  const names: string[] = [];
  for (const v of p.variants) for (const k of Object.keys(v.options)) if (!names.includes(k)) names.push(k);
  const currency = p.variants[0]?.price.currency ?? 'USD';
  return {
    title: p.title,
    brand: p.brand,
    category_id: p.category_id,
    description: p.description,
    status: p.status,
    attributes: Object.entries(p.attributes).map(([name, value]) => ({ key: key(), name, value })),
    optionNames: names.join(', '),
    variants: p.variants.map((v) => ({ key: key(), sku: v.sku, options: { ...v.options }, price: toMajor(v.price.amount, v.price.currency) })),
    currency,
  };
}

/** names parses "size, color" into option names. */
function names(s: string): string[] {
  return [
    ...new Set(
      s
        .split(',')
        .map((x) => x.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}

export function ProductEditor() {
  const { id } = useParams();
  const product = useQuery({
    queryKey: ['product', id],
    queryFn: () => api.get<Product>('/api/v1/product/' + id),
    enabled: !!id,
  });
  if (id && product.isPending) return <Loading />;
  if (id && product.isError) return <ErrorBox error={product.error} />;
  return <Editor key={product.data?.id ?? 'new'} product={product.data} />;
}

function Editor({ product }: { product?: Product }) {
  const [d, setD] = useState<Draft>(() => draftOf(product));
  const [localErr, setLocalErr] = useState<Record<string, string>>({});
  const cats = useCategories();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const idem = useRef(newIdempotencyKey());
  const opts = names(d.optionNames);

  const save = useMutation({
    mutationFn: (body: NewProduct) =>
      product ? api.put<Product>('/api/v1/product/' + product.id, body) : api.post<Product>('/api/v1/product', body, { idempotencyKey: idem.current }),
    onSuccess: (p) => {
      qc.setQueryData(['product', p.id], p);
      void qc.invalidateQueries({ queryKey: ['seller-products'] });
      toast(product ? 'Product saved.' : 'Product created. Add images and stock below.');
      if (!product) navigate('/seller/products/' + p.id, { replace: true });
      else setD(draftOf(p));
    },
    onError: () => {
      idem.current = newIdempotencyKey();
    },
  });

  const submit = () => {
    const errs: Record<string, string> = {};
    const variants = d.variants.map((r, i) => {
      const amount = parseAmount(r.price, d.currency);
      if (amount === null) errs[`variants[${i}].price`] = 'Enter a price such as 19.99';
      const options: Record<string, string> = {};
      for (const n of opts) if (r.options[n]?.trim()) options[n] = r.options[n].trim();
      return { sku: r.sku.trim(), options, price: { amount: amount ?? 0, currency: d.currency } };
    });
    setLocalErr(errs);
    if (Object.keys(errs).length) return;
    const attributes: Record<string, string> = {};
    for (const a of d.attributes) if (a.name.trim()) attributes[a.name.trim()] = a.value.trim();
    save.mutate({
      title: d.title.trim(),
      brand: d.brand.trim(),
      category_id: d.category_id,
      description: d.description.trim(),
      status: d.status,
      attributes,
      variants,
    });
  };

  const err = (f: string) => localErr[f] ?? fieldError(save.error, f);
  const shown = useMemo(() => {
    const s = ['title', 'brand', 'category_id', 'description', 'status'];
    d.variants.forEach((_, i) => s.push(`variants[${i}].sku`, `variants[${i}].price`, `variants[${i}].price.amount`, `variants[${i}].options`, `variants[${i}]`));
    return s;
  }, [d.variants]);
  const setRow = (i: number, r: Partial<Row>) => setD({ ...d, variants: d.variants.map((x, j) => (j === i ? { ...x, ...r } : x)) });

  return (
    <div>
      <div className="title-row">
        <h1>{product ? 'Edit product' : 'New product'}</h1>
        {product && (
          <span className="row">
            <Badge status={product.status} />
            {product.status === 'active' && (
              <Link to={'/p/' + product.slug}>
                View in shop
              </Link>
            )}
          </span>
        )}
      </div>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
        noValidate
      >
        <section className="panel">
          <h2>Details</h2>
          <ErrorBox error={save.error} fields={shown} />
          <div className="form-grid">
            <Field label="Title" className="span-2" value={d.title} onChange={(e) => setD({ ...d, title: e.target.value })} error={err('title')} required maxLength={200} />
            <Field label="Brand" value={d.brand} onChange={(e) => setD({ ...d, brand: e.target.value })} error={err('brand')} />
            <SelectField label="Category" value={d.category_id} onChange={(e) => setD({ ...d, category_id: e.target.value })} error={err('category_id')} required>
              <option value="">Choose a category</option>
              {cats.data?.map((c) => (
                <option key={c.id} value={c.id}>
                  {'\u00a0\u00a0'.repeat(c.depth) + c.name}
                </option>
              ))}
            </SelectField>
            <SelectField label="Status" value={d.status} onChange={(e) => setD({ ...d, status: e.target.value as ProductStatus })} error={err('status')}>
              <option value="draft">Draft — not shown to shoppers</option>
              <option value="active">Active — for sale</option>
              <option value="archived">Archived — withdrawn</option>
            </SelectField>
            <TextArea label="Description" className="span-2" value={d.description} onChange={(e) => setD({ ...d, description: e.target.value })} error={err('description')} />
          </div>
        </section>

        <section className="panel">
          <h2>Specifications</h2>
          {d.attributes.length === 0 && <p className="muted small">Facts shoppers filter and compare by, such as material or pages.</p>}
          {d.attributes.map((a, i) => (
            <div className="row" key={a.key}>
              <Field label="Name" value={a.name} onChange={(e) => setD({ ...d, attributes: d.attributes.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)) })} error={fieldError(save.error, 'attributes.' + a.name)} />
              <Field label="Value" value={a.value} onChange={(e) => setD({ ...d, attributes: d.attributes.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)) })} />
              <button type="button" className="link" onClick={() => setD({ ...d, attributes: d.attributes.filter((_, j) => j !== i) })}>
                Remove<span className="sr-only"> specification {a.name}</span>
              </button>
            </div>
          ))}
          <button type="button" className="btn ghost small" onClick={() => setD({ ...d, attributes: [...d.attributes, { key: key(), name: '', value: '' }] })}>
            Add specification
          </button>
        </section>

        <section className="panel">
          <h2>Variants</h2>
          <Field
            label="Options"
            value={d.optionNames}
            onChange={(e) => setD({ ...d, optionNames: e.target.value })}
            hint="What shoppers choose between, separated by commas: size, color. Leave empty for a single variant."
          />
          <div className="table-wrap">
            <table className="data">
              <caption className="sr-only">Variants</caption>
              <thead>
                <tr>
                  <th scope="col">SKU</th>
                  {opts.map((n) => (
                    <th scope="col" key={n}>
                      {humanize(n)}
                    </th>
                  ))}
                  <th scope="col">Price ({d.currency})</th>
                  <th scope="col">
                    <span className="sr-only">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.variants.map((r, i) => (
                  <tr key={r.key}>
                    <td>
                      <input aria-label={`SKU of variant ${i + 1}`} value={r.sku} onChange={(e) => setRow(i, { sku: e.target.value })} aria-invalid={err(`variants[${i}].sku`) ? true : undefined} />
                      {err(`variants[${i}].sku`) && <p className="field-error">{err(`variants[${i}].sku`)}</p>}
                      {err(`variants[${i}].options`) && <p className="field-error">Options {err(`variants[${i}].options`)}</p>}
                      {err(`variants[${i}]`) && <p className="field-error">{err(`variants[${i}]`)}</p>}
                    </td>
                    {opts.map((n) => (
                      <td key={n}>
                        <input aria-label={`${humanize(n)} of variant ${i + 1}`} value={r.options[n] ?? ''} onChange={(e) => setRow(i, { options: { ...r.options, [n]: e.target.value } })} />
                      </td>
                    ))}
                    <td>
                      <input
                        aria-label={`Price of variant ${i + 1}`}
                        inputMode="decimal"
                        value={r.price}
                        onChange={(e) => setRow(i, { price: e.target.value })}
                        aria-invalid={err(`variants[${i}].price`) || err(`variants[${i}].price.amount`) ? true : undefined}
                      />
                      {(err(`variants[${i}].price`) || err(`variants[${i}].price.amount`)) && <p className="field-error">{err(`variants[${i}].price`) ?? err(`variants[${i}].price.amount`)}</p>}
                    </td>
                    <td>
                      {d.variants.length > 1 && (
                        <button type="button" className="link" onClick={() => setD({ ...d, variants: d.variants.filter((_, j) => j !== i) })}>
                          Remove<span className="sr-only"> variant {i + 1}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <button type="button" className="btn ghost small" onClick={() => setD({ ...d, variants: [...d.variants, { key: key(), sku: '', options: {}, price: d.variants.at(-1)?.price ?? '' }] })}>
            Add variant
          </button>
        </section>
        <div className="row">
          <button className="btn primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : product ? 'Save changes' : 'Create product'}
          </button>
          <Link to="/seller" className="btn ghost">
            Back to products
          </Link>
        </div>
      </form>
      {product && <Images product={product} />}
      {product && <StockTable product={product} />}
    </div>
  );
}

function Images({ product }: { product: Product }) {
  const qc = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: ['product', product.id] });
  const upload = useMutation({
    mutationFn: async (files: File[]) => {
      for (const f of files) await api.post('/api/v1/product/' + product.id + '/image', undefined, { raw: f });
    },
    onSettled: () => {
      if (input.current) input.current.value = '';
      return refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (imageId: string) => api.del('/api/v1/product/' + product.id + '/image/' + imageId),
    onSettled: refresh,
  });
  return (
    <section className="panel" aria-labelledby="images-title">
      <h2 id="images-title">Images</h2>
      {product.images.length === 0 && <p className="muted small">No images yet. The first image is the one shown in the shop.</p>}
      <ul className="image-list">
        {product.images.map((img, i) => (
          <li key={img.id}>
            <img src={img.url} alt={`Image ${i + 1} of ${product.title}`} />
            <button type="button" className="link small" onClick={() => remove.mutate(img.id)} disabled={remove.isPending}>
              Delete<span className="sr-only"> image {i + 1}</span>
            </button>
          </li>
        ))}
      </ul>
      <ErrorBox error={upload.error ?? remove.error} />
      <div className="field">
        <label htmlFor="image-upload">Add images (PNG, JPEG, GIF or WebP, up to 5 MB each)</label>
        <input
          id="image-upload"
          ref={input}
          type="file"
          accept="image/png,image/jpeg,image/gif,image/webp"
          multiple
          disabled={upload.isPending}
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            if (files.length) upload.mutate(files);
          }}
        />
      </div>
      {upload.isPending && <Loading label="Uploading…" />}
    </section>
  );
}

function StockTable({ product }: { product: Product }) {
  return (
    <section className="panel" aria-labelledby="stock-title">
      <h2 id="stock-title">Stock</h2>
      <p className="muted small">Units on hand in your default warehouse. Reserved units belong to orders awaiting payment or shipping.</p>
      <div className="table-wrap">
        <table className="data">
          <caption className="sr-only">Stock per SKU</caption>
          <thead>
            <tr>
              <th scope="col">SKU</th>
              <th scope="col">Variant</th>
              <th scope="col" className="num">
                Reserved
              </th>
              <th scope="col" className="num">
                Available
              </th>
              <th scope="col">On hand</th>
            </tr>
          </thead>
          <tbody>
            {product.variants.map((v) => (
              <StockRow key={v.sku} sku={v.sku} label={Object.values(v.options).join(' / ') || '—'} productId={product.id} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function StockRow({ sku, label, productId }: { sku: string; label: string; productId: string }) {
  const qc = useQueryClient();
  const toast = useToast();
  const stock = useQuery({
    queryKey: ['stock', sku],
    queryFn: () => api.get<Stock>('/api/v1/inventory/' + encodeURIComponent(sku)),
    retry: (n, e) => n < 1 && !(isApiError(e) && e.status < 500),
  });
  const [value, setValue] = useState('');
  useEffect(() => {
    if (stock.data) setValue(String(stock.data.on_hand));
  }, [stock.data]);
  const save = useMutation({
    mutationFn: () => api.put<Stock>('/api/v1/inventory/' + encodeURIComponent(sku), { on_hand: Number(value) }),
    onSuccess: (s) => {
      qc.setQueryData(['stock', sku], s);
      void qc.invalidateQueries({ queryKey: ['product', productId] });
      void qc.invalidateQueries({ queryKey: ['seller-products'] });
      toast(`Stock of ${sku} set to ${s.on_hand}.`);
    },
  });
  const missing = isApiError(stock.error) && stock.error.status === 404;
  const id = 'stock-' + sku;
  const invalid = !/^\d+$/.test(value);
  return (
    <tr data-testid="stock-row">
      <td>
        <code>{sku}</code>
      </td>
      <td>{label}</td>
      <td className="num">{stock.data?.reserved ?? (missing ? 0 : '…')}</td>
      <td className="num" data-testid="stock-available">
        {stock.data?.available ?? (missing ? 0 : '…')}
      </td>
      <td>
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            if (!invalid) save.mutate();
          }}
        >
          <label htmlFor={id} className="sr-only">
            Units of {sku} on hand
          </label>
          <input id={id} type="number" min={0} step={1} value={value} onChange={(e) => setValue(e.target.value)} style={{ width: '7rem' }} aria-invalid={fieldError(save.error, 'on_hand') ? true : undefined} />
          <button className="btn secondary small" disabled={save.isPending || invalid}>
            Set<span className="sr-only"> stock of {sku}</span>
          </button>
        </form>
        {(fieldError(save.error, 'on_hand') || (save.error && !fieldError(save.error, 'on_hand'))) && <ErrorBox error={save.error} fields={[]} />}
        {stock.isError && !missing && <ErrorBox error={stock.error} />}
      </td>
    </tr>
  );
}
