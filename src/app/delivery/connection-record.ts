// The record of a connection is written before the bridge, so that a restart in between finds both legs
// up and bridges them. But the record must never be what keeps two people apart: when it fails (the
// database locked past the on-the-line deadline), they are bridged anyway and the same record is tried
// again when the call ends, just before the end is recorded.
import type { Logger } from '../../log';

/** Runs `record`; on failure logs it and returns the retry to run at the end of the call. */
export async function recordConnection(record: () => Promise<void>, log: Logger): Promise<(() => Promise<void>) | undefined> {
  try {
    await record();
    return undefined;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    log.error('connection could not be recorded; bridged anyway, recorded again when the call ends', {
      error: (err as Error).message,
      ...(typeof code === 'string' ? { code } : {}),
    });
    return record;
  }
}
