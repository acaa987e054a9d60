// node-cron's own lines (failed tasks, missed executions) go to our logger, not to the console.
import { expect } from 'chai';
import cron from 'node-cron';
import { Writable } from 'node:stream';
import sinon from 'sinon';
import winston from 'winston';
import { cronLogger, routeCronLogs } from '../../src/cron-logger';

/** A winston logger that keeps what it logs. */
function capture(): { log: winston.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: Record<string, unknown>, _enc, done) {
      lines.push({ ...info });
      done();
    },
  });
  return { log: winston.createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream })] }), lines };
}

describe('cron-logger', () => {
  let restore: (() => void) | undefined;
  afterEach(() => {
    restore?.();
    restore = undefined;
    sinon.restore();
  });

  it('sends a failing task to our logger as one error line with the stack, and nothing to the console', async () => {
    const { log, lines } = capture();
    const consoleError = sinon.stub(console, 'error');
    restore = routeCronLogs(log);
    const task = cron.createTask('* * * * *', () => {
      throw new Error('sweep exploded');
    });
    try {
      await task.execute().catch(() => undefined);
    } finally {
      await task.destroy();
    }
    expect(consoleError.called, 'node-cron wrote to the console').to.equal(false);
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).to.have.length.greaterThan(0);
    expect(errors[0]).to.include({ component: 'node-cron', message: 'sweep exploded' });
    expect(errors[0].error).to.match(/^Error: sweep exploded\n\s+at /);
  });

  it('maps every node-cron level, with an optional error', () => {
    const { log, lines } = capture();
    const logger = cronLogger(log);
    logger.info('started');
    logger.warn('missed execution at …');
    logger.error('Task failed with error!', new Error('boom'));
    logger.debug(new Error('detail'));
    expect(lines.map((l) => [l.level, l.message, l.component])).to.deep.equal([
      ['info', 'started', 'node-cron'],
      ['warn', 'missed execution at …', 'node-cron'],
      ['error', 'Task failed with error!', 'node-cron'],
      ['debug', 'detail', 'node-cron'],
    ]);
    expect(lines[2].error).to.match(/^Error: boom/);
    expect(lines[0]).not.to.have.property('error');
  });

  it('gives node-cron its console logger back', async () => {
    const { log, lines } = capture();
    routeCronLogs(log)();
    const consoleError = sinon.stub(console, 'error');
    const task = cron.createTask('* * * * *', () => {
      throw new Error('after restore');
    });
    try {
      await task.execute().catch(() => undefined);
    } finally {
      await task.destroy();
    }
    expect(lines).to.deep.equal([]);
    expect(consoleError.called).to.equal(true);
  });
});
