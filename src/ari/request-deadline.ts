// One ari-client call with a deadline that ends it for real. Racing the call against a timer is not
// enough: the HTTP request would stay open on its socket (and ari-client's promise pending) forever.
// Here the requests the call sent are destroyed on the deadline, so their sockets close; and a request
// that fails at the socket level (reset, refused), which ari-client never reports, fails the call at
// once instead of waiting for the deadline.
import type { ClientRequest } from 'node:http';
import { watchAriRequests } from './http-agent';

/** Settles like `start()`, or rejects with `timeoutError()` after `ms` and destroys the call's requests. */
export function withAriDeadline<T>(ms: number, start: () => Promise<T>, timeoutError: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const requests = new Set<ClientRequest>();
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      const err = timeoutError();
      finish(() => reject(err));
      for (const req of requests) req.destroy(err);
    }, ms);
    const onRequest = (req: ClientRequest) => {
      requests.add(req);
      req.once('error', (err) => finish(() => reject(err)));
      req.once('close', () => requests.delete(req));
    };
    watchAriRequests(start, onRequest).then(
      (value) => finish(() => resolve(value)),
      (err: unknown) => finish(() => reject(err instanceof Error ? err : new Error(String(err)))),
    );
  });
}
