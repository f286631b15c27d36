/**
 * npm run deploy:local / destroy:local / local:output: the local stack deployed, destroyed or read for real by the
 * engine with the mirror's Docker provider (scripts/tools/local-deploy.ts does the work; README "Local Redis for
 * developers"). Exit 0 done, 1 the deploy or destroy failed (the message says why), 2 usage.
 */
import * as path from 'path';
import { parseCli, runCli, UsageError } from './lib/cli';
import { deployLocal, destroyLocal, LocalDeployOptions, localWorkDir } from './tools/local-deploy';
import { engine, requireTools } from './tools/tools';

const USAGE =
  'usage: npm run deploy:local -- [--no-synth] [--outdir DIR] [--image-from-host] [--replace-orphan] [-- ENGINE_ARGS]\n' +
  '       npm run destroy:local -- [--no-synth] [--outdir DIR] [--env-file FILE]\n' +
  '       npm run local:output -- [NAME]';

async function main(command: string | undefined, argv: string[]): Promise<number> {
  const dd = argv.indexOf('--');
  const engineArgs = dd >= 0 ? argv.slice(dd + 1) : [];
  const { values, positionals } = parseCli(
    dd >= 0 ? argv.slice(0, dd) : argv,
    {
      outdir: { type: 'string' },
      'no-synth': { type: 'boolean' },
      'image-from-host': { type: 'boolean' },
      'replace-orphan': { type: 'boolean' },
      'env-file': { type: 'string' },
      help: { type: 'boolean' },
    },
    true,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (command !== 'deploy' && command !== 'destroy' && command !== 'output')
    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  const tools = requireTools(['engine', 'docker', 'random']);
  if (command === 'output') {
    const r = await engine(tools, localWorkDir(tools), ['output', '-no-color', ...(positionals[0] ? ['-raw', positionals[0]] : [])]);
    process.stdout.write(r.stdout);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const opts: LocalDeployOptions = {
    outdir: values.outdir ? path.resolve(values.outdir) : undefined,
    synth: !values['no-synth'],
    imageFromHost: values['image-from-host'],
    replaceOrphan: values['replace-orphan'],
    envFile: values['env-file'] ? path.resolve(values['env-file']) : undefined,
    engineArgs,
    tools,
  };
  const r = command === 'deploy' ? await deployLocal(opts) : await destroyLocal(opts);
  console.log(r.output);
  if (!r.ok) {
    console.error(`${command}:local FAILED${r.providers ? ` (${r.providers}); work dir ${r.workDir}` : ''}`);
    return 1;
  }
  const shown = Object.entries(r.outputs ?? {}).map(
    ([k, o]) => `  ${k} = ${o.sensitive ? `(sensitive: npm run local:output -- ${k})` : JSON.stringify(o.value)}`,
  );
  console.log(
    `${command}:local done in ${(r.ms / 1000).toFixed(1)} s (${r.providers})${r.clusterReadyMs === undefined ? '' : `; Redis Cluster ready ${(r.clusterReadyMs / 1000).toFixed(1)} s after the apply`}${shown.length ? `; outputs:\n${shown.join('\n')}` : ''}`,
  );
  return 0;
}

if (require.main === module) runCli(`${process.argv[2] ?? 'deploy'}:local`, USAGE, () => main(process.argv[2], process.argv.slice(3)));
