import { expect } from 'chai';
import { Writable } from 'node:stream';
import winston from 'winston';
import { logFormat } from '../../src/log';
import { escapeControls, escapeForJson } from '../../src/log-escape';

/** The text a real winston logger with our format writes for one log call. */
function line(pretty: boolean, message: string, meta: Record<string, unknown> = {}): string {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  const log = winston.createLogger({ level: 'info', format: logFormat(pretty), transports: [new winston.transports.Stream({ stream })] });
  log.info(message, meta);
  // The Stream transport writes synchronously and appends the end-of-line itself.
  expect(text.endsWith('\n')).to.equal(true);
  return text.slice(0, -1);
}

describe('log lines: caller-controlled text cannot forge a line or drive the terminal', () => {
  const forged = '+4930123\n12:00:00.000 info callback confirmed callId=forged';

  describe('pretty (terminal) format', () => {
    it('a caller-ID number with a newline stays on one line, the newline shown as \\n', () => {
      const out = line(true, 'caller entered', { callerId: forged, callId: 'c1', channelId: 'ch1' });
      expect(out.split('\n')).to.have.length(1);
      expect(out).to.contain('callerId=+4930123\\n12:00:00.000 info callback confirmed');
    });

    it('a newline in the message itself is escaped too', () => {
      expect(line(true, `hello\r\nworld`).split('\n')).to.have.length(1);
      expect(line(true, `hello\r\nworld`)).to.contain('hello\\r\\nworld');
    });

    it('terminal escape codes (ESC and the one-byte C1 CSI) are shown, not sent to the terminal', () => {
      const out = line(true, 'x', { callerName: '\u001b[2J\u001b]0;owned\u0007\u009b31m' });
      expect(out).to.contain('callerName=\\x1b[2J\\x1b]0;owned\\x07\\x9b31m');
      // The only ESC left is colorize's own colouring of the level.
      // eslint-disable-next-line no-control-regex -- colorize's colour codes
      const withoutLevelColour = out.replace(/\u001b\[\d+m/g, '');
      // eslint-disable-next-line no-control-regex -- no raw control character may be left
      expect(withoutLevelColour).to.not.match(/[\u0000-\u001f\u007f-\u009f]/);
    });

    it('strings inside structured fields are escaped as well', () => {
      const out = line(true, 'x', { headers: { 'X-Evil': 'a\nb' }, list: ['c\u001bd'] });
      expect(out.split('\n')).to.have.length(1);
      expect(out).to.not.contain('\u001b' + 'd');
    });
  });

  describe('JSON format', () => {
    it('a newline in a field is JSON-escaped and the line parses back to the same text', () => {
      const out = line(false, 'caller entered', { callerId: forged });
      expect(out.split('\n')).to.have.length(1);
      expect(JSON.parse(out).callerId).to.equal(forged);
    });

    it('C1 controls and DEL, which JSON leaves raw, are escaped', () => {
      const out = line(false, 'x\u009b', { callerName: 'a\u007fb\u2028c' });
      expect(out).to.not.match(/[\u007f-\u009f\u2028\u2029]/);
      expect(JSON.parse(out).callerName).to.equal('a\\x7fb\\u2028c');
    });
  });

  describe('the escape functions', () => {
    const cases: Array<[string, string, string]> = [
      ['plain text', 'Alice +4930123', 'Alice +4930123'],
      ['newline', 'a\nb', 'a\\nb'],
      ['carriage return', 'a\rb', 'a\\rb'],
      ['tab', 'a\tb', 'a\\tb'],
      ['NUL', 'a\u0000b', 'a\\x00b'],
      ['ESC', '\u001b[31m', '\\x1b[31m'],
      ['DEL', 'a\u007f', 'a\\x7f'],
      ['C1 CSI', '\u009b1m', '\\x9b1m'],
      ['line separator', 'a\u2028b', 'a\\u2028b'],
      ['umlauts and emoji stay', 'Müller ☎', 'Müller ☎'],
    ];
    for (const [name, input, want] of cases) {
      it(`escapeControls: ${name}`, () => expect(escapeControls(input)).to.equal(want));
    }
    it('escapeForJson leaves C0 to JSON and escapes what JSON does not', () => {
      expect(escapeForJson('a\nb\u009b')).to.equal('a\nb\\x9b');
    });
  });
});
