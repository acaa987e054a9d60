// Ordered list of PostgreSQL schema migrations. Append only: version N must be at index N-1, and a
// released migration is never edited or removed (databases in the field have already applied it).
import { migration001 } from './001-initial';
import type { PgMigration } from './migration';

export type { PgMigration } from './migration';

export const pgMigrations: readonly PgMigration[] = [migration001];
