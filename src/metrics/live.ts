// Figures that exist only in the running process (not in SQLite), read at scrape time through one
// small interface the daemon implements; the metrics code never reaches into ARI or the call router.

export interface LiveMetrics {
  /** The ARI event socket is up (calls can be received). */
  ariConnected(): boolean;
  /** Times the event socket came back after being lost, since the daemon started. */
  ariReconnects(): number;
  /** Calls the daemon is handling right now (callers in Stasis plus the legs it originated). */
  activeCalls(): number;
}
