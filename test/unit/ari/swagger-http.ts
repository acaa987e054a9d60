// Sends a GET the way ari-client does for every REST call: swagger-client applies its authorization
// registry to the request options (where our ARI agent is installed), then shred sends it on node:http.
// Like ari-client's own promise, the result settles only on an HTTP response: socket-level failures
// are swallowed by shred, which is what the ARI agent and the deadline must make up for.
import type { Agent } from 'node:http';
import { createRequire } from 'node:module';

interface SwaggerRequestOptions {
  url: string;
  method: string;
  headers: Record<string, string>;
  useJQuery: boolean;
  agent?: Agent;
  on: { response(res: { status: number; data: unknown }): void; error(res: { status: number; data: unknown }): void };
}

interface SwaggerClient {
  authorizations: { apply(obj: SwaggerRequestOptions): unknown };
  SwaggerHttp: new () => { execute(obj: SwaggerRequestOptions): unknown };
}

const swagger = createRequire(require.resolve('ari-client'))('swagger-client') as SwaggerClient;

/** `agent` replaces the one the authorization registry installed (to test other agents). */
export function ariStyleGet(url: string, agent?: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const obj: SwaggerRequestOptions = {
      url,
      method: 'GET',
      headers: {},
      useJQuery: false,
      on: {
        response: (res) => resolve(res.status),
        error: (res) => reject(new Error(`HTTP ${res.status}`)),
      },
    };
    swagger.authorizations.apply(obj);
    if (agent) obj.agent = agent;
    new swagger.SwaggerHttp().execute(obj);
  });
}
