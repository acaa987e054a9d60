// CALLBACKD_* variables: settings by name, Kubernetes service links ignored, anything else refused.
import { expect } from 'chai';
import { readConfig } from '../../src/config/load';
import { envName, SCHEMA } from '../../src/config/schema';
import { isServiceLink } from '../../src/config/service-links';
import { configError, DEFAULTS } from './config-helpers';

// What Kubernetes injects for a Service `callbackd` with ports named http (9464/TCP) and sip (5060/UDP),
// and for Services `callbackd-asterisk` and `callbackd-db-primary`.
const SERVICE_LINKS = {
  CALLBACKD_SERVICE_HOST: '10.96.0.12',
  CALLBACKD_SERVICE_PORT: '9464',
  CALLBACKD_SERVICE_PORT_HTTP: '9464',
  CALLBACKD_SERVICE_PORT_SIP: '5060',
  CALLBACKD_PORT: 'tcp://10.96.0.12:9464',
  CALLBACKD_PORT_9464_TCP: 'tcp://10.96.0.12:9464',
  CALLBACKD_PORT_9464_TCP_PROTO: 'tcp',
  CALLBACKD_PORT_9464_TCP_PORT: '9464',
  CALLBACKD_PORT_9464_TCP_ADDR: '10.96.0.12',
  CALLBACKD_PORT_5060_UDP: 'udp://10.96.0.12:5060',
  CALLBACKD_PORT_5060_UDP_ADDR: '10.96.0.12',
  CALLBACKD_ASTERISK_SERVICE_HOST: '10.96.0.13',
  CALLBACKD_ASTERISK_SERVICE_PORT_ARI: '8088',
  CALLBACKD_ASTERISK_PORT: 'tcp://10.96.0.13:8088',
  CALLBACKD_ASTERISK_PORT_8088_TCP_PROTO: 'tcp',
  CALLBACKD_DB_PRIMARY_SERVICE_PORT: '5432',
  CALLBACKD_DB_PRIMARY_PORT_5432_TCP_ADDR: '10.96.0.14',
};

describe('config environment variables', () => {
  it('ignores the service link variables of Services named callbackd and callbackd-<x>, and returns them', () => {
    const { config, ignoredEnv } = readConfig({ env: { ...SERVICE_LINKS, CALLBACKD_LOG_LEVEL: 'debug' } });
    expect(config).to.deep.equal({ ...DEFAULTS, log: { ...DEFAULTS.log, level: 'debug' } });
    expect(ignoredEnv).to.deep.equal(Object.keys(SERVICE_LINKS).sort());
  });

  it('returns no ignored variables when there are none', () => {
    expect(readConfig({ env: { CALLBACKD_LOG_LEVEL: 'warn', PATH: '/bin' } }).ignoredEnv).to.deep.equal([]);
  });

  const stillRefused = [
    'CALLBACKD_IVR_OFER_DELAY_SECONDS',
    'CALLBACKD_SERVICE',
    'CALLBACKD_SERVICE_HOSTNAME',
    'CALLBACKD_PORTS',
    'CALLBACKD_PORT_HTTP_TCP',
    'CALLBACKD_PORT_9464_TCP_HOST',
    'CALLBACKD_PORT_9464_HTTP',
    'CALLBACKD_ARI_PASSWD',
  ];
  for (const name of stillRefused) {
    it(`still refuses ${name}, naming it`, () => {
      const err = configError(() => readConfig({ env: { ...SERVICE_LINKS, [name]: 'x' } }));
      expect(err.message).to.equal(`unknown config environment variable ${name}`);
    });
  }

  it('no setting has a name Kubernetes could inject as a service link (it would be taken for one)', () => {
    for (const key of Object.keys(SCHEMA)) expect(isServiceLink(envName(key)), envName(key)).to.equal(false);
  });

  it('a setting wins over the service link pattern: CALLBACKD_METRICS_BIND is read, not ignored', () => {
    const { config, ignoredEnv } = readConfig({ env: { CALLBACKD_METRICS_BIND: '0.0.0.0:9464' } });
    expect(config.metrics.bind).to.equal('0.0.0.0:9464');
    expect(ignoredEnv).to.deep.equal([]);
  });

  it('leaves the variables of the scripts and tests alone', () => {
    const env = {
      CALLBACKD_CONFIG: '',
      CALLBACKD_SANDBOX_DIR: '/x',
      CALLBACKD_DEBIAN_MIRROR: 'http://m',
      CALLBACKD_TEST_LOG_LEVEL: 'debug',
    };
    expect(readConfig({ env })).to.deep.equal({ config: DEFAULTS, ignoredEnv: [] });
  });
});
