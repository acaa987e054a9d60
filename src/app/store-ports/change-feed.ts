// Changes made by someone else (the admin CLI, another daemon node): the daemon re-reads what it
// caches and re-runs dispatch. SQLite notices another connection's commit (data_version); PostgreSQL
// gets a NOTIFY. A change says what kind of thing changed when the adapter knows, 'unknown' otherwise
// (listeners then treat it as "anything may have changed").
export type ChangeTopic = 'directory' | 'agents' | 'entries' | 'unknown';

export interface StoreChange {
  topic: ChangeTopic;
}

export interface ChangeFeed {
  /** Calls `listener` for every change made outside this process; returns a stop function. */
  subscribe(listener: (change: StoreChange) => void): () => void;
}
