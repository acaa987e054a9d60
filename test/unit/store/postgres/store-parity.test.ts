import { expect } from 'chai';
import { createAppStore } from '../../../../src/store/sqlite/sqlite-app-store';
import { openStore } from '../../../../src/store/sqlite/sqlite-store';
import { makeTmpDir } from '../tmp-db';
import { usePostgres } from './pg-fixture';
import { runScenario } from './port-scenario';

describe('store/postgres: every port verb answers as the SQLite adapter does', () => {
  const pg = usePostgres();

  it('gives the same results and errors for the whole scenario, ticket outbox on', async function () {
    this.timeout(30_000);
    const tmp = makeTmpDir();
    const sqlite = createAppStore(openStore(tmp.file(), { ticketOutbox: true }), { lockDeadlineMs: 2000 });
    try {
      const expected = await runScenario(sqlite);
      const actual = await runScenario(await pg.open(await pg.database(), { ticketOutbox: true }));
      for (let i = 0; i < expected.length; i++) expect(actual[i], String((expected[i] as unknown[])[0])).to.deep.equal(expected[i]);
      expect(actual).to.have.length(expected.length);
    } finally {
      await sqlite.close();
      tmp.cleanup();
    }
  });
});
