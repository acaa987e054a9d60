// One PostgreSQL schema step. Kept apart from index.ts so the migrations and their list do not import each other.
export interface PgMigration {
  version: number;
  name: string;
  /** SQL run in one transaction together with its schema_migrations row. */
  up: string;
}
