import { expect } from 'chai';
import { AriError } from '../../../src/ari/errors';
import { useAriHttpAgent } from '../../../src/ari/http-agent';
import { withAriDeadline } from '../../../src/ari/request-deadline';
import { LocalServer } from './local-server';
import { ariStyleGet } from './swagger-http';

const timeoutError = () => new AriError('ARI_TIMEOUT', 'test: no answer');

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

describe('ARI request deadline', () => {
  let server: LocalServer;
  let url: string;

  before(() => useAriHttpAgent());
  beforeEach(async () => {
    server = new LocalServer();
    url = await server.listen();
  });
  afterEach(() => server.close());

  it('a request the server never answers is destroyed at the deadline: the server sees its socket close', async () => {
    server.behaviour = 'hang';
    const started = Date.now();
    const err = await failure(withAriDeadline(300, () => ariStyleGet(`${url}/ari/endpoints`), timeoutError));
    expect(err).to.be.instanceOf(AriError);
    expect((err as AriError).code).to.equal('ARI_TIMEOUT');
    expect(Date.now() - started).to.be.within(280, 1500);
    expect(server.requests).to.have.length(1);
    // Destroyed, not abandoned: the connection is gone on the server side too.
    await server.allClosed(1000);
  });

  it('a connection reset before the answer fails the call at once instead of hanging until the deadline', async () => {
    server.behaviour = 'reset';
    const started = Date.now();
    const err = await failure(withAriDeadline(4000, () => ariStyleGet(`${url}/ari/endpoints`), timeoutError));
    expect(err).not.to.be.instanceOf(AriError);
    expect(err.message).to.match(/socket hang up|ECONNRESET/);
    expect(Date.now() - started).to.be.below(1000);
  });

  it('a refused connection fails the call at once', async () => {
    const gone = new LocalServer();
    const goneUrl = await gone.listen();
    await gone.close();
    const started = Date.now();
    const err = await failure(withAriDeadline(4000, () => ariStyleGet(`${goneUrl}/ari/endpoints`), timeoutError));
    expect(err.message).to.match(/ECONNREFUSED/);
    expect(Date.now() - started).to.be.below(1000);
  });

  it('an answered request resolves with its result, sent through the ARI agent', async () => {
    const status = await withAriDeadline(2000, () => ariStyleGet(`${url}/ari/endpoints`), timeoutError);
    expect(status).to.equal(200);
    expect(server.requests[0]?.['user-agent']).to.equal('callbackd');
  });

  it('a call that throws before sending anything rejects with that error', async () => {
    const err = await failure(
      withAriDeadline(
        2000,
        () => {
          throw new AriError('ARI_UNREACHABLE', 'not connected yet');
        },
        timeoutError,
      ),
    );
    expect((err as AriError).code).to.equal('ARI_UNREACHABLE');
  });
});
