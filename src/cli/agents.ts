// `callbackd agents list|add|remove|login|logout`: the people (SIP phones) queues are served by.
import type { Command } from 'commander';
import type { AgentRules } from '../domain/agent/agent-state';
import type { NewAgent } from '../store/sqlite/repos';
import type { Agent } from '../domain/model';
import type { CliContext, CliDeps } from './context';
import { withContext } from './context';
import { CliError, invalid, notFound } from './errors';
import { done, formatTime, printList, type Column } from './output';
import { parseEndpoint, parseName } from './validate';

export interface AgentAddOptions {
  name?: string;
  endpoint?: string;
  queues?: string;
}

export function parseAgentAdd(id: string, opts: AgentAddOptions): NewAgent {
  if (opts.endpoint === undefined) throw invalid('agents add needs --endpoint <dial string>, e.g. PJSIP/1001');
  if (opts.queues === undefined) throw invalid('agents add needs --queues <queue[,queue...]>');
  const queues = [
    ...new Set(
      opts.queues
        .split(',')
        .map((q) => q.trim())
        .filter((q) => q !== ''),
    ),
  ].map((q) => parseName('queue', q));
  if (queues.length === 0) throw invalid('--queues needs at least one queue name');
  const name = (opts.name ?? id).trim();
  if (name === '') throw invalid('--name must not be empty');
  return { id: parseName('agent id', id), name, endpoint: parseEndpoint(opts.endpoint), queues };
}

/** States in which the agent is on (or being put on) a call: removing them would orphan that call. */
const ON_CALL: readonly Agent['state'][] = ['ringing', 'busy'];

/** Login is only for a logged-out agent: forcing 'available' over 'busy' would offer them a second call. */
export function checkLogin(agent: Agent): 'login' | 'already' {
  if (agent.state === 'available') return 'already';
  if (agent.state !== 'logged-out') throw new CliError('CLI_CONFLICT', `agent ${agent.id} is ${agent.state}, not logged out`);
  return 'login';
}

export function checkRemove(agent: Agent): void {
  if (ON_CALL.includes(agent.state))
    throw new CliError('CLI_CONFLICT', `agent ${agent.id} is ${agent.state} right now; log them out and retry after the call`);
}

/** The daemon's agent rules, from the same config. */
const rulesOf = (ctx: CliContext): AgentRules => ({
  maxMissed: ctx.config.agents.maxMissed,
  wrapUpSeconds: ctx.config.agents.wrapUpSeconds,
});

async function mustGet(ctx: CliContext, id: string): Promise<Agent> {
  const agent = await ctx.store.agents.agent(id);
  if (!agent) throw notFound(`agent ${id} does not exist`);
  return agent;
}

const COLUMNS: Column<Agent>[] = [
  { header: 'id', value: (a) => a.id },
  { header: 'name', value: (a) => a.name },
  { header: 'endpoint', value: (a) => a.endpoint },
  { header: 'queues', value: (a) => a.queues },
  { header: 'state', value: (a) => a.state },
  { header: 'since', value: (a) => formatTime(a.stateSince) },
  { header: 'online', value: (a) => a.online },
  { header: 'missed', value: (a) => a.missed },
];

export function registerAgents(program: Command, deps: CliDeps): void {
  const agents = program.command('agents').description('agents and their phones');

  agents
    .command('list')
    .description('list agents with their state')
    .option('--json', 'print JSON')
    .action((_opts, cmd: Command) =>
      withContext(
        cmd,
        deps,
        async (ctx) =>
          printList(
            ctx.json,
            await ctx.store.agents.list(),
            COLUMNS,
            'no agents; add one with: callbackd agents add <id> --endpoint PJSIP/1001 --queues <queue>',
          ),
        {
          mustExist: true,
        },
      ),
    );

  agents
    .command('add')
    .argument('<id>', 'agent id (letters, digits, . _ -)')
    .option('--name <name>', 'display name (default: the id)')
    .option('--endpoint <dial>', "the agent's phone, e.g. PJSIP/1001")
    .option('--queues <list>', 'comma-separated queues the agent serves')
    .description('add an agent (logged out until login)')
    .action((id: string, opts: AgentAddOptions, cmd: Command) =>
      withContext(cmd, deps, async (ctx) => {
        const a = parseAgentAdd(id, opts);
        if (await ctx.store.agents.agent(a.id)) throw new CliError('CLI_ALREADY_EXISTS', `agent ${a.id} already exists`);
        const other = await ctx.store.agents.byEndpoint(a.endpoint);
        if (other) throw new CliError('CLI_ALREADY_EXISTS', `endpoint ${a.endpoint} already belongs to agent ${other.id}`);
        for (const q of a.queues)
          if (!(await ctx.store.directory.queue(q)))
            throw notFound(`queue '${q}' does not exist; add it first with: callbackd queues add ${q}`);
        await ctx.store.admin.addAgent(a, ctx.clock.now());
        done(`added agent ${a.id} (${a.endpoint}, queues ${a.queues.join(',')}); log in with: callbackd agents login ${a.id}`);
      }),
    );

  agents
    .command('remove')
    .argument('<id>', 'agent id')
    .description('remove an agent (refused while on a call)')
    .action((id: string, _opts, cmd: Command) =>
      withContext(
        cmd,
        deps,
        async (ctx) => {
          checkRemove(await mustGet(ctx, id));
          await ctx.store.admin.removeAgent(id);
          done(`removed agent ${id}`);
        },
        { mustExist: true },
      ),
    );

  agents
    .command('login')
    .argument('<id>', 'agent id')
    .description('make the agent available for calls')
    .action((id: string, _opts, cmd: Command) =>
      withContext(
        cmd,
        deps,
        async (ctx) => {
          const already = checkLogin(await mustGet(ctx, id)) === 'already';
          // The same rule as *45 from the phone: a login also ends the miss streak.
          await ctx.store.agents.apply(id, { type: 'login' }, ctx.clock.now(), rulesOf(ctx));
          done(already ? `agent ${id} is already available` : `agent ${id} logged in (available)`);
        },
        { mustExist: true },
      ),
    );

  agents
    .command('logout')
    .argument('<id>', 'agent id')
    .description('stop offering calls to the agent')
    .action((id: string, _opts, cmd: Command) =>
      withContext(
        cmd,
        deps,
        async (ctx) => {
          const agent = await mustGet(ctx, id);
          if (agent.state === 'logged-out') return done(`agent ${id} is already logged out`);
          await ctx.store.agents.apply(id, { type: 'logout' }, ctx.clock.now(), rulesOf(ctx));
          done(`agent ${id} logged out`);
        },
        { mustExist: true },
      ),
    );
}
