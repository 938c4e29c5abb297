import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withWalletRoute } from './build-web';

describe('the wallet on the static web app', () => {
  it('comes before the console’s signed-in routes, open to anyone, with its own policy, outside the console’s fallback', () => {
    const consoleSite = JSON.parse(readFileSync(join(__dirname, '..', 'console', 'staticwebapp.config.json'), 'utf8'));
    const site = withWalletRoute(consoleSite, 'https://func-x.azurewebsites.net');
    expect(site.routes![0]).toMatchObject({ route: '/wallet/*', allowedRoles: ['anonymous'] });
    expect((site.routes![0]!.headers as Record<string, string>)['content-security-policy']).toContain("connect-src 'self' https://func-x.azurewebsites.net;");
    expect(site.routes!.slice(1)).toEqual(consoleSite.routes);
    expect(site.navigationFallback!.exclude).toContain('/wallet/*');
    // Built twice, the route is there once.
    expect(withWalletRoute(site).routes!.filter((r) => r.route === '/wallet/*')).toHaveLength(1);
  });
});
