// A Store that opens itself on the first call. The CLI hands commands a `store` at once, but opening
// PostgreSQL (connect + migrate) is asynchronous; every port member is async anyway, so each call
// simply waits for the opening first. A command that never touches the store never opens it.
import type { Store, StoreChange } from '../app/ports';

type Group = Exclude<keyof Store, 'changes' | 'probeWrite' | 'close'>;
const GROUPS: readonly Group[] = [
  'directory',
  'callers',
  'delivery',
  'agents',
  'expiry',
  'tickets',
  'callbacks',
  'admin',
  'reports',
  'outbox',
];

export interface DeferredStore extends Store {
  /** Whether the opening was started (close() of a never-used store opens nothing). */
  readonly opened: boolean;
}

export function deferredStore(open: () => Promise<Store>): DeferredStore {
  let opening: Promise<Store> | undefined;
  const real = (): Promise<Store> => (opening ??= open());

  const group = <G extends Group>(name: G): Store[G] =>
    new Proxy({} as Store[G], {
      get:
        (_target, verb: string) =>
        async (...args: unknown[]) => {
          const store = await real();
          const fn = (store[name] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[verb];
          return fn(...args);
        },
    });

  const store = Object.fromEntries(GROUPS.map((g) => [g, group(g)])) as Pick<Store, Group>;
  return {
    ...store,
    get opened() {
      return opening !== undefined;
    },
    changes: {
      subscribe: (listener: (change: StoreChange) => void) => {
        let stop: (() => void) | undefined;
        let stopped = false;
        void real().then((s) => {
          if (!stopped) stop = s.changes.subscribe(listener);
        });
        return () => {
          stopped = true;
          stop?.();
        };
      },
    },
    probeWrite: async () => {
      try {
        return await (await real()).probeWrite();
      } catch (err) {
        return { ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
    },
    close: async () => {
      if (!opening) return;
      const s = await opening.catch(() => undefined);
      await s?.close();
    },
  };
}
