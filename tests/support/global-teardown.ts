import type { EmbeddedStack } from '../../local/stack';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __UNIFICA_STACK__?: EmbeddedStack }).__UNIFICA_STACK__?.stop();
}
