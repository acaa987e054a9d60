// Telephony over ARI REST. Every call has a deadline that aborts its request, because ari-client's
// requests never settle when Asterisk goes away, and every failure becomes a typed AriError.
import { randomUUID } from 'node:crypto';
import type { ChannelInfo, OriginateRequest, Telephony, TelephonyListener } from '../app/telephony';
import type { AriConnection } from './connection';
import { AriError, translateAriError } from './errors';
import { withAriDeadline } from './request-deadline';

export class AriTelephony implements Telephony {
  constructor(private readonly conn: AriConnection) {}

  on(listener: TelephonyListener): () => void {
    return this.conn.on(listener);
  }

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    const ms = this.conn.opts.requestTimeoutMs;
    try {
      // The deadline destroys the call's HTTP request rather than leaving it open on its socket.
      return await withAriDeadline(ms, run, () => new AriError('ARI_TIMEOUT', `${operation}: no answer from ARI within ${ms} ms`));
    } catch (err) {
      throw translateAriError(operation, err);
    }
  }

  answer(channelId: string): Promise<void> {
    return this.call('answer', () => this.conn.api.channels.answer({ channelId }));
  }

  hangup(channelId: string, reason: 'normal' | 'busy' | 'congestion' | 'no_answer' = 'normal'): Promise<void> {
    return this.call('hangup', () => this.conn.api.channels.hangup({ channelId, reason }));
  }

  async play(channelId: string, media: string[], playbackId: string = randomUUID()): Promise<string> {
    await this.call('play', () => this.conn.api.channels.play({ channelId, media, playbackId }));
    return playbackId;
  }

  stopPlayback(playbackId: string): Promise<void> {
    return this.call('stopPlayback', () => this.conn.api.playbacks.stop({ playbackId }));
  }

  startMoh(channelId: string, mohClass?: string): Promise<void> {
    return this.call('startMoh', () => this.conn.api.channels.startMoh(mohClass ? { channelId, mohClass } : { channelId }));
  }

  stopMoh(channelId: string): Promise<void> {
    return this.call('stopMoh', () => this.conn.api.channels.stopMoh({ channelId }));
  }

  sendDtmf(channelId: string, digits: string, durationMs = 120): Promise<void> {
    return this.call('sendDtmf', () => this.conn.api.channels.sendDTMF({ channelId, dtmf: digits, duration: durationMs, between: 120 }));
  }

  async originate(req: OriginateRequest): Promise<string> {
    const channelId = req.channelId ?? randomUUID();
    await this.call('originate', () =>
      this.conn.api.channels.originate({
        endpoint: req.endpoint,
        app: req.app,
        appArgs: (req.appArgs ?? []).join(','),
        callerId: req.callerId,
        timeout: req.timeoutSeconds ?? 30,
        channelId,
        variables: req.variables,
      }),
    );
    return channelId;
  }

  async listChannels(): Promise<ChannelInfo[]> {
    const channels = await this.call('listChannels', () => this.conn.api.channels.list());
    return channels.map((c) => ({
      id: c.id,
      state: c.state,
      callerId: c.caller?.number ?? '',
      dialed: c.dialplan?.exten ?? '',
    }));
  }

  continueInDialplan(channelId: string, context: string, extension: string, priority: number): Promise<void> {
    return this.call('continueInDialplan', () => this.conn.api.channels.continueInDialplan({ channelId, context, extension, priority }));
  }

  async createBridge(): Promise<string> {
    const bridgeId = randomUUID();
    await this.call('createBridge', () => this.conn.api.bridges.create({ type: 'mixing', bridgeId }));
    return bridgeId;
  }

  addToBridge(bridgeId: string, channelIds: string[]): Promise<void> {
    return this.call('addToBridge', () => this.conn.api.bridges.addChannel({ bridgeId, channel: channelIds }));
  }

  destroyBridge(bridgeId: string): Promise<void> {
    return this.call('destroyBridge', () => this.conn.api.bridges.destroy({ bridgeId }));
  }

  async endpointStates(): Promise<Array<{ endpoint: string; state: string }>> {
    const endpoints = await this.call('endpointStates', () => this.conn.api.endpoints.list());
    return endpoints.map((e) => ({ endpoint: `${e.technology}/${e.resource}`, state: e.state ?? 'unknown' }));
  }

  setVariable(channelId: string, variable: string, value: string): Promise<void> {
    return this.call('setVariable', () => this.conn.api.channels.setChannelVar({ channelId, variable, value }));
  }
}
