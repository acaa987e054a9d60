// The sysadmin command groups, one file each; index.ts adds them next to `start`.
import type { Command } from 'commander';
import { registerAgents } from './agents';
import { registerCallbacks } from './callbacks';
import type { CliDeps } from './context';
import { registerDoctor } from './doctor';
import { registerGreetings } from './greetings';
import { registerNumbers } from './numbers';
import { registerQueues } from './queues';
import { registerSettings } from './settings';
import { registerStats } from './stats';
import { registerTickets } from './tickets';

export function registerAdminCommands(program: Command, deps: CliDeps): void {
  registerNumbers(program, deps);
  registerGreetings(program, deps);
  registerQueues(program, deps);
  registerAgents(program, deps);
  registerCallbacks(program, deps);
  registerTickets(program, deps);
  registerSettings(program, deps);
  registerStats(program, deps);
  registerDoctor(program, deps);
}
