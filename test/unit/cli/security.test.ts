// The admin CLI and the daemon's outputs must not become a way in: a database anyone can write is
// refused, and the ARI password never appears in what we print or log.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { Writable } from 'node:stream';
import winston from 'winston';
import { AriConnection } from '../../../src/ari/connection';
import { openStore } from '../../../src/store/sqlite/sqlite-store';
import { makeCliEnv, wavBytes, type CliEnv } from './cli-env';

/** Everything a logger writes, as text. */
function memoryLog(): { log: winston.Logger; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  const log = winston.createLogger({
    level: 'debug',
    format: winston.format.json(),
    transports: [new winston.transports.Stream({ stream })],
  });
  return { log, text: () => text };
}

describe('security', () => {
  describe('file modes', function () {
    this.timeout(20_000);
    let env: CliEnv;
    beforeEach(() => (env = makeCliEnv()));
    afterEach(() => env.cleanup());
    const mode = (file: string) => fs.statSync(file).mode & 0o777;
    const BIN = path.resolve(__dirname, '../../../bin/callbackd');
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [BIN, '--config', env.configFile, '--db', env.db, ...args], {
        encoding: 'utf8',
        env: { ...process.env, CALLBACKD_ARI_URL: 'http://127.0.0.1:9' },
      });

    it('a database the CLI creates, and its WAL, are readable by their owner only (caller numbers are in it)', () => {
      expect(cli('queues', 'add', 'support').status).to.equal(0);
      expect(mode(env.db)).to.equal(0o600);
      // A WAL file exists while a connection is open: open one through the store and look.
      const store = openStore(env.db);
      try {
        store.settings.set('x', 'y');
        expect(mode(`${env.db}-wal`)).to.equal(0o600);
      } finally {
        store.close();
      }
    });

    it('greetings are readable by the owner and the group (Asterisk), not by other users', () => {
      const rec = path.join(env.dir, 'rec.wav');
      fs.writeFileSync(rec, wavBytes(8000, 1));
      fs.chmodSync(rec, 0o644);
      expect(cli('greetings', 'add', 'spring', '--kind', 'offer', '--language', 'de', '--file', rec).status).to.equal(0);
      const dir = path.join(env.soundsDir, 'custom', 'de');
      const files = fs.readdirSync(dir).filter((f) => f.startsWith('spring.'));
      expect(files).to.include('spring.wav');
      for (const f of files) expect(mode(path.join(dir, f)), f).to.equal(0o640);
    });
  });

  describe('world-writable database', () => {
    let env: CliEnv;
    beforeEach(() => (env = makeCliEnv()));
    afterEach(() => env.cleanup());

    it('the CLI refuses a database file that anyone may write, naming the fix', async () => {
      await env.run(['queues', 'add', 'support']);
      fs.chmodSync(env.db, 0o666);
      const err = await env.fail(['queues', 'list']);
      expect(err.code).to.equal('CLI_UNSAFE_DATABASE');
      expect(err.message).to.include(`chmod o-w ${env.db}`);
    });

    it('a private database file is accepted', async () => {
      await env.run(['queues', 'add', 'support']);
      fs.chmodSync(env.db, 0o640);
      expect(await env.run(['queues', 'list'])).to.include('support');
    });
  });

  describe('ARI credentials', () => {
    it('are not in any log line, nor in the error, when Asterisk rejects them', async () => {
      const server = http.createServer((_req, res) => {
        res.statusCode = 401;
        res.end('{"message":"Authentication required"}');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const memory = memoryLog();
      const log = memory.log;
      const conn = new AriConnection({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        user: 'callbackd',
        password: 's3cret-pa55',
        app: 'callbackd',
        requestTimeoutMs: 2000,
        log,
      });
      let message = '';
      try {
        await conn.start();
      } catch (err) {
        message = (err as Error).message;
      } finally {
        server.close();
      }
      expect(message).to.match(/rejected user 'callbackd'/);
      expect(message).to.not.include('s3cret-pa55');
      expect(memory.text()).to.not.include('s3cret-pa55');
    });
  });
});
