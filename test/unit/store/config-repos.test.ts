import { expect } from 'chai';
import type { SqliteStore as Store } from '../../../src/store/sqlite/sqlite-store';
import type { NumberConfig } from '../../../src/domain/model';
import { StoreError } from '../../../src/store/sqlite/errors';
import { openStore } from '../../../src/store/sqlite/sqlite-store';
import { makeTmpDir, type TmpDir } from './tmp-db';

const voice: NumberConfig = {
  did: '+4930123456',
  kind: 'voice',
  queue: 'sales',
  callbackEnabled: true,
  callbackLanguage: 'de',
  callbackGreeting: 'offer',
  confirmationGreeting: null,
  outboundTrunk: 'loop',
  allowedCountries: 'AT,DE',
  outboundCallerId: '+4930123400',
};

describe('store/config repos (numbers, greetings, queues, settings)', () => {
  let tmp: TmpDir;
  let store: Store;

  beforeEach(() => {
    tmp = makeTmpDir();
    store = openStore(tmp.file());
    store.queues.upsert({ name: 'sales', maxWaitSeconds: null, overflow: 'hangup', mohClass: 'default' });
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('round-trips queues and updates them in place', () => {
    store.queues.upsert({ name: 'sales', maxWaitSeconds: 600, overflow: 'context:ovf,s,1', mohClass: 'jazz' });
    expect(store.queues.get('sales')).to.deep.equal({ name: 'sales', maxWaitSeconds: 600, overflow: 'context:ovf,s,1', mohClass: 'jazz' });
    expect(store.queues.list()).to.have.length(1);
    expect(store.queues.get('nope')).to.equal(undefined);
  });

  it('round-trips numbers, including booleans and nulls, and removes them', () => {
    store.numbers.upsert(voice);
    expect(store.numbers.get(voice.did)).to.deep.equal(voice);
    store.numbers.upsert({ ...voice, callbackEnabled: false, outboundTrunk: null });
    expect(store.numbers.list()).to.deep.equal([{ ...voice, callbackEnabled: false, outboundTrunk: null }]);
    expect(store.numbers.remove(voice.did)).to.equal(true);
    expect(store.numbers.remove(voice.did)).to.equal(false);
  });

  it('refuses a digital number with callbacks enabled as STORE_CONSTRAINT', () => {
    expect(() => store.numbers.upsert({ ...voice, kind: 'digital' }))
      .to.throw(StoreError)
      .with.property('code', 'STORE_CONSTRAINT');
    expect(store.numbers.get(voice.did)).to.equal(undefined);
  });

  it('refuses a number for a queue that is not configured as STORE_CONSTRAINT', () => {
    expect(() => store.numbers.upsert({ ...voice, queue: 'nope' }))
      .to.throw(StoreError)
      .with.property('code', 'STORE_CONSTRAINT');
  });

  it('keeps greetings per language and removes one or all languages', () => {
    store.greetings.upsert({ name: 'offer', kind: 'callback-offer', language: 'en', sound: 'custom/offer-en' });
    store.greetings.upsert({ name: 'offer', kind: 'callback-offer', language: 'de', sound: 'custom/offer-de' });
    store.greetings.upsert({ name: 'offer', kind: 'callback-offer', language: 'de', sound: 'custom/offer-de-v2' });
    expect(store.greetings.languages('offer')).to.deep.equal(['de', 'en']);
    expect(store.greetings.get('offer', 'de')?.sound).to.equal('custom/offer-de-v2');
    expect(store.greetings.remove('offer', 'en')).to.equal(1);
    expect(store.greetings.list().map((g) => g.language)).to.deep.equal(['de']);
    expect(store.greetings.remove('offer')).to.equal(1);
    expect(store.greetings.get('offer', 'de')).to.equal(undefined);
  });

  it('stores settings and overwrites them', () => {
    expect(store.settings.get('callbackExpiry')).to.equal(undefined);
    store.settings.set('callbackExpiry', '3600');
    store.settings.set('callbackExpiry', '7200');
    expect(store.settings.get('callbackExpiry')).to.equal('7200');
  });
});
