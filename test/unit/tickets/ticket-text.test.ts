import { expect } from 'chai';
import {
  callerName,
  subjectTemplateProblem,
  ticketDescription,
  ticketSubject,
  ticketTextLanguage,
  unansweredComment,
  waitedText,
  type TicketFacts,
} from '../../../src/domain/ticket-text';

const accepted: TicketFacts = {
  requester: '+491701234567',
  reason: 'callback-accepted',
  queue: 'sales',
  did: '+4930123456',
  agentId: 'alice',
  waitedSeconds: 725,
};

describe('domain/ticket-text', () => {
  describe('ticketSubject', () => {
    const cases: Array<[string, string]> = [
      ['en', 'Callback'],
      ['de', 'Rückruf'],
      ['DE', 'Rückruf'],
      ['de-AT', 'Rückruf'],
      ['de_ch', 'Rückruf'],
      ['fr', 'Callback'],
      ['', 'Callback'],
    ];
    for (const [language, subject] of cases) {
      it(`is '${subject}' for language '${language}'`, () => {
        expect(ticketSubject(language)).to.equal(subject);
      });
    }

    it('fills a template with the translated word and the fields', () => {
      const fields = { number: '+491701234567', queue: 'sales', did: '+4930123456' };
      expect(ticketSubject('de', '{subject} {number} ({queue}, via {did})', fields)).to.equal(
        'Rückruf +491701234567 (sales, via +4930123456)',
      );
      expect(ticketSubject('en', '{subject}', fields)).to.equal('Callback');
      expect(ticketSubject('en', 'Call back {number}', fields)).to.equal('Call back +491701234567');
    });

    it('leaves out unknown fields and never returns an empty subject', () => {
      expect(ticketSubject('en', '{subject}  {queue} {number}', { number: '+491701234567' })).to.equal('Callback +491701234567');
      expect(ticketSubject('de', '{queue}', {})).to.equal('Rückruf');
      expect(ticketSubject('en', '   ')).to.equal('Callback');
    });

    it('keeps text in braces that is not a placeholder as it is', () => {
      expect(ticketSubject('en', '{subject} {later}')).to.equal('Callback {later}');
    });
  });

  describe('subjectTemplateProblem', () => {
    it('accepts templates made of known placeholders and text', () => {
      expect(subjectTemplateProblem('{subject}')).to.equal(undefined);
      expect(subjectTemplateProblem('Callback {number} [{queue}] {did}')).to.equal(undefined);
    });

    it('names an unknown placeholder and lists the known ones', () => {
      expect(subjectTemplateProblem('{subject} {phone}')).to.equal(
        'it has the unknown placeholder {phone}; known are {subject} {number} {queue} {did}',
      );
      expect(subjectTemplateProblem('{}')).to.match(/unknown placeholder \{\}/);
      expect(subjectTemplateProblem(' ')).to.equal('it is empty');
    });
  });

  describe('ticketDescription', () => {
    it('describes an accepted callback in English, one fact per line', () => {
      expect(ticketDescription('en', accepted)).to.equal(
        [
          '+491701234567 asked for a callback while waiting in the queue; an agent accepted it and is calling back.',
          '',
          'Callback number: +491701234567',
          'Queue: sales',
          'Number called: +4930123456',
          'Waited: 12 min 5 s',
          'Agent: alice',
        ].join('\n'),
      );
    });

    it('describes an expired callback in German, without the facts it does not have', () => {
      const expired: TicketFacts = { ...accepted, reason: 'callback-expired', agentId: null, did: null, waitedSeconds: 3600 };
      expect(ticketDescription('de-DE', expired)).to.equal(
        [
          '+491701234567 hat in der Warteschlange um einen Rückruf gebeten; er wurde nicht rechtzeitig ausgeführt und ist abgelaufen. Bitte nachfassen.',
          '',
          'Rückrufnummer: +491701234567',
          'Warteschlange: sales',
          'Wartezeit: 1 Std.',
        ].join('\n'),
      );
    });

    it('falls back to English for a language without texts', () => {
      expect(ticketDescription('it', accepted)).to.equal(ticketDescription('en', accepted));
    });
  });

  it('writes waited times with the units of the language', () => {
    expect(waitedText('en', 0)).to.equal('0 s');
    expect(waitedText('en', 45)).to.equal('45 s');
    expect(waitedText('en', 3725)).to.equal('1 h 2 min 5 s');
    expect(waitedText('de', 120)).to.equal('2 Min.');
    expect(waitedText('de', 3661)).to.equal('1 Std. 1 Min. 1 Sek.');
    expect(waitedText('en', -5), 'clock skew is not a negative wait').to.equal('0 s');
  });

  it('words the "not answered" note per language, with singular and plural attempts', () => {
    expect(unansweredComment('en', { cause: 'busy', attempts: 1 })).to.equal('callback attempted, not answered (busy, 1 attempt)');
    expect(unansweredComment('en', { cause: 'no answer', attempts: 3 })).to.equal(
      'callback attempted, not answered (no answer, 3 attempts)',
    );
    expect(unansweredComment('de', { cause: 'busy', attempts: 1 })).to.equal('Rückruf versucht, nicht angenommen (busy, 1 Versuch)');
    expect(unansweredComment('de', { cause: 'busy', attempts: 2 })).to.equal('Rückruf versucht, nicht angenommen (busy, 2 Versuche)');
    expect(unansweredComment('nl', { cause: 'busy', attempts: 2 })).to.equal('callback attempted, not answered (busy, 2 attempts)');
  });

  it('names a caller known only by number', () => {
    expect(callerName('en', '+491701234567')).to.equal('Caller +491701234567');
    expect(callerName('de', '+491701234567')).to.equal('Anrufer +491701234567');
  });

  it('maps languages to the ones with texts', () => {
    expect(['en', 'de', 'De-at', 'pt-BR', 'xx'].map(ticketTextLanguage)).to.deep.equal(['en', 'de', 'de', 'en', 'en']);
  });
});
