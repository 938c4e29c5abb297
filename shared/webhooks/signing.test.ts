import { hasValidSignature, newSigningSecret, sign, signatureHeader } from './signing';

// The Standard Webhooks specification's published test vector.
const vector = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks signatures', () => {
  it('signs the published test vector exactly', () => {
    expect(sign(vector.secret, vector.id, vector.timestamp, vector.body)).toBe(vector.signature);
  });

  it('verifies the test vector, and refuses it altered', () => {
    expect(hasValidSignature(vector.secret, vector.signature, vector.id, vector.timestamp, vector.body)).toBe(true);
    expect(hasValidSignature(vector.secret, vector.signature, vector.id, vector.timestamp, '{"test": 2432232315}')).toBe(false);
    expect(hasValidSignature(vector.secret, vector.signature, vector.id, vector.timestamp + 1, vector.body)).toBe(false);
    expect(hasValidSignature(newSigningSecret(), vector.signature, vector.id, vector.timestamp, vector.body)).toBe(false);
  });

  it('sends one signature per active secret, each verifiable on its own', () => {
    const other = newSigningSecret();
    const header = signatureHeader([vector.secret, other], vector.id, vector.timestamp, vector.body);
    expect(header.split(' ')).toHaveLength(2);
    expect(hasValidSignature(vector.secret, header, vector.id, vector.timestamp, vector.body)).toBe(true);
    expect(hasValidSignature(other, header, vector.id, vector.timestamp, vector.body)).toBe(true);
  });

  it('makes secrets of 32 random bytes with the whsec_ prefix', () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
  });
});
