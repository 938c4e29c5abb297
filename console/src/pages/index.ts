import type { JSX } from 'preact';
import type { Key } from '../i18n';
import type { Session } from '../session';
import { Campaigns } from './campaigns';
import { Catalogue, CatalogueProduct } from './catalogue';
import { Customer360 } from './customer-360';
import { CustomerSearch } from './customers';
import { Dashboard } from './dashboard';
import { GiftCards } from './gift-cards';
import { Receipts } from './receipts';
import { RuleDetail, Rules } from './rules';
import { SegmentDetail, Segments } from './segments';
import { Stock } from './stock';

/**
 * The console's pages, in navigation order. A capability that lands adds its page here: one
 * component in this folder, one entry, its texts in i18n.ts. `roles` only hides the link from roles
 * the API would refuse anyway (the routes' own lists); the API decides.
 */
export interface Page {
  /** Route pattern after `#`, with `:name` parameters. */
  path: string;
  /** Navigation label; pages without one (a customer's 360 view) are reached from another page. */
  nav?: Key;
  roles?: Array<Session['role']>;
  view: (props: { params: Record<string, string> }) => JSX.Element;
}

export const PAGES: Page[] = [
  { path: '/customers', nav: 'customers', view: CustomerSearch },
  { path: '/customers/:id', view: Customer360 },
  { path: '/segments', nav: 'segments', roles: ['admin', 'marketing'], view: Segments },
  { path: '/segments/:id', view: SegmentDetail },
  { path: '/campaigns', nav: 'campaigns', roles: ['admin', 'marketing', 'store', 'support'], view: Campaigns },
  { path: '/rules', nav: 'rules', roles: ['admin', 'marketing'], view: Rules },
  { path: '/rules/:id', view: RuleDetail },
  { path: '/gift-cards', nav: 'giftCards', roles: ['pos', 'ecommerce', 'admin', 'store', 'support'], view: GiftCards },
  { path: '/stock', nav: 'stock', roles: ['pos', 'ecommerce', 'admin', 'store', 'support'], view: Stock },
  { path: '/receipts', nav: 'receipts', roles: ['admin', 'store', 'support'], view: Receipts },
  { path: '/analytics', nav: 'analytics', roles: ['admin', 'marketing', 'store'], view: Dashboard },
  { path: '/catalogue', nav: 'catalogue', roles: ['admin', 'marketing', 'store', 'support'], view: Catalogue },
  { path: '/catalogue/products/:id', view: CatalogueProduct },
];
