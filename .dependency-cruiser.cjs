/**
 * Layer rules, checked by `npm test` (`npm run lint:deps`). The layout: shared/kernel (ports,
 * events, config, the module type; adapters/ for Azure), shared/edge (HTTP, consumer and timer
 * plumbing), one folder per capability under shared/ with its domain files at the top, its
 * Azure adapters in adapters/, its routes in http.ts, its declaration in module.ts and its public
 * entry in index.ts; shared/platform.ts composes them.
 */
const CAPABILITIES =
  '(tenancy|customers|transactions|loyalty|coupons|gift-cards|receipts|stock|catalogue|analytics|segments|recommendations|offers|webhooks|shopify|wallet)';
/** A capability's domain: its own files, apart from adapters, routes, declaration and tests. */
const DOMAIN = `^shared/${CAPABILITIES}/(?!adapters/|http\\.ts$|module\\.ts$)[^/]+\\.ts$`;
const KERNEL_DOMAIN = '^shared/kernel/(?!adapters/|module\\.ts$)[^/]+\\.ts$';

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Import cycles make build order and reasoning fragile.', from: {}, to: { circular: true } },
    {
      name: 'domain-free-of-azure',
      severity: 'error',
      comment: 'Use cases and models are plain TypeScript: no Azure SDK, no adapters, no edge, no composition root, no local host.',
      from: { path: [DOMAIN, KERNEL_DOMAIN], pathNot: '\\.test\\.ts$' },
      to: { path: ['^node_modules/@azure/', '/adapters/', '^shared/edge/', '^shared/platform\\.ts$', '^shared/modules\\.ts$', '^local/', '^functions/'] },
    },
    {
      name: 'only-public-entries-of-other-capabilities',
      severity: 'error',
      comment: 'Another capability is reached through its index.ts (its model and use cases) or, from module declarations, its module.ts; never its internals.',
      from: { path: `^shared/(${CAPABILITIES.slice(1, -1)}|kernel|edge)/` },
      to: { path: `^shared/${CAPABILITIES}/`, pathNot: ['^shared/$1/', `^shared/${CAPABILITIES}/(index|module)\\.ts$`] },
    },
    {
      name: 'modules-only-from-declarations',
      severity: 'error',
      comment: "A capability's module.ts is for other modules' `needs` and for the module list, not for domain code.",
      from: { pathNot: ['/module\\.ts$', '^shared/modules\\.ts$', '^local/', '^bench/', '^tests/', '\\.test\\.ts$'] },
      to: { path: `^shared/${CAPABILITIES}/module\\.ts$` },
    },
    {
      name: 'kernel-knows-no-capability',
      severity: 'error',
      comment: 'The kernel is what capabilities build on; it names none of them.',
      from: { path: '^shared/kernel/' },
      to: { path: `^shared/${CAPABILITIES}/` },
    },
    {
      name: 'handlers-use-use-cases',
      severity: 'error',
      comment: 'Routes and the edge talk to use cases only: no SDK clients, no adapters.',
      from: { path: ['^shared/[^/]+/http\\.ts$', '^shared/edge/', '^functions/'] },
      to: { path: ['^node_modules/@azure/(cosmos|service-bus|storage-blob|identity)/', '/adapters/'] },
    },
    {
      name: 'adapters-only-from-composition',
      severity: 'error',
      comment: 'Adapters are built in module declarations and the composition root only.',
      from: { pathNot: ['/module\\.ts$', '^shared/platform\\.ts$', '/adapters/', '^local/', '^bench/', '^tests/', '\\.test\\.ts$'] },
      to: { path: '/adapters/' },
    },
    {
      name: 'no-tests-in-product',
      severity: 'error',
      from: { pathNot: ['^tests/', '\\.test\\.ts$'] },
      to: { path: ['^tests/', '\\.test\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
