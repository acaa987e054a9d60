// Feature codes dialled from an agent's own phone (*45 log in, *46 log out, routed by the dialplan
// into Stasis(callbackd,agent-login|agent-logout)). The calling endpoint identifies the agent.
import { randomUUID } from 'node:crypto';
import { isChannelGone } from '../ari/errors';
import { callLogger, type Logger } from '../log';
import type { PromptId } from '../domain/prompts';
import type { AgentService } from './agent-service';
import type { CallSession } from './call-router';
import type { Store } from './ports';
import type { PromptMedia } from './prompt-media';
import type { CallEntered, Telephony, TelephonyEvent } from './telephony';

export class AgentFeatureSession implements CallSession {
  readonly channelId: string;
  private readonly playbackId = randomUUID();
  private readonly log: Logger;

  constructor(
    private readonly entered: CallEntered,
    private readonly deps: { telephony: Telephony; store: Store; agents: AgentService; media: PromptMedia; log: Logger },
  ) {
    this.channelId = entered.channelId;
    this.log = callLogger(deps.log, randomUUID(), this.channelId);
  }

  async handle(event: TelephonyEvent): Promise<void> {
    try {
      if (event.type === 'call-entered') await this.apply();
      else if (event.type === 'playback-finished' && event.playbackId === this.playbackId) await this.deps.telephony.hangup(this.channelId);
    } catch (err) {
      if (!isChannelGone(err)) this.log.error('agent feature code failed', { error: (err as Error).message });
    }
  }

  ended(): void {}

  private async apply(): Promise<void> {
    const { telephony, store, agents, media } = this.deps;
    const action = this.entered.args[0];
    const agent = this.entered.endpoint ? store.agents.byEndpoint(this.entered.endpoint) : undefined;
    let reply: PromptId;
    if (!agent) {
      this.log.warn('feature code from a phone that is not an agent', { endpoint: this.entered.endpoint, action });
      reply = 'agent-unknown';
    } else if (action === 'agent-login') {
      agents.login(agent);
      reply = 'agent-logged-in';
    } else {
      agents.logout(agent, 'feature code');
      reply = 'agent-logged-out';
    }
    await telephony.answer(this.channelId);
    await telephony.play(this.channelId, [media.shipped(reply, media.languageFor(undefined))], this.playbackId);
  }
}
