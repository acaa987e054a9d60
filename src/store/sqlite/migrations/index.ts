// Ordered list of schema migrations. Append only: version N must be at index N-1, and a released
// migration is never edited or removed (databases in the field have already applied it).
import { migration001 } from './001-initial';
import { migration002 } from './002-agents-tickets';
import { migration003 } from './003-callback-policy';
import { migration004 } from './004-durable-legs';
import { migration005 } from './005-ticket-sinks';

import type { Migration } from './migration';

export type { Migration } from './migration';

export const migrations: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005];
