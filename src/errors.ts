// Base of every error the daemon raises on purpose. `code` is stable (tests, logs and the CLI's exit
// line rely on it); `message` is one readable sentence for a human.
// Subclasses only narrow the code type (class StoreError extends CallbackdError<StoreErrorCode> {}).
export class CallbackdError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Anything thrown, as one line. */
export function describeError(err: unknown): string {
  if (err instanceof CallbackdError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
