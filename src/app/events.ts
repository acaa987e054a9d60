// Typed events between the daemon's features (callers, delivery, agents): a feature announces what
// happened, others react, and nobody passes callbacks or itself around.
export type AppEvent =
  /** Something that can change a dispatch decision: a caller joined or left, a slot came back, an
   *  agent became free, the sysadmin changed the configuration. */
  | { type: 'dispatch-needed'; reason: string }
  /** A live caller's call is over (hung up, overflowed, turned into a callback, answered elsewhere). */
  | { type: 'caller-ended'; entryId: string; channelId: string }
  /** A store transition changed this agent (wrap-up started, became available, …). */
  | { type: 'agent-changed'; agentId: string }
  /** Don't offer this entry to this agent again for a while (declined, or rejected at once). */
  | { type: 'cooldown'; entryId: string; agentId: string; seconds: number }
  /** Don't offer this entry to anybody for a while (its dial failed on our side: an immediate retry
   *  would fail the same way and ring agent after agent for nothing). */
  | { type: 'entry-hold'; entryId: string; seconds: number }
  /** Don't offer anything to this agent for a while (the phone rejected a call at once). */
  | { type: 'agent-pause'; agentId: string; seconds: number };

type Listener<T extends AppEvent['type']> = (event: Extract<AppEvent, { type: T }>) => void;

export class AppEvents {
  private readonly listeners = new Map<AppEvent['type'], Set<(event: AppEvent) => void>>();

  constructor(private readonly onError: (err: unknown, event: AppEvent) => void) {}

  on<T extends AppEvent['type']>(type: T, listener: Listener<T>): () => void {
    const set = this.listeners.get(type) ?? new Set();
    this.listeners.set(type, set);
    const wrapped = listener as (event: AppEvent) => void;
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  /** Delivers synchronously to every listener; one listener's failure does not stop the others. */
  emit(event: AppEvent): void {
    for (const listener of [...(this.listeners.get(event.type) ?? [])]) {
      try {
        listener(event);
      } catch (err) {
        this.onError(err, event);
      }
    }
  }
}
