// ARI event JSON → our TelephonyEvent. Reads the raw event only, never ari-client's resource objects.
import type { TelephonyEvent } from '../app/telephony';

interface RawChannel {
  id: string;
  name?: string;
  state?: string;
  caller?: { number?: string; name?: string };
  dialplan?: { exten?: string };
}

/** "PJSIP/1001-0000000a" → "PJSIP/1001" */
export function endpointOf(channelName: string | undefined): string | null {
  if (!channelName) return null;
  const m = /^([^/]+\/.+)-[0-9a-f]+$/i.exec(channelName);
  return m ? m[1] : null;
}

function targetChannel(targetUri: unknown): string | undefined {
  return typeof targetUri === 'string' && targetUri.startsWith('channel:') ? targetUri.slice(8) : undefined;
}

export function translateEvent(type: string, e: Record<string, unknown>): TelephonyEvent | undefined {
  const channel = e.channel as RawChannel | undefined;
  switch (type) {
    case 'StasisStart':
      if (!channel) return undefined;
      return {
        type: 'call-entered',
        channelId: channel.id,
        args: (e.args as string[] | undefined) ?? [],
        callerId: channel.caller?.number ?? '',
        callerName: channel.caller?.name ?? '',
        dialed: channel.dialplan?.exten ?? '',
        endpoint: endpointOf(channel.name),
        state: channel.state ?? '',
      };
    case 'StasisEnd':
      return channel ? { type: 'call-left', channelId: channel.id } : undefined;
    case 'ChannelHangupRequest':
      return channel ? { type: 'hangup', channelId: channel.id, cause: Number(e.cause ?? 0) } : undefined;
    case 'ChannelDtmfReceived':
      return channel ? { type: 'dtmf', channelId: channel.id, digit: String(e.digit), durationMs: Number(e.duration_ms ?? 0) } : undefined;
    case 'PlaybackStarted':
    case 'PlaybackFinished': {
      const pb = e.playback as { id: string; media_uri?: string; target_uri?: string; state?: string } | undefined;
      const channelId = targetChannel(pb?.target_uri);
      if (!pb || !channelId) return undefined;
      const base = { channelId, playbackId: pb.id, media: pb.media_uri ?? '' };
      return type === 'PlaybackStarted'
        ? { type: 'playback-started', ...base }
        : { type: 'playback-finished', ...base, failed: pb.state === 'failed' };
    }
    case 'ChannelDestroyed':
      return channel
        ? {
            type: 'channel-destroyed',
            channelId: channel.id,
            cause: Number(e.cause ?? 0),
            causeText: typeof e.cause_txt === 'string' ? e.cause_txt : '',
          }
        : undefined;
    case 'ChannelStateChange':
      return channel ? { type: 'channel-state', channelId: channel.id, state: channel.state ?? '' } : undefined;
    default:
      return undefined;
  }
}
