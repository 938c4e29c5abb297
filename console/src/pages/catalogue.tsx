import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { FamilyNode, ParityReport, ProductView, ResolvedPrice } from '../../../shared/catalogue';
import { api, ApiProblem } from '../api';
import { dateTime, money, number, t, zonedToIso, type Locale } from '../i18n';
import { session } from '../session';
import { Field, Form, Problem, Section, Select, Table, useLoad } from '../ui';

interface Summary {
  productId: string;
  name: string;
  brand: string | null;
  families: string[];
  status: 'active' | 'discontinued';
  matchedSkus?: string[];
}

const productLink = (p: { productId: string; name: string }) => (
  <a href={`#/catalogue/products/${encodeURIComponent(p.productId)}`} data-product={p.productId}>
    {p.name}
  </a>
);

/** Each family's name and parent, from the trees. */
type Families = Map<string, { name: string; parentId: string | null }>;
function familyIndex(roots: FamilyNode[] | undefined): Families {
  const index: Families = new Map();
  const walk = (nodes: FamilyNode[], parentId: string | null) =>
    nodes.forEach((f) => (index.set(f.familyId, { name: f.name, parentId }), walk(f.children, f.familyId)));
  walk(roots ?? [], null);
  return index;
}

/** The leaf families a product is placed in, each as its path of names (Mujer › Calzado › Botas); ids while the trees are not known. */
function placed(families: string[], index: Families): string {
  const path = (id: string): string[] => {
    const f = index.get(id);
    return f ? [...(f.parentId ? path(f.parentId) : []), f.name] : [id];
  };
  return families.map((id) => path(id).join(' › ')).join('; ');
}

function Products(props: { caption: string; items: Summary[]; families: Families }) {
  return (
    <Table
      caption={props.caption}
      head={[t('product'), t('productId'), t('brand'), t('familiesLabel'), t('status'), t('matchedSkus')]}
      rows={props.items.map((p) => [
        productLink(p),
        <code key="id">{p.productId}</code>,
        p.brand ?? '—',
        placed(p.families, props.families),
        t(p.status),
        (p.matchedSkus ?? []).join(', ') || '—',
      ])}
    />
  );
}

/** The family trees as nested lists; each family lists its products (and those below it) on click. */
function FamilyTree(props: { nodes: FamilyNode[]; onPick: (f: FamilyNode) => void }) {
  return (
    <ul class="tree">
      {props.nodes.map((f) => (
        <li key={f.familyId}>
          <button type="button" class="link" data-family={f.familyId} onClick={() => props.onPick(f)}>
            {f.name}
          </button>{' '}
          <code class="muted small">{f.familyId}</code>
          {f.children.length > 0 && <FamilyTree nodes={f.children} onPick={props.onPick} />}
        </li>
      ))}
    </ul>
  );
}

/** A resolved price, with the step of the precedence that decided each part of it. */
function PriceAnswer({ price, locale }: { price: ResolvedPrice; locale: Locale }) {
  const m = (minor: number) => money(minor, locale, price.currency);
  return (
    <div id="resolved-price">
      <p class="live-count">
        {t('pays')}: <strong data-amount={price.amount}>{m(price.amount)}</strong>
        {price.onSale && (
          <span class="muted">
            {' '}
            ({t('regularPrice')}: {m(price.regularAmount)})
          </span>
        )}
      </p>
      <ol class="precedence" aria-label={t('precedence')}>
        <li>{t('ruleList', { channel: t(price.channel), list: price.priceListId })}</li>
        <li data-source={price.source}>{price.source === 'location' ? t('ruleLocation', { location: price.locationId ?? '' }) : t('ruleListPrice')}</li>
        <li data-on-sale={price.onSale}>
          {price.onSale ? t('ruleSale', { regular: m(price.regularAmount), to: dateTime(price.saleEndsAt, locale) }) : t('ruleRegular')}
        </li>
      </ol>
      <p class="muted small">
        {t('pricedAt')}: {dateTime(price.at, locale)}
      </p>
    </div>
  );
}

/** The families, a search, the price of a SKU as resolved for a channel and location, and (admin) the parity report. */
export function Catalogue() {
  const me = session.value!;
  const locale = me.tenant;
  const families = useLoad(() => api<{ roots: FamilyNode[] }>('GET', 'v1/catalogue/families'), []);
  const [listed, setListed] = useState<{ caption: string; items: Summary[] }>();
  const [price, setPrice] = useState<ResolvedPrice>();
  const [parity, setParity] = useState<ParityReport>();
  return (
    <>
      <h1>{t('catalogue')}</h1>
      <div class="grid">
        <Section title={t('familiesLabel')} id="catalogue-families">
          <Problem error={families.error} />
          {families.loading && !families.value && <p role="status">{t('loading')}</p>}
          {families.value && (
            <FamilyTree
              nodes={families.value.roots}
              onPick={(f) =>
                void api<{ items: Summary[] }>('GET', `v1/catalogue/families/${encodeURIComponent(f.familyId)}/products?limit=50`).then(
                  (page) => setListed({ caption: t('productsIn', { family: f.name }), items: page.items }),
                  () => setListed({ caption: t('productsIn', { family: f.name }), items: [] }),
                )
              }
            />
          )}
        </Section>
        <Section title={t('searchProducts')} id="catalogue-search">
          <Form
            label={t('searchProducts')}
            submit={t('search')}
            class="form inline"
            onSubmit={async (data) => {
              const q = String(data.get('q') ?? '').trim();
              const found = await api<{ items: Summary[] }>('GET', `v1/catalogue/search?q=${encodeURIComponent(q)}&limit=50`);
              setListed({ caption: t('productsFound', { q }), items: found.items });
            }}
          >
            <Field label={t('searchProductsLabel')} name="q" required maxLength={200} autocomplete="off" />
          </Form>
        </Section>
      </div>
      {listed && (
        <Section title={listed.caption} id="catalogue-products">
          <Products caption={listed.caption} items={listed.items} families={familyIndex(families.value?.roots)} />
        </Section>
      )}
      <Section title={t('priceOfSku')} id="catalogue-price">
        <Form
          label={t('priceOfSku')}
          submit={t('resolvePrice')}
          class="form inline"
          onSubmit={async (data) => {
            setPrice(undefined);
            const query = new URLSearchParams({ locationId: String(data.get('locationId') ?? '').trim() });
            const channel = String(data.get('channel') ?? '');
            if (channel) query.set('channel', channel);
            const at = String(data.get('at') ?? '');
            if (at) query.set('at', zonedToIso(at, locale));
            setPrice(await api<ResolvedPrice>('GET', `v1/catalogue/prices/${encodeURIComponent(String(data.get('sku') ?? '').trim())}?${query}`));
          }}
        >
          <Field label={t('sku')} name="sku" required autocomplete="off" />
          <Field label={t('locationId')} name="locationId" required autocomplete="off" defaultValue={me.locationIds?.[0]} />
          <ChannelSelect />
          <Field label={t('atOptional')} name="at" type="datetime-local" />
        </Form>
        {price && <PriceAnswer price={price} locale={locale} />}
      </Section>
      {['admin', 'marketing', 'store'].includes(me.role) && (
        <Section title={t('parity')} id="catalogue-parity">
          <Form
            label={t('parity')}
            submit={t('showReport')}
            class="form inline"
            onSubmit={async (data) =>
              setParity(await api<ParityReport>('GET', `v1/catalogue/parity?country=${encodeURIComponent(String(data.get('country') ?? '').trim())}`))
            }
          >
            <Field label={t('country')} name="country" required pattern="[A-Z]{2}" maxLength={2} defaultValue={locale.country} />
          </Form>
          {parity && <Parity report={parity} locale={locale} />}
        </Section>
      )}
    </>
  );
}

/** A select whose empty choice is "the location's own channel", as the route's default. */
function ChannelSelect() {
  const [channel, setChannel] = useState('');
  return (
    <Select
      label={t('channel')}
      name="channel"
      value={channel}
      options={[
        ['', t('locationChannel')],
        ['store', t('store')],
        ['online', t('online')],
      ]}
      onChange={setChannel}
    />
  );
}

function Parity({ report, locale }: { report: ParityReport; locale: Locale }) {
  const m = (minor: number) => money(minor, locale);
  return (
    <div id="parity-report">
      <p class="muted">
        {t('parityLists', { store: report.storePriceListId ?? '—', online: report.onlinePriceListId ?? '—' })} · {dateTime(report.at, locale)}
      </p>
      <h3>{t('parityPrices')}</h3>
      <Table
        caption={t('parityPrices')}
        captionHidden
        head={[t('sku'), t('store'), t('online'), t('difference'), t('tolerance')]}
        numeric={[1, 2, 3, 4]}
        rows={report.prices.map((r) => [r.sku, m(r.store), m(r.online), m(r.difference), m(r.tolerance)])}
      />
      <h3>{t('parityAvailability')}</h3>
      <Table
        caption={t('parityAvailability')}
        captionHidden
        head={[t('sku'), t('store'), t('online')]}
        numeric={[1, 2]}
        rows={report.availability.map((r) => [r.sku, number(r.store, locale), number(r.online, locale)])}
      />
      <h3>{t('parityOneChannel')}</h3>
      <Table
        caption={t('parityOneChannel')}
        captionHidden
        head={[t('product'), t('pricedIn'), t('missingIn')]}
        rows={report.publishedInOneChannel.map((r) => [productLink(r), t(r.publishedIn), t(r.missingIn)])}
      />
    </div>
  );
}

/** A variant's price in one channel at the chosen location: the amount paid now, the regular one struck through while on sale. */
function PriceCell({ price, locale }: { price: ResolvedPrice | null; locale: Locale }) {
  if (!price) return <span class="muted">{t('noPrice')}</span>;
  const m = (minor: number) => money(minor, locale, price.currency);
  return (
    <span data-price={price.amount} data-list={price.priceListId}>
      <strong>{m(price.amount)}</strong>
      {price.onSale && (
        <>
          {' '}
          <s>{m(price.regularAmount)}</s>
        </>
      )}
      <br />
      <span class="muted small">
        {price.priceListId}
        {price.source === 'location' ? ` · ${t('locationOverride')}` : ''}
      </span>
    </span>
  );
}

/** A product: its families, attributes, variants with their price in each channel at a location, and relations. */
export function CatalogueProduct({ params }: { params: Record<string, string> }) {
  const me = session.value!;
  const locale = me.tenant;
  const path = `v1/catalogue/products/${encodeURIComponent(params.id!)}`;
  const product = useLoad(() => api<ProductView>('GET', path), [path]);
  const families = useLoad(() => api<{ roots: FamilyNode[] }>('GET', 'v1/catalogue/families'), []);
  const [location, setLocation] = useState(me.locationIds?.[0] ?? '');
  const skus = product.value?.variants.map((v) => v.sku) ?? [];
  // Each variant in both channels at the location: a channel without a list or a SKU without an entry has no price (404), not an error.
  const prices = useLoad(async () => {
    if (!location || skus.length === 0) return undefined;
    const one = (sku: string, channel: 'store' | 'online') =>
      api<ResolvedPrice>('GET', `v1/catalogue/prices/${encodeURIComponent(sku)}?${new URLSearchParams({ locationId: location, channel })}`).catch(
        (e: unknown) => {
          if (e instanceof ApiProblem && e.status === 404) return null;
          throw e;
        },
      );
    const rows = await Promise.all(skus.map(async (sku) => [sku, { store: await one(sku, 'store'), online: await one(sku, 'online') }] as const));
    return new Map(rows);
  }, [location, skus.join()]);
  if (product.error) return <Problem error={product.error} />;
  const p = product.value;
  if (!p) return <p role="status">{t('loading')}</p>;
  const attributes = Object.entries(p.attributes);
  return (
    <>
      <h1>{p.name}</h1>
      {p.description && <p>{p.description}</p>}
      <Section title={t('product')} id="product-facts">
        <dl class="pairs">
          <dt>{t('productId')}</dt>
          <dd>
            <code>{p.productId}</code>
          </dd>
          <dt>{t('brand')}</dt>
          <dd>{p.brand ?? '—'}</dd>
          <dt>{t('status')}</dt>
          <dd>{t(p.status)}</dd>
          <dt>{t('familiesLabel')}</dt>
          <dd>{placed(p.families, familyIndex(families.value?.roots))}</dd>
          <dt>{t('updated')}</dt>
          <dd>{dateTime(p.updatedAt, locale)}</dd>
        </dl>
        <Table
          caption={t('attributes')}
          head={[t('code'), t('value')]}
          rows={attributes.map(([code, value]) => [<code key="c">{code}</code>, typeof value === 'boolean' ? t(value ? 'yes' : 'no') : String(value)])}
        />
      </Section>
      <Section title={t('variants')} id="product-variants">
        <form
          class="form inline"
          aria-label={t('pricesAt')}
          onSubmit={(e) => {
            e.preventDefault();
            setLocation(String(new FormData(e.currentTarget).get('location') ?? '').trim());
          }}
        >
          <Field label={t('locationId')} name="location" defaultValue={location} autocomplete="off" required />
          <button type="submit">{t('pricesAt')}</button>
        </form>
        <Problem error={prices.error} />
        <Table
          caption={location ? t('variantsAt', { location }) : t('variants')}
          head={[t('sku'), t('options'), t('gtin'), t('status'), t('store'), t('online')]}
          rows={p.variants.map((v) => {
            const price = prices.value?.get(v.sku);
            return [
              <code key="s">{v.sku}</code>,
              Object.entries(v.options)
                .map(([k, o]) => `${k}: ${o}`)
                .join(', '),
              v.gtin ?? '—',
              t(v.status),
              price ? <PriceCell key="st" price={price.store} locale={locale} /> : '—',
              price ? <PriceCell key="on" price={price.online} locale={locale} /> : '—',
            ];
          })}
        />
      </Section>
      {p.relations.length > 0 && (
        <Section title={t('relations')} id="product-relations">
          <Table
            caption={t('relations')}
            captionHidden
            head={[t('type'), t('products')]}
            rows={p.relations.map((r) => [
              r.type,
              <span key="r">
                {r.related.map((id, i) => (
                  <Fragment key={id}>
                    {i > 0 && ', '}
                    {productLink({ productId: id, name: id })}
                  </Fragment>
                ))}
              </span>,
            ])}
          />
        </Section>
      )}
    </>
  );
}
