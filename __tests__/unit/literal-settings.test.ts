/**
 * No setting reaches the synthesized JSON as an expression. Terraform reads every string of the JSON syntax
 * as a template, so `${…}` in a value is evaluated (`CACHE_PILOT_VPC_TAG='Environment=${file("/etc/hostname")}'` read
 * the file at plan) and `%{…}` is a directive. Every variable the project reads is tried with both, with a newline and
 * with a quote: each bad value is refused where it is read, once, naming the variable; a quote survives as a literal
 * where it is harmless; and the guardrail `literal-settings` refuses a stack in which such a value arrived another way.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Aspects, Testing, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { RedisReplicationGroup } from '../../constructs/elasticache/replication-group';
import { GuardrailsAspect } from '../../constructs/guardrails/aspect';
import { AWS_ENVIRONMENTS } from '../../config/environments';
import { LOCAL_ENV, PASSWORD_ENV } from '../../config/local';
import { LOCAL_CLUSTER_ENV } from '../../config/local-cluster';
import { environmentViolations } from '../helpers/guardrails';
import { templateSequence } from '../../constructs/guardrails/rules/literal-settings';
import { TfJson } from '../../constructs/tf-json';
import { describe as describeValue } from '../../constructs/validation';
import { CacheEnvironmentStack } from '../../stacks/environment-stack';
import { LocalStack } from '../../stacks/local-stack';
import { preflight } from '../../stacks/preflight';
import { ENVIRONMENT_VARIABLE_SUFFIXES, SHARED_VARIABLES, deploymentSettings } from '../../stacks/settings';
import { synthesizeApp } from '../../stacks/synthesize';
import { FIXED_ENVIRONMENTS } from '../helpers/environments';
import { BASE_GROUP_PROPS } from '../helpers/synth';

/** Every variable the synth reads, with what else must be set for it to be read. */
const VARIABLES: ReadonlyArray<[string, Record<string, string>]> = [
  ...SHARED_VARIABLES.map((v): [string, Record<string, string>] => [
    v,
    v === 'CACHE_STATE_REGION' || v === 'CACHE_STATE_LOCK_TABLE' ? { CACHE_STATE_BUCKET: 'state' } : {},
  ]),
  ...AWS_ENVIRONMENTS.flatMap((e) =>
    ENVIRONMENT_VARIABLE_SUFFIXES.map((s): [string, Record<string, string>] => [`CACHE_${e.toUpperCase()}_${s}`, {}]),
  ),
  [LOCAL_ENV.engine, {}],
  [LOCAL_ENV.port, {}],
  [LOCAL_ENV.tls, {}],
  [LOCAL_ENV.tlsDir, { [LOCAL_ENV.tls]: '1' }],
  [LOCAL_ENV.image, {}],
  [LOCAL_CLUSTER_ENV.cluster, {}],
  [LOCAL_CLUSTER_ENV.firstPort, {}],
];

const problemsWith = (variable: string, value: string, extra: Record<string, string>) =>
  preflight(FIXED_ENVIRONMENTS, { ...extra, [variable]: value }).problems;

/** How a refused value is shown: quoted, except an endpoint's, which may hold a credential (described instead). */
const shown = (variable: string, quoted: string, length: number) =>
  /_ALARM_HTTPS_ENDPOINTS(_AUTO_CONFIRM)?$/.test(variable)
    ? `a value of ${length} characters \\(not shown: it may hold a credential\\)`
    : quoted;

describe('every variable refuses a value Terraform would evaluate, naming the variable once', () => {
  it('covers the 50 variables of config/deployment.ts, config/local.ts and config/local-cluster.ts', () => {
    expect(VARIABLES).toHaveLength(4 + 3 * 13 + 5 + 2);
  });

  it.each(VARIABLES)('%s: ${…} is refused as an expression', (variable, extra) => {
    expect(problemsWith(variable, 'x${file("/etc/hostname")}', extra)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${variable}: a literal value without "\\$\\{" or "%\\{" \\(Terraform would evaluate "\\$\\{…" in it as an expression\\), got ${shown(variable, '"x\\$\\{file\\(\\\\"/etc/hostname\\\\"\\)\\}"', 25)} \\(stacks? [a-z, ]+\\)$`,
        ),
      ),
    ]);
  });

  it.each(VARIABLES)('%s: %{…} is refused as a template directive', (variable, extra) => {
    expect(problemsWith(variable, 'x%{ if true }y%{ endif }', extra)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${variable}: a literal value without .* as a template directive\\), got ${shown(variable, '"x%\\{ if true \\}y%\\{ endif \\}"', 24)}`,
        ),
      ),
    ]);
  });

  it.each(VARIABLES)('%s: a newline inside the value is refused and shown escaped', (variable, extra) => {
    expect(problemsWith(variable, 'x\ny', extra)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${variable}: a value without control characters \\(newline, tab, escape …\\), got ${shown(variable, '"x\\\\ny"', 3)} `,
        ),
      ),
    ]);
  });

  it.each(VARIABLES)('%s: an escape sequence is refused and never sent to the terminal', (variable, extra) => {
    const [problem] = problemsWith(variable, 'x\u001b[2Jy', extra);
    expect(problem).toContain(`${variable}: a value without control characters`);
    expect(problem).toContain(
      /_ALARM_HTTPS_ENDPOINTS(_AUTO_CONFIRM)?$/.test(variable) ? 'got a value of 6 characters (not shown' : 'got "x\\u001b[2Jy"',
    );
    expect(problem).not.toContain('\u001b');
  });

  /** The variables whose form admits a quote: tag keys and values (EC2 allows any character). */
  const QUOTE_ACCEPTED = AWS_ENVIRONMENTS.flatMap((e) => [`CACHE_${e.toUpperCase()}_VPC_TAG`, `CACHE_${e.toUpperCase()}_SUBNET_TAG`]);

  it.each(VARIABLES.filter(([v]) => !QUOTE_ACCEPTED.includes(v)))(
    '%s: a quote is refused by the form, naming the variable',
    (variable, extra) => {
      const problems = problemsWith(variable, 'x"y', extra);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`^${variable}: `));
    },
  );

  it('LOCAL_REDIS_TLS_DIR: a quote or a backslash is refused, because the path is placed inside filesha256("…")', () => {
    for (const dir of ['/tmp/a"b', '/tmp/a\\b']) {
      expect(problemsWith(LOCAL_ENV.tlsDir, dir, { [LOCAL_ENV.tls]: '1' })).toEqual([
        `LOCAL_REDIS_TLS_DIR: a value without " or \\ (it is placed inside a Terraform expression, which they would break), got ${JSON.stringify(dir)} (stack local)`,
      ]);
    }
  });

  it('a tag with quotes and backslashes is a literal: synth passes and the JSON holds it verbatim', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'literal-settings-'));
    try {
      const env = Object.fromEntries(QUOTE_ACCEPTED.map((v) => [v, v.endsWith('VPC_TAG') ? 'Name=the "main" VPC \\ 1' : 'Tier="private"']));
      let message = '';
      expect(synthesizeApp({ environments: FIXED_ENVIRONMENTS, env, outdir, write: (t) => (message += t) })).toBe(0);
      expect(message).toBe('');
      const pilot = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks/pilot/cdk.tf.json'), 'utf8')) as TfJson;
      expect(pilot.data?.aws_vpcs.vpcs.tags).toEqual({ Name: 'the "main" VPC \\ 1' });
      expect(pilot.data?.['aws_subnets']['private-subnets-us-east-1a'].filter[2]).toEqual({ name: 'tag:Tier', values: ['"private"'] });
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('a whitespace-only or empty value counts as unset', () => {
    expect(problemsWith('CACHE_PILOT_VPC_TAG', '   ', {})).toEqual([]);
    expect(problemsWith('LOCAL_REDIS_PORT', '', {})).toEqual([]);
  });
});

describe('a 10,000-character value is shortened in the message', () => {
  it('shows its first 60 and last 20 characters and its length', () => {
    const long = `${'a'.repeat(5000)}${'b'.repeat(5000)}`;
    const [problem] = problemsWith('CACHE_PRODUCTION_VPC_ID', long, {});
    expect(problem).toBe(
      `CACHE_PRODUCTION_VPC_ID: a VPC id ("vpc-" and 8 or 17 lower-case hex digits), got "${'a'.repeat(60)}…${'b'.repeat(20)}" (10000 characters) (stack production)`,
    );
  });

  it('CACHE_GUARDRAILS too (refused by its form: enforce or warn)', () => {
    expect(problemsWith('CACHE_GUARDRAILS', `\${${'x'.repeat(9997)}}`, {})).toEqual([
      `CACHE_GUARDRAILS: enforce or warn, got "\${${'x'.repeat(58)}…${'x'.repeat(19)}}" (10000 characters) (every stack)`,
    ]);
  });

  it('shortens long lists and objects too', () => {
    expect(describeValue(Array.from({ length: 1000 }, (_, i) => `item-${i}`))).toBe(
      '["item-0", "item-1", "item-2", "item-3", "item-4", "item-5",…em-998", "item-999"] (11890 characters)',
    );
    expect(describeValue({ key: 'v'.repeat(500) })).toBe(`{"key":"${'v'.repeat(52)}…${'v'.repeat(18)}"} (510 characters)`);
  });
});

describe('TF_VAR_redis_password is checked at synth and never shown', () => {
  it.each<[string, string, string]>([
    ['sixteen a', 'a'.repeat(16), 'got a string of 16 characters, 1 different, an estimated 75 bits'],
    ['sixteen digits in order', '1234567890123456', 'got a string of 16 characters, 10 different, an estimated 53 bits'],
    ['sixteen lower-case letters', 'abcdefghijklmnop', 'got a string of 16 characters, 16 different, an estimated 75 bits'],
    ['a template sequence', 'abcdEFGH1234${x}', 'got a string of 16 characters, some outside the allowed ones'],
    ['too short', 'aB3.', 'got a string of 4 characters'],
  ])('refuses %s', (_, password, described) => {
    const problems = problemsWith(PASSWORD_ENV, password, {});
    expect(problems).toEqual([
      `TF_VAR_redis_password: 16–128 characters from A-Za-z0-9._~-, at least 8 different characters and an estimated 80 bits (length × log2 of the character classes used; e.g. 16 random letters and digits, or openssl rand -hex 16), ${described} (stack local)`,
    ]);
    expect(problems.join('\n')).not.toContain(password);
  });

  it.each<[string, string]>([
    ['16 random letters and digits', 'q7RfK2mZx9Lp4TbW'],
    ['openssl rand -hex 16', '3f9a1c07e5b24d8e9a6c5b1d2e7f8a90'],
    ['16 hex digits (openssl rand -hex 8)', '3f9a1c07e5b24d8e'],
  ])('accepts %s', (_, password) => {
    expect(problemsWith(PASSWORD_ENV, password, {})).toEqual([]);
  });
});

describe('guardrail literal-settings: a template sequence that reached a setting another way fails synth', () => {
  const literalViolations = (json: TfJson, stack: string) =>
    environmentViolations(json, stack)
      .filter((v) => v.rule === 'literal-settings')
      .map((v) => `${v.resource}: ${v.message}`);

  it('finds the sequences and lets their escapes pass', () => {
    expect(['a${b}', 'a%{ if x }', 'a$${b}', 'a%%{b}', 'plain', '$', '%'].map(templateSequence)).toEqual([
      '${',
      '%{',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('passes every stack as synthesized from the defaults', () => {
    const app = Testing.app();
    const stacks = AWS_ENVIRONMENTS.map(
      (e) => new CacheEnvironmentStack(app, e, { environment: FIXED_ENVIRONMENTS[e], deployment: deploymentSettings(e, {}) }),
    );
    for (const s of stacks) expect(literalViolations(JSON.parse(Testing.synth(s)) as TfJson, s.node.id)).toEqual([]);
    const local = new LocalStack(Testing.app(), 'local', { env: {} });
    expect(literalViolations(JSON.parse(Testing.synth(local)) as TfJson, 'local')).toEqual([]);
    // the cluster's create step quotes its own logs in its message (${self.container_logs}): the project's own reference
    const cluster = JSON.parse(Testing.synth(new LocalStack(Testing.app(), 'local', { env: { LOCAL_REDIS_CLUSTER: '1' } }))) as TfJson;
    expect(JSON.stringify(cluster)).toContain('${self.container_logs}');
    expect(literalViolations(cluster, 'local')).toEqual([]);
  });

  it('refuses a VPC tag and a subnet tag that bypassed the settings (a stack built with its own DeploymentSettings)', () => {
    const dep = deploymentSettings('pilot', {});
    const stack = new CacheEnvironmentStack(Testing.app(), 'pilot', {
      environment: FIXED_ENVIRONMENTS.pilot,
      deployment: {
        ...dep,
        vpcTag: { key: 'Environment', value: '${file("/etc/hostname")}' },
        subnetTag: { key: 'Tier%{ if true }', value: 'private' },
      },
    });
    expect(literalViolations(JSON.parse(Testing.synth(stack)) as TfJson, 'pilot')).toEqual([
      'data.aws_vpcs.vpcs: a template sequence "${" in a literal setting (CACHE_<ENV>_VPC_TAG) at tags.Environment: Terraform would evaluate it, got "${file(\\"/etc/hostname\\")}"; refuse it where it is read (or escape it: $${ and %%{)',
      'data.aws_subnets.private-subnets-us-east-1a: a template sequence "%{" in a literal setting (CACHE_<ENV>_SUBNET_TAG, _SUBNET_IDS or _AVAILABILITY_ZONES) at filter.2.name: Terraform would evaluate it, got "tag:Tier%{ if true }"; refuse it where it is read (or escape it: $${ and %%{)',
      'data.aws_subnets.private-subnets-us-east-1a: a template sequence "%{" in a literal setting (a message naming settings) at lifecycle.postcondition.0.error_message: Terraform would evaluate it, got "pilot: no subnet tagged Tier%{ if true }=private in zone us-…AVAILABILITY_ZONES)." (209 characters); refuse it where it is read (or escape it: $${ and %%{)',
      'data.aws_vpcs.vpcs: a template sequence "${" in a literal setting (a message naming settings) at lifecycle.postcondition.0.error_message: Terraform would evaluate it, got "pilot: exactly one VPC tagged Environment=${file(\\"/etc/hostn…g only that VPC has." (171 characters); refuse it where it is read (or escape it: $${ and %%{)',
    ]);
  });

  it('refuses a TLS path with a template sequence in the local stack JSON (upload source, CA output)', () => {
    const json = JSON.parse(Testing.synth(new LocalStack(Testing.app(), 'local', { env: {} }))) as TfJson;
    const container = Object.values(json.resource?.docker_container ?? {})[0];
    (container.upload as Array<Record<string, unknown>>).push({ file: '/etc/redis/certs/ca.crt', source: '/home/${path.cwd}/ca.crt' });
    (json.output as Record<string, { value: unknown }>).redis_ca_cert.value = '/home/${path.cwd}/ca.crt';
    expect(literalViolations(json, 'local').map((l) => `${l.split(':')[0]} at ${/ at ([^:]+):/.exec(l)?.[1] ?? '?'}`)).toEqual([
      'docker_container.redis_container_C24AB333 at upload.1.source',
      'output.redis_ca_cert at value',
    ]);
  });

  it('fails synth of another team’s group restored from an S3 object whose ARN carries an expression', () => {
    const stack = new TerraformStack(Testing.app(), 'team');
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    new RandomProvider(stack, 'random');
    new RedisReplicationGroup(stack, 'cache', { ...BASE_GROUP_PROPS, snapshotArns: ['arn:aws:s3:::backups/${file("/etc/hostname")}.rdb'] });
    Aspects.of(stack).add(new GuardrailsAspect({ mode: 'enforce' }));
    expect(() => Testing.synth(stack, true)).toThrow(
      /guardrail literal-settings: aws_elasticache_replication_group\.\S+: a template sequence "\$\{" in a literal setting \(the snapshotName\/snapshotArns props\) at snapshot_arns\.0: Terraform would evaluate it/,
    );
  });
});
