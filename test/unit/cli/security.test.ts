// The admin CLI and the daemon's outputs must not become a way in: a database anyone can write is
// refused, and the ARI password never appears in what we print or log.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { Writable } from 'node:stream';
import winston from 'winston';
import { AriConnection } from '../../../src/ari/connection';
import { makeCliEnv, type CliEnv } from './cli-env';

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
