/**
 * npm run plan:moto: every AWS stack planned with the real engine and AWS provider against moto on 127.0.0.1
 * (scripts/tools/plan-moto.ts): each plan must create exactly the resources of its JSON; one stack is planned once
 * more in a VPC without private subnets, which must fail at plan time. Exit 0 all as expected, 1 otherwise, 2 usage.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseCli, runCli, UsageError } from './lib/cli';
import { runAgainstMoto } from './tools/plan-moto';
import { REPO_ROOT, requireTools, tempDir } from './tools/tools';

const USAGE =
  'usage: npm run plan:moto -- [--outdir cdktf.out] [--stacks a,b] [--apply] [--no-subnets-stack NAME] [--expect-message TEXT] [--region R] [--var NAME=VALUE]... [--keep]';
const HELP = `${USAGE}

  --outdir DIR              the synth output to plan (default: cdktf.out)
  --stacks a,b              only these AWS stacks (default: every stack with the AWS provider)
  --apply                   also apply each plan against moto (it holds only part of a stack: see the README)
  --no-subnets-stack NAME   the stack planned in a VPC without private subnets (default: the first; '' skips it)
  --expect-message TEXT     that plan must fail with this text in its error
  --region R                the region the stacks were synthesized for (default: us-east-1)
  --var NAME=VALUE          an input variable (VALUE as JSON, or a plain string), repeatable
  --keep                    keep the temporary work directories
  --help                    this text

Exit codes: 0 every plan as expected, 1 otherwise, 2 usage.
`;

const indent = (text: string) => text.replace(/^/gm, '    ');

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseCli(argv, {
    outdir: { type: 'string' },
    stacks: { type: 'string' },
    apply: { type: 'boolean' },
    'no-subnets-stack': { type: 'string' },
    'expect-message': { type: 'string' },
    region: { type: 'string' },
    var: { type: 'string', multiple: true },
    keep: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const vars: Record<string, unknown> = {};
  for (const v of values.var ?? []) {
    const [, name, value] = /^([^=]+)=(.*)$/s.exec(v) ?? [];
    if (!name) throw new UsageError(`--var ${JSON.stringify(v)}: NAME=VALUE (VALUE as JSON, or a plain string)`);
    try {
      vars[name] = JSON.parse(value);
    } catch {
      vars[name] = value;
    }
  }
  const stacks = values.stacks
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const keep = values.keep === true;
  const tools = requireTools(['engine', 'aws', 'random', 'moto']);
  const workRoot = tempDir('isl-moto-');
  const started = Date.now();
  const result = await runAgainstMoto({
    outdir: path.resolve(values.outdir ?? path.join(REPO_ROOT, 'cdktf.out')),
    stacks,
    apply: values.apply === true,
    noSubnetsStack: values['no-subnets-stack'],
    region: values.region ?? 'us-east-1',
    vars,
    tools,
    workRoot,
    log: (l) => {
      console.log(l);
    },
  }).catch((e: unknown) => {
    if (!keep) fs.rmSync(workRoot, { recursive: true, force: true });
    throw e;
  });
  let failed = result.plans.some((p) => !p.ok);
  const expectMessage = values['expect-message'];
  if (result.noSubnets) {
    const p = result.noSubnets;
    if (p.error === undefined) {
      failed = true;
      console.log(`${p.stack} without private subnets: plan SUCCEEDED (${p.plannedCreates} to create), but it must fail at plan time`);
    } else if (expectMessage !== undefined && !p.error.includes(expectMessage)) {
      failed = true;
      console.log(
        `${p.stack} without private subnets: plan failed, but without the expected message ${JSON.stringify(expectMessage)}:\n${indent(p.error)}`,
      );
    } else {
      console.log(`${p.stack} without private subnets: plan failed as it must:\n${indent(p.error)}`);
    }
  }
  console.log(
    `plan-moto: ${result.plans.filter((p) => p.ok).length} of ${result.plans.length} plans match their JSON, ${((Date.now() - started) / 1000).toFixed(1)} s${keep ? `; work dirs in ${workRoot}` : ''}`,
  );
  if (!keep) fs.rmSync(workRoot, { recursive: true, force: true });
  return failed ? 1 : 0;
}

if (require.main === module) {
  const stop = () => process.exit(130);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  runCli('plan-moto', USAGE, () => main(process.argv.slice(2)));
}
