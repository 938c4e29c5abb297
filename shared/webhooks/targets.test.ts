import { addressRefusal, parseTarget, targetRefusal } from './targets';

describe('webhook targets', () => {
  it.each([
    ['10.1.2.3', 'private'],
    ['172.16.0.9', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['168.63.129.16', 'metadata'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['::1', 'loopback'],
    ['fd00::1', 'uniqueLocal'],
    ['fe80::1', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
  ])('refuses %s in Azure (%s)', (address, kind) => {
    expect(addressRefusal(address, 'azure')).toContain(kind);
  });

  it('accepts public addresses, and loopback only locally', () => {
    expect(addressRefusal('20.50.2.1', 'azure')).toBeUndefined();
    expect(addressRefusal('2a01:111:f100::1', 'azure')).toBeUndefined();
    expect(addressRefusal('127.0.0.1', 'local')).toBeUndefined();
    expect(addressRefusal('10.0.0.1', 'local')).toContain('private');
  });

  it('wants https, except to loopback locally; no credentials in the URL', () => {
    expect(parseTarget('http://hooks.example.com/x', 'azure')).toEqual({ refusal: 'must use https' });
    expect(parseTarget('http://hooks.example.com/x', 'local')).toHaveProperty('refusal');
    expect(parseTarget('http://127.0.0.1:8080/x', 'local')).toHaveProperty('url');
    expect(parseTarget('http://localhost:8080/x', 'azure')).toHaveProperty('refusal');
    expect(parseTarget('https://user:pw@hooks.example.com/', 'azure')).toEqual({ refusal: 'may not carry credentials' });
    expect(parseTarget('ftp://hooks.example.com/', 'azure')).toEqual({ refusal: 'must use https' });
  });

  it('refuses a hostname when any address it resolves to is forbidden', async () => {
    const resolve = async (host: string) => (host === 'sneaky.example.com' ? ['20.50.2.1', '10.0.0.7'] : ['20.50.2.1']);
    expect(await targetRefusal('https://sneaky.example.com/hook', 'azure', resolve)).toMatch(/resolves to a forbidden address: .*private/);
    expect(await targetRefusal('https://fine.example.com/hook', 'azure', resolve)).toBeUndefined();
    expect(await targetRefusal('https://gone.example.com/hook', 'azure', async () => [])).toMatch(/does not resolve/);
  });
});
