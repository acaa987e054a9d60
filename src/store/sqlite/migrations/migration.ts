// One schema step. Kept apart from index.ts so the migrations and their list do not import each other.
export interface Migration {
  version: number;
  name: string;
  /** SQL run in one transaction together with the user_version bump. */
  up: string;
}
