/**
 * Hand-off to applications: writes the local Redis's connection settings into a `.env` file (git-ignored, mode 0600),
 * read from the `local` stack's outputs after `cdktf deploy local` (or `npm run deploy:local`).
 *
 *   npm run local:env -- [--out FILE] [--state FILE | --outputs FILE]
 *
 *   --out FILE      the .env file to write (default .env in the current directory). Lines it does not own are kept;
 *                   REDIS_* lines it owns are replaced.
 *   --state FILE    the local stack's Terraform state (default: the path the synthesized local backend names,
 *                   cdktf.out/stacks/local/cdk.tf.json, else terraform.local.tfstate in the project root)
 *   --outputs FILE  instead of the state: the JSON of `terraform output -json` (`-` reads standard input)
 *
 * Variables (guide 000 "Configure ISL to Use Redis": REDIS_HOST, REDIS_PORT, REDIS_DB, REDIS_PASSWORD; guide 003:
 * REDIS_URL; guide 004: REDIS_SSL):
 *   REDIS_HOST, REDIS_PORT, REDIS_DB, REDIS_PASSWORD, REDIS_URL (redis://, or rediss:// in TLS mode), REDIS_SSL
 *   (true/false) and, in TLS mode, REDIS_SSL_CA_CERTS: the path of the CA certificate to trust (named after redis-py's
 *   `ssl_ca_certs`; Node clients pass the file's content as `tls.ca`); with the local Redis Cluster (LOCAL_REDIS_CLUSTER=1)
 *   REDIS_CLUSTER_NODES: its seed nodes, `127.0.0.1:7000,…` (same password and TLS settings).
 * Exit codes: 0 written; 1 the outputs are missing or incomplete (not deployed?), or a file could not be read or
 * written (the message names it); 2 usage: an unknown option, or a path that cannot serve (a directory where a file
 * is named, a file where a directory is needed). Values are shown shortened, the password never.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { describe } from '../constructs/validation';
import { UnusablePath, errnoMeaning, isErrno, statOrUndefined } from '../stacks/paths';

const ROOT = path.resolve(__dirname, '..');

/** The outputs of the local stack this command reads (stacks/local-stack.ts). */
export const REQUIRED_OUTPUTS = ['redis_host', 'redis_port', 'redis_db', 'redis_password', 'redis_url', 'redis_tls'] as const;

/** The variables this command owns in the .env file, in the order written. */
export const ENV_KEYS = [
  'REDIS_HOST',
  'REDIS_PORT',
  'REDIS_DB',
  'REDIS_PASSWORD',
  'REDIS_URL',
  'REDIS_SSL',
  'REDIS_SSL_CA_CERTS',
  'REDIS_CLUSTER_NODES',
] as const;
type EnvKey = (typeof ENV_KEYS)[number];

/** The line above the variables this command writes. */
const ENV_HEADER = '# Local Redis (npm run local:env)';

export class EnvError extends Error {}

type Outputs = Record<string, unknown>;

/** Output values from Terraform state JSON (`outputs.<name>.value`) or from `terraform output -json` (`<name>.value`). */
export function outputValues(json: unknown, source: string): Outputs {
  if (typeof json !== 'object' || json === null) throw new EnvError(`${source}: not a JSON object`);
  const root = json as Record<string, unknown>;
  const outputs = 'outputs' in root && typeof root.version === 'number' ? root.outputs : root;
  if (typeof outputs !== 'object' || outputs === null) throw new EnvError(`${source}: no outputs`);
  return Object.fromEntries(
    Object.entries(outputs as Record<string, unknown>).map(([k, v]) => [k, (v as { value?: unknown } | null)?.value]),
  );
}

/** The .env variables for the local stack's outputs; throws naming every missing or malformed output. */
export function envFromOutputs(o: Outputs, source: string): Record<EnvKey, string | undefined> {
  const problems: string[] = [];
  const missing = REQUIRED_OUTPUTS.filter((k) => o[k] === undefined || o[k] === null);
  if (missing.length) {
    problems.push(`missing outputs ${missing.join(', ')} (deploy the local stack first: cdktf deploy local, or npm run deploy:local)`);
  }
  const str = (k: string) => (typeof o[k] === 'string' || typeof o[k] === 'number' ? String(o[k]) : undefined);
  const tls = o.redis_tls === true || o.redis_tls === 'true';
  const ca = str('redis_ca_cert') ?? '';
  if (!missing.length) {
    if (!/^\d+$/.test(str('redis_port') ?? '')) problems.push(`redis_port: a port number, got ${describe(o.redis_port)}`);
    if (!/^\d+$/.test(str('redis_db') ?? '')) problems.push(`redis_db: a database number, got ${describe(o.redis_db)}`);
    if (!/^rediss?:\/\//.test(str('redis_url') ?? '')) problems.push('redis_url: a redis:// or rediss:// URL');
    if (tls && !ca) problems.push('redis_ca_cert: the CA certificate path, required in TLS mode (redis_tls is true)');
    if (tls && ca && !fs.existsSync(ca)) problems.push(`redis_ca_cert: ${describe(ca)} does not exist (run scripts/local-tls.sh)`);
    const nodes = str('redis_cluster_nodes');
    if (nodes !== undefined && !/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/.test(nodes))
      problems.push(`redis_cluster_nodes: host:port pairs separated by commas, got ${describe(nodes)}`);
  }
  if (problems.length) throw new EnvError(`${source}:\n  - ${problems.join('\n  - ')}`);
  return {
    REDIS_HOST: str('redis_host'),
    REDIS_PORT: str('redis_port'),
    REDIS_DB: str('redis_db'),
    REDIS_PASSWORD: str('redis_password'),
    REDIS_URL: str('redis_url'),
    REDIS_SSL: tls ? 'true' : 'false',
    REDIS_SSL_CA_CERTS: tls ? ca : undefined,
    // the local Redis Cluster's seed nodes (LOCAL_REDIS_CLUSTER=1); same password and TLS settings as above
    REDIS_CLUSTER_NODES: str('redis_cluster_nodes'),
  };
}

/** A value as a .env file holds it: bare when it is plain, else double-quoted with `\` and `"` escaped. */
function envValue(v: string): string {
  return /^[A-Za-z0-9._~:/@?=&%+,-]*$/.test(v) ? v : `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * The new .env text: the existing file's lines that set none of ENV_KEYS, then ours. A variable we no longer set
 * (REDIS_SSL_CA_CERTS after TLS is switched off) is removed.
 */
export function mergeEnv(existing: string, env: Record<EnvKey, string | undefined>): string {
  const owned = new RegExp(`^\\s*(?:export\\s+)?(?:${ENV_KEYS.join('|')})\\s*=`);
  const header = ENV_HEADER;
  const kept = existing
    .split('\n')
    .filter((l) => !owned.test(l) && l !== header)
    .join('\n')
    .replace(/\n+$/, '');
  const ours = ENV_KEYS.flatMap((k) => (env[k] === undefined ? [] : [`${k}=${envValue(env[k])}`]));
  return `${kept ? `${kept}\n\n` : ''}${header}\n${ours.join('\n')}\n`;
}

/** Writes `text` to `file` with mode 0600 (a fresh file renamed over the old one, so no reader sees a partial file). */
export function writePrivate(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

/**
 * Removes the lines this command owns (REDIS_* and its header) from an env file, keeping every other line; deletes
 * the file when nothing else is left. Returns whether the file held any (destroy:local: the password is dead).
 */
export function removeOwnedEnv(file: string): boolean {
  if (!statOrUndefined(file)?.isFile()) return false;
  const text = fs.readFileSync(file, 'utf8');
  const owned = new RegExp(`^\\s*(?:export\\s+)?(?:${ENV_KEYS.join('|')})\\s*=`);
  const lines = text.split('\n');
  if (!lines.some((l) => owned.test(l))) return false;
  const kept = lines
    .filter((l) => !owned.test(l) && l !== ENV_HEADER)
    .join('\n')
    .replace(/\n+$/, '');
  if (kept.trim()) writePrivate(file, `${kept}\n`);
  else fs.rmSync(file);
  return true;
}

/**
 * A file argument as a message names it, or a UnusablePath when it cannot be the file named (`must` exist: read), with
 * the option and the path: a directory, a path below a file, a missing directory.
 */
export function checkFileArgument(option: string, file: string, must: 'read' | 'write'): void {
  const stat = statOrUndefined(file);
  if (stat?.isDirectory())
    throw new UnusablePath(`${option} ${describe(file)}: a directory; name the file${must === 'read' ? ' to read' : ' to write'}`);
  if (stat) return;
  const dir = path.dirname(path.resolve(file));
  const parent = statOrUndefined(dir);
  if (!parent)
    throw new UnusablePath(`${option} ${describe(file)}: the directory ${describe(dir)} does not exist (or a file is in its path)`);
  if (!parent.isDirectory()) throw new UnusablePath(`${option} ${describe(file)}: ${describe(dir)} is a file, not a directory`);
}

/** The state file the synthesized local backend names, else the project root's terraform.local.tfstate. */
export function defaultStatePath(root = ROOT): string {
  const stackDir = path.join(root, 'cdktf.out', 'stacks', 'local');
  try {
    const json = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as {
      terraform?: { backend?: { local?: { path?: string } } };
    };
    const p = json.terraform?.backend?.local?.path;
    if (p) return path.resolve(stackDir, p);
  } catch {
    // not synthesized yet
  }
  return path.join(root, 'terraform.local.tfstate');
}

function main(argv: string[]): number {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        out: { type: 'string', default: '.env' },
        state: { type: 'string' },
        outputs: { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (e) {
    process.stderr.write(`local-env: ${(e as Error).message}\nusage: npm run local:env -- [--out FILE] [--state FILE | --outputs FILE]\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write('usage: npm run local:env -- [--out FILE] [--state FILE | --outputs FILE]\n');
    return 0;
  }
  if (args.state !== undefined && args.outputs !== undefined) {
    process.stderr.write('local-env: --state and --outputs: give one of them\n');
    return 2;
  }
  try {
    let source: string;
    let text: string;
    const out = path.resolve(args.out);
    checkFileArgument('--out', out, 'write');
    if (args.outputs !== undefined) {
      source = args.outputs === '-' ? 'standard input (terraform output -json)' : args.outputs;
      if (args.outputs !== '-') checkFileArgument('--outputs', args.outputs, 'read');
      text = fs.readFileSync(args.outputs === '-' ? 0 : args.outputs, 'utf8');
    } else {
      source = args.state ?? defaultStatePath();
      if (args.state !== undefined) checkFileArgument('--state', args.state, 'read');
      if (!fs.existsSync(source)) throw new EnvError(`${source}: no state (deploy the local stack first: cdktf deploy local)`);
      text = fs.readFileSync(source, 'utf8');
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      // the text may hold the password: say where it breaks, never what it holds
      const at = /position (\d+)/.exec((e as Error).message)?.[1];
      throw new EnvError(`${source}: not JSON${at ? ` (it breaks at character ${at})` : ' (it ends too early or is empty)'}`);
    }
    const env = envFromOutputs(outputValues(json, source), source);
    writePrivate(out, mergeEnv(fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '', env));
    process.stdout.write(
      `local-env: wrote ${ENV_KEYS.filter((k) => env[k] !== undefined).join(', ')} to ${out} (mode 0600; keep it out of git)\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof UnusablePath) {
      process.stderr.write(`local-env: ${e.message}\n`);
      return 2;
    }
    if (e instanceof EnvError) {
      process.stderr.write(`local-env: ${e.message}\n`);
      return 1;
    }
    if (isErrno(e)) {
      process.stderr.write(`local-env: ${e.path === undefined ? '' : `${describe(e.path)}: `}${errnoMeaning(e)}\n`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
