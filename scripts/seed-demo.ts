// Puts the sandbox's demo numbers into the database so a fresh `scripts/dev` answers real calls:
// queue "support", +4930123456 (English) and +4930123457 (German), both with callback on.
// Existing rows are left as the sysadmin set them.
import { loadConfig } from '../src/config/load';
import { openStore } from '../src/store/sqlite/sqlite-store';

const config = loadConfig();
const store = openStore(config.db.path);
try {
  if (!store.queues.get('support')) store.queues.upsert({ name: 'support', maxWaitSeconds: 1800, overflow: 'hangup', mohClass: 'default' });
  const base = {
    kind: 'voice' as const,
    queue: 'support',
    callbackEnabled: true,
    callbackGreeting: null,
    confirmationGreeting: null,
    // Default route: Local/<E.164>@callbackd-outbound/n, the sandbox's dialplan sends it over the loop trunk.
    outboundTrunk: null,
  };
  for (const [did, language] of [
    ['+4930123456', 'en'],
    ['+4930123457', 'de'],
  ] as const) {
    if (!store.numbers.get(did)) store.numbers.upsert({ ...base, did, callbackLanguage: language });
  }
  console.log(
    `demo numbers ready in ${config.db.path}: ${store.numbers
      .list()
      .map((n) => n.did)
      .join(', ')}`,
  );
} finally {
  store.close();
}
