// Claiming our Stasis app: a live callbackd keeps it, one that died gives it up at once on this host,
// one on another host only when its lease stops beating; an app held by a non-callbackd client is
// waited for briefly, then refused.
import { expect } from 'chai';
import { type Here, judgeClaim } from '../../../src/ari/app-registration';
import { leaseVariable, type LeaseOwner, parseLease } from '../../../src/ari/app-lease';

const owner = (o: Partial<LeaseOwner> = {}): LeaseOwner => ({
  host: 'pbx1',
  pid: 4242,
  startTicks: '777',
  since: '2026-12-07T10:00:00.000Z',
  beat: 3,
  ...o,
});
const here = (alive: boolean): Here => ({ host: 'pbx1', pid: 100, alive: () => alive });

describe('claiming the Stasis app', () => {
  const cases: { name: string; registered: boolean; lease: LeaseOwner | undefined; alive: boolean; kind: string }[] = [
    { name: 'an app nobody registered is free', registered: false, lease: undefined, alive: false, kind: 'free' },
    { name: 'a stale lease on an unregistered app does not matter', registered: false, lease: owner(), alive: true, kind: 'free' },
    {
      name: 'registered without a lease: another ARI client, waited for',
      registered: true,
      lease: undefined,
      alive: false,
      kind: 'unleased',
    },
    { name: 'a live callbackd on this host holds it', registered: true, lease: owner(), alive: true, kind: 'held' },
    { name: 'a callbackd killed on this host gives it up at once', registered: true, lease: owner(), alive: false, kind: 'dead-owner' },
    { name: 'our own earlier registration is ours', registered: true, lease: owner({ pid: 100 }), alive: true, kind: 'free' },
    {
      name: 'a callbackd on another host is watched for its beat',
      registered: true,
      lease: owner({ host: 'pbx2' }),
      alive: false,
      kind: 'watch',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(judgeClaim(c.registered, c.lease, here(c.alive)).kind).to.equal(c.kind);
    });
  }

  it('a held app names the process holding it', () => {
    const verdict = judgeClaim(true, owner(), here(true));
    expect(verdict).to.deep.equal({ kind: 'held', by: 'callbackd pid 4242 on host pbx1 (since 2026-12-07T10:00:00.000Z)' });
  });

  it('the liveness check gets the pid and its start time (a reused pid is not the owner)', () => {
    const seen: unknown[] = [];
    judgeClaim(true, owner(), { host: 'pbx1', pid: 1, alive: (pid, ticks) => (seen.push([pid, ticks]), false) });
    expect(seen).to.deep.equal([[4242, '777']]);
  });
});

describe('the app lease record', () => {
  it('round-trips what the owner writes', () => {
    expect(parseLease(JSON.stringify(owner()))).to.deep.equal(owner());
  });
  it('an empty variable (never set, or cleared at stop) is no lease', () => {
    expect(parseLease('')).to.equal(undefined);
  });
  it('garbage or a record without pid/host/beat is no lease', () => {
    expect(parseLease('{"host":"x"')).to.equal(undefined);
    expect(parseLease(JSON.stringify({ host: 'x', pid: 1 }))).to.equal(undefined);
  });
  it('an old record without start ticks still parses (the pid alone is checked)', () => {
    expect(parseLease(JSON.stringify({ host: 'x', pid: 1, beat: 0 }))?.startTicks).to.equal(null);
  });
  it('the variable name keeps to the characters Asterisk globals are safe with, one per app name', () => {
    expect(leaseVariable('callbackd')).to.equal('CALLBACKD_OWNER_callbackd');
    expect(leaseVariable('cb-eu.1')).to.equal('CALLBACKD_OWNER_cb_2deu_2e1');
    expect(leaseVariable('cb_eu')).to.not.equal(leaseVariable('cb-eu'));
  });
});
