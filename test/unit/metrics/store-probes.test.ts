// The store side of /readyz and /metrics, on a real SQLite file: the write probe (bounded, restores
// the connection's busy timeout, sees locks and read-only connections) and the operational read queries.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { openDatabase, type Db } from '../../../src/store/sqlite/db';
import { createOpsRepo } from '../../../src/store/sqlite/ops-repo';
import { createWriteProbe, PROBE_BUSY_TIMEOUT_MS } from '../../../src/store/sqlite/write-probe';

describe('store/write probe', () => {
  let dir: string;
  let file: string;
  let db: Db;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callbackd-probe-'));
    file = path.join(dir, 'callbackd.db');
    db = openDatabase(file);
  });
  afterEach(() => {
    if (db.open) db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is ok on a writable database and leaves no trace (schema version and busy timeout unchanged)', async () => {
    const version = db.pragma('user_version', { simple: true });
    expect(await createWriteProbe(db)()).to.deep.equal({ ok: true });
    expect(db.pragma('user_version', { simple: true })).to.equal(version);
    expect(db.pragma('busy_timeout', { simple: true })).to.equal(5000);
    expect(db.inTransaction).to.equal(false);
  });

  it('fails within its bound, not the connection busy timeout, while another connection holds the write lock', async () => {
    const other = new Database(file);
    try {
      other.exec('BEGIN IMMEDIATE');
      const started = Date.now();
      const result = await createWriteProbe(db)();
      const took = Date.now() - started;
      expect(result).to.deep.equal({ ok: false, detail: 'SQLITE_BUSY: database is locked' });
      // SQLite's busy handler sleeps in steps; allow one step beyond the bound, far below the 5 s.
      expect(took)
        .to.be.at.least(PROBE_BUSY_TIMEOUT_MS - 10)
        .and.below(PROBE_BUSY_TIMEOUT_MS + 400);
      expect(db.pragma('busy_timeout', { simple: true })).to.equal(5000);
      other.exec('ROLLBACK');
      expect(await createWriteProbe(db)()).to.deep.equal({ ok: true });
    } finally {
      other.close();
    }
  });

  it('fails on a connection SQLite can only read (e.g. the file belongs to another user)', async () => {
    const readOnly = new Database(file, { readonly: true });
    try {
      expect(await createWriteProbe(readOnly)()).to.deep.equal({
        ok: false,
        detail: 'SQLITE_READONLY: attempt to write a readonly database',
      });
    } finally {
      readOnly.close();
    }
  });

  it('fails on a closed database', async () => {
    db.close();
    expect(await createWriteProbe(db)()).to.deep.equal({ ok: false, detail: 'database is closed' });
  });
});

describe('store/ops repo', () => {
  let dir: string;
  let db: Db;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callbackd-ops-'));
    db = openDatabase(path.join(dir, 'callbackd.db'));
  });
  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const outbox = (ticketId: number, attempts: number, deliveredAt: number | null): void => {
    db.prepare(
      `INSERT INTO ticket_outbox (kind, ticket_id, payload, attempts, next_attempt_at, delivered_at, created_at)
       VALUES ('ticket', ?, '{}', ?, 0, ?, 0)`,
    ).run(ticketId, attempts, deliveredAt);
  };
  const agent = (id: string, state: string): void => {
    db.prepare(`INSERT INTO agents (id, name, endpoint, state, state_since) VALUES (?, ?, ?, ?, 0)`).run(id, id, `PJSIP/${id}`, state);
  };

  it('counts undelivered outbox items and, of those, the ones whose attempts failed', () => {
    expect(createOpsRepo(db).outboxCounts()).to.deep.equal({ pending: 0, failed: 0 });
    outbox(1, 0, null); // waiting for its first attempt
    outbox(2, 3, null); // failed three times, retried later
    outbox(3, 1, 1000); // delivered: not counted
    outbox(4, 2, 1000); // delivered after a failure: not counted
    expect(createOpsRepo(db).outboxCounts()).to.deep.equal({ pending: 2, failed: 1 });
  });

  it('counts agents per state with every state present, zeros included', () => {
    const ops = createOpsRepo(db);
    expect(ops.agentsByState()).to.deep.equal({ 'logged-out': 0, available: 0, ringing: 0, busy: 0, 'wrap-up': 0 });
    agent('a', 'available');
    agent('b', 'available');
    agent('c', 'busy');
    agent('d', 'logged-out');
    expect(ops.agentsByState()).to.deep.equal({ 'logged-out': 1, available: 2, ringing: 0, busy: 1, 'wrap-up': 0 });
  });
});
