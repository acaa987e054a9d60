// The bridge of one conversation (agent + customer, or agent + live caller), shared by callback and live
// delivery: the connection is recorded before the bridge is made (connection-record.ts says why and what
// happens when that record fails), a restart re-joins the known bridge, and the end takes it down.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../log';
import { isChannelGone, type Telephony } from '../telephony';
import { recordConnection } from './connection-record';

export class ConversationBridge {
  /** The connection record that failed at the bridge, written again at the end. */
  private unrecorded: (() => Promise<void>) | undefined;

  /** `id`: the bridge a re-adopted conversation was recorded with, if any. */
  constructor(
    private readonly telephony: Pick<Telephony, 'listBridges' | 'createBridge' | 'addToBridge' | 'destroyBridge'>,
    private readonly log: Logger,
    private id: string | undefined,
  ) {}

  /** Records the connection under the id of the bridge about to be made, then bridges both legs. */
  async connect(record: (bridgeId: string) => Promise<void>, legs: [string, string]): Promise<void> {
    const bridgeId = this.id ?? randomUUID();
    this.unrecorded = await recordConnection(() => record(bridgeId), this.log);
    await this.join(bridgeId, legs, false);
  }

  /** After a restart: both legs into the known bridge if the PBX still has it (a new one would leave the
   *  old one behind, empty), else into a new one. */
  async rejoin(legs: [string, string]): Promise<void> {
    const bridgeId = this.id ?? randomUUID();
    const exists = this.id !== undefined && (await this.telephony.listBridges()).some((b) => b.id === bridgeId);
    await this.join(bridgeId, legs, exists);
  }

  private async join(bridgeId: string, legs: [string, string], exists: boolean): Promise<void> {
    if (!exists) await this.telephony.createBridge(bridgeId);
    this.id = bridgeId;
    await this.telephony.addToBridge(bridgeId, legs);
  }

  /** Takes the bridge down and writes a connection record that failed at the bridge. A bridge that is
   *  already gone is fine; any other failure is logged and must not keep the end from being recorded. */
  async end(): Promise<void> {
    if (this.id) {
      await this.telephony.destroyBridge(this.id).catch((err: unknown) => {
        if (!isChannelGone(err)) this.log.warn('could not destroy bridge', { error: (err as Error).message });
      });
    }
    const unrecorded = this.unrecorded;
    this.unrecorded = undefined;
    await unrecorded?.();
  }
}
