// The `callbackd` command. Each command group lives in its own file; errors end as one readable line
// on stderr and a non-zero exit.
import { Command } from 'commander';
import { ConfigError } from '../config/load';
import { packageVersion } from '../config/package';
import { describeError } from '../errors';
import { runDaemon } from '../main';
import { registerAdminCommands } from './commands';
import type { CliDeps } from './context';
import { EXIT } from './errors';

export function buildProgram(deps: CliDeps = {}): Command {
  const program = new Command('callbackd')
    .description('Queue callback daemon for Asterisk: callers keep their place, agents call them back')
    .option('-c, --config <file>', 'JSON config file (default: $CALLBACKD_CONFIG)')
    .option('--db <path>', 'SQLite database (overrides db.path)')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('start')
    .description('run the daemon (connects to Asterisk ARI, serves the configured numbers)')
    .action(async () => {
      const { config, db } = program.opts<{ config?: string; db?: string }>();
      await runDaemon({ config, db });
    });

  registerAdminCommands(program, deps);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // Everything callbackd creates (database, WAL, greetings, folders) is closed to other local users:
  // it holds callers' phone numbers. Group read stays, so Asterisk can read the greetings.
  process.umask(0o027);
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const code = (err as { code?: string }).code;
    // commander already printed help/version/usage errors itself.
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') process.exit(EXIT.ok);
    if (typeof code === 'string' && code.startsWith('commander.')) process.exit(EXIT.usage);
    process.stderr.write(`callbackd: ${describeError(err)}\n`);
    process.exit(err instanceof ConfigError ? EXIT.config : EXIT.failed);
  }
}

if (require.main === module) void main(process.argv);
