// Kubernetes injects "service link" variables for every Service in the namespace into every pod
// (unless enableServiceLinks: false). A Service named `callbackd` (or `callbackd-<x>`) therefore puts
// variables such as CALLBACKD_SERVICE_HOST or CALLBACKD_PORT_9464_TCP_ADDR next to our settings. They
// are not settings and not typos: the loader ignores them instead of refusing to start.
//
// Names, from the Kubernetes docs (SVC = the Service name upper-cased, '-' → '_'):
//   SVC_SERVICE_HOST, SVC_SERVICE_PORT, SVC_SERVICE_PORT_<PORTNAME>,
//   SVC_PORT, SVC_PORT_<n>_<PROTO>, SVC_PORT_<n>_<PROTO>_PROTO|_PORT|_ADDR  (PROTO: TCP, UDP, SCTP)

const SERVICE = 'CALLBACKD(?:_[A-Z0-9_]+?)?';
const SUFFIX = '(?:SERVICE_HOST|SERVICE_PORT(?:_[A-Z0-9_]+)?|PORT|PORT_\\d{1,5}_(?:TCP|UDP|SCTP)(?:_(?:PROTO|PORT|ADDR))?)';
const SERVICE_LINK = new RegExp(`^${SERVICE}_${SUFFIX}$`);

/** True for an environment variable Kubernetes injects for a Service named callbackd or callbackd-<x>. */
export function isServiceLink(name: string): boolean {
  return SERVICE_LINK.test(name);
}
