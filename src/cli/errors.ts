// Errors of the admin CLI. index.ts's main() prints them as `callbackd: CODE: message` and exits 1;
// the codes are stable so scripts can branch on them.
import { CallbackdError } from '../errors';

/** Exit codes of `callbackd` (README "Exit codes"). */
export const EXIT = {
  ok: 0,
  /** A command refused or failed (CliError, ARI unreachable, corrupt database, …). */
  failed: 1,
  /** Usage error reported by commander (unknown option, missing argument). */
  usage: 2,
  /** EX_CONFIG from sysexits.h: bad configuration (or no up-to-date build). systemd's
   *  RestartPreventExitStatus=78 stops restarting a daemon that cannot start until someone fixes it. */
  config: 78,
} as const;

export type CliErrorCode =
  | 'CLI_INVALID_ARGUMENT' // a value has the wrong form (not E.164, unknown language, bad duration, ...)
  | 'CLI_NOT_FOUND' // the thing named does not exist (number, queue, greeting, agent, callback, ticket)
  | 'CLI_ALREADY_EXISTS' // `add` of something that exists; use `set`
  | 'CLI_CALLBACK_ON_DIGITAL' // callback requested on a digital (messaging) number
  | 'CLI_CONFLICT' // the change is refused in the current state (in use, being executed right now, ...)
  | 'CLI_NO_DATABASE' // a read command on a database file that does not exist
  | 'CLI_UNSAFE_DATABASE' // the database (or its directory) is world-writable
  | 'CLI_SOUND_FAILED' // a greeting file could not be read, converted or installed
  | 'CLI_DOCTOR_FAILED'; // at least one doctor check failed

export class CliError extends CallbackdError<CliErrorCode> {}

export const invalid = (message: string) => new CliError('CLI_INVALID_ARGUMENT', message);
export const notFound = (message: string) => new CliError('CLI_NOT_FOUND', message);
