import { z } from 'zod';
import type { Audience, CustomerParticipant } from '../customers';
import { DataRequestSchema, type WalletService } from './wallet';
import type { WalletTokens } from './tokens';

const WalletSection = z.object({ walletRequests: z.array(DataRequestSchema).describe('Requests for a copy of her data or for erasure made in her wallet') });
type WalletSection = z.output<typeof WalletSection>;

/**
 * The wallet's part of merges and erasure. A merge revokes the merged id's links: they then open
 * nothing (the page says the link is no longer valid) rather than the survivor's wallet, because a
 * link sent to one address must not show what the other record brought. Erasure revokes every link
 * and settles her open requests.
 */
export class WalletParticipant implements CustomerParticipant {
  readonly name = 'wallet';
  readonly viewSchema = WalletSection;
  readonly exportSchema = WalletSection;
  constructor(
    private readonly wallet: WalletService,
    private readonly tokens: WalletTokens,
  ) {}

  async move(tenantId: string, fromId: string, _intoId: string): Promise<number> {
    await this.tokens.revoke(tenantId, fromId);
    return 0;
  }

  async view(tenantId: string, customerId: string, _audience: Audience): Promise<WalletSection> {
    return { walletRequests: await this.wallet.listRequests(tenantId, customerId) };
  }

  export(tenantId: string, customerId: string): Promise<WalletSection> {
    return this.view(tenantId, customerId, 'full');
  }

  async erase(tenantId: string, customerId: string): Promise<void> {
    await this.tokens.revoke(tenantId, customerId);
    await this.wallet.completeRequests(tenantId, customerId);
  }
}
