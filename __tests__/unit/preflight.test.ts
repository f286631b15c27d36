/**
 * One run, every problem (stacks/preflight.ts, stacks/synthesize.ts, main.ts): every mistake of every stack and
 * every layer is reported together as one short message without a stack trace, the app exits 1, and the output
 * directory is left exactly as it was. The environments here are fixtures (../helpers/environments.ts), so changing
 * an environment's users in config/ changes none of these expectations.
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AwsEnvironmentName, EnvironmentConfig } from '../../config/environments';
import { preflight } from '../../stacks/preflight';
import { synthesizeApp } from '../../stacks/synthesize';
import { FIXED_ENVIRONMENTS } from '../helpers/environments';

const ROOT = path.resolve(__dirname, '../..');

/** The environments with fixed sizing inputs and windows, so these tests do not follow config/'s live values. */
const FIXTURE = FIXED_ENVIRONMENTS;
const withProduction = (change: Partial<EnvironmentConfig>) => ({ ...FIXTURE, production: { ...FIXTURE.production, ...change } });

describe('config/environments.ts mistakes name the environment and the field', () => {
  it('finds nothing wrong with the fixture', () => {
    expect(preflight(FIXTURE, {}).problems).toEqual([]);
  });

  it.each<[string, Partial<EnvironmentConfig>, string]>([
    [
      'a name that is not its key',
      { name: 'prod' as never },
      'config/environments.ts production.name: "production" (the key it is listed under), got "prod"',
    ],
    [
      'backups kept too long',
      { snapshotRetentionLimitDays: 90 },
      'config/environments.ts production.snapshotRetentionLimitDays: a whole number of days from 0 to 35, got 90',
    ],
    [
      'a backup window in words',
      { snapshotWindow: '3am' },
      'config/environments.ts production.snapshotWindow: UTC "hh:mm-hh:mm", at least 60 minutes, got "3am"',
    ],
    [
      'a 30-minute maintenance window',
      { maintenanceWindow: 'sun:05:00-sun:05:30' },
      'config/environments.ts production.maintenanceWindow: UTC "ddd:hh:mm-ddd:hh:mm" (ddd = sun…sat), at least 60 minutes, got "sun:05:00-sun:05:30"',
    ],
    [
      'windows that overlap',
      { snapshotWindow: '05:00-06:00', maintenanceWindow: 'sun:05:00-sun:06:00' },
      'config/environments.ts production.snapshotWindow: a window that does not overlap maintenanceWindow sun:05:00-sun:06:00, got "05:00-06:00"',
    ],
    [
      'a log retention CloudWatch refuses',
      { logRetentionDays: 10 },
      'config/environments.ts production.logRetentionDays: one of 1, 3, 5, 7, 14, 30,',
    ],
    [
      'applyImmediately as a string',
      { applyImmediately: 'yes' as never },
      'config/environments.ts production.applyImmediately: true or false, got "yes"',
    ],
    ['negative users', { expectedUsers: -1 }, 'config/environments.ts production.expectedUsers: a whole number ≥ 0, got -1'],
    [
      'an engine ElastiCache does not run',
      { engine: 'memcached' as never },
      'config/environments.ts production.engine: one of redis, valkey, got "memcached"',
    ],
    [
      'an alarm threshold above 100 %',
      { alarms: { memoryCritical: { thresholdPercent: 120 } } },
      'config/environments.ts production.alarms.memoryCritical.thresholdPercent: a percentage above 0 and at most 100, got 120',
    ],
  ])('%s', (_, change, message) => {
    const { problems, failedStacks } = preflight(withProduction(change), {});
    expect(problems.some((p) => p.startsWith(message))).toBe(true);
    expect(failedStacks).toEqual(['production']);
  });

  it('reports six bad fields of one environment in one run', () => {
    const { problems } = preflight(
      {
        ...FIXTURE,
        staging: {
          ...FIXTURE.staging,
          snapshotRetentionLimitDays: -1,
          snapshotWindow: 'nightly',
          maintenanceWindow: 'sunday',
          logRetentionDays: 2,
          applyImmediately: 1 as never,
          alarms: { swap: { bytes: -5 } },
        },
      },
      {},
    );
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'config/environments.ts staging.snapshotRetentionLimitDays',
      'config/environments.ts staging.snapshotWindow',
      'config/environments.ts staging.maintenanceWindow',
      'config/environments.ts staging.logRetentionDays',
      'config/environments.ts staging.applyImmediately',
      'config/environments.ts staging.alarms.swap.bytes',
    ]);
  });
});

describe('a profile beyond the scaling table: fail with the figures unless memoryFloorGiB says how much data', () => {
  it('refuses 10,000,000 users, which would be sized like 10,001', () => {
    const { problems } = preflight(withProduction({ expectedUsers: 10_000_000, memoryFloorGiB: undefined }), {});
    expect(problems).toEqual([
      "config/environments.ts production.expectedUsers: at most 100,000 without memoryFloorGiB (the scaling table's top tier gives only a floor of 16 GiB and 8 cores, which would size 10,000,000 users like 10,001; set memoryFloorGiB to the data size expected at that load; config/scaling.ts TOP_TIER_MAX_USERS_WITHOUT_FLOOR), got 10000000",
    ]);
  });

  it('sizes 100,000 users from the top tier (its decade): one shard until the move to cluster mode, 3 shards at its end', () => {
    const { problems, plans } = preflight(withProduction({ expectedUsers: 100_000, memoryFloorGiB: undefined }), {});
    expect(problems).toEqual([]);
    expect([plans.production?.clusterMode, plans.production?.shards, plans.production?.clusterModeNeeded]).toEqual(['disabled', 1, true]);
    expect([plans.production?.target?.clusterMode, plans.production?.target?.shards]).toEqual(['enabled', 3]);
  });

  it('sizes 10,000,000 users from the memory floor given for them, at the last step of the move', () => {
    const { problems, plans } = preflight(
      withProduction({ expectedUsers: 10_000_000, memoryFloorGiB: 400, clusterModeStep: 'resharded' }),
      {},
    );
    expect(problems).toEqual([]);
    expect([plans.production?.nodeType.name, plans.production?.shards, plans.production?.dataGiB]).toEqual([
      'cache.r7g.4xlarge',
      6,
      476.13,
    ]);
  });

  it('400 GiB in one shard: the move is needed, and the message names the setting', () => {
    const { problems } = preflight(withProduction({ expectedUsers: 10_000_000, memoryFloorGiB: 400 }), {});
    expect(problems).toEqual([
      'config/environments.ts production.memory: one shard holds at most 79.36 GiB of data (the largest catalog node), got 400 GiB: the group needs cluster mode: move it with clusterModeStep (README "Moving to cluster mode"), now at "single-shard"',
    ]);
  });
});

describe('every layer of every stack in one run', () => {
  it('settings, configuration and sizing problems of several stacks together', () => {
    const { problems, failedStacks } = preflight(
      { ...withProduction({ logRetentionDays: 10 }), staging: { ...FIXTURE.staging, expectedUsers: 1.5 } },
      { AWS_REGION: 'mars-1', CACHE_PILOT_VPC_ID: 'garbage', LOCAL_REDIS_PORT: '0x18EB' },
    );
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'AWS_REGION',
      'CACHE_PILOT_VPC_ID',
      'config/environments.ts staging.expectedUsers',
      'config/environments.ts production.logRetentionDays',
      'LOCAL_REDIS_PORT',
    ]);
    expect(failedStacks).toEqual(['pilot', 'staging', 'production', 'local']);
  });

  it('reports a bad CACHE_GUARDRAILS with the other problems, for every stack, instead of crashing synth', () => {
    const { problems } = preflight(FIXTURE, { CACHE_GUARDRAILS: 'off', LOCAL_REDIS_PORT: '0' });
    expect(problems).toEqual([expect.stringMatching(/^LOCAL_REDIS_PORT: /), 'CACHE_GUARDRAILS: enforce or warn, got "off" (every stack)']);
  });

  it("restates a construct's problem under the variable the user set", () => {
    const { problems } = preflight(FIXTURE, { CACHE_PRODUCTION_AVAILABILITY_ZONES: 'us-east-1a' });
    expect(problems).toEqual([
      'CACHE_PRODUCTION_AVAILABILITY_ZONES: at least two distinct zones with Multi-AZ, got ["us-east-1a"] (prop availabilityZones of production/cache)',
    ]);
  });

  it("restates the local stack's construct problem under the variable the user set (LOCAL_REDIS_TLS_DIR)", () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-tls-'));
    try {
      const { problems, failedStacks } = preflight(FIXTURE, { LOCAL_REDIS_TLS: '1', LOCAL_REDIS_TLS_DIR: empty });
      expect(problems).toEqual([
        `LOCAL_REDIS_TLS_DIR: a directory holding ca.crt, redis.crt, redis.key (run scripts/local-tls.sh), got "${empty}" without ca.crt, redis.crt, redis.key (prop tlsDir of local/redis)`,
      ]);
      expect(failedStacks).toEqual(['local']);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

/** Every file under a directory with a hash of its content. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else
        out[r] = crypto
          .createHash('sha256')
          .update(fs.readFileSync(path.join(dir, r)))
          .digest('hex');
    }
  };
  walk('');
  return out;
}

/** An output directory as a previous synth and `cdktf deploy` left it. */
function previousOutput(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-out-'));
  fs.mkdirSync(path.join(dir, 'stacks/production/.terraform/providers'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'manifest.json'), '{"version":"previous","stacks":{}}');
  fs.writeFileSync(path.join(dir, 'stacks/production/cdk.tf.json'), '{"previous":true}');
  fs.writeFileSync(path.join(dir, 'stacks/production/.terraform/providers/marker'), 'provider cache');
  fs.writeFileSync(path.join(dir, 'stacks/production/.terraform.lock.hcl'), 'lock');
  return dir;
}

describe('the synth app: a mistake writes nothing; success replaces only the synthesized files', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  const outdir = () => {
    const d = previousOutput();
    dirs.push(d);
    return d;
  };

  it.each<[string, Record<AwsEnvironmentName, EnvironmentConfig>, Record<string, string>, string[]]>([
    [
      'bad variables of three stacks',
      FIXTURE,
      { AWS_REGION: 'not-a-region', CACHE_STAGING_CLIENT_SECURITY_GROUP_IDS: 'sg-bad', LOCAL_REDIS_PORT: '0x18EB' },
      ['AWS_REGION: an AWS region name', 'CACHE_STAGING_CLIENT_SECURITY_GROUP_IDS: security group ids', 'LOCAL_REDIS_PORT: a decimal port'],
    ],
    ['AWS_REGION=mars-1', FIXTURE, { AWS_REGION: 'mars-1' }, ['- AWS_REGION: an AWS region name such as us-east-1', 'got "mars-1"']],
    ['AWS_REGION=not-a-region', FIXTURE, { AWS_REGION: 'not-a-region' }, ['got "not-a-region" (stacks pilot, staging, production)']],
    ['a bucket named My_Bucket..Name', FIXTURE, { CACHE_STATE_BUCKET: 'My_Bucket..Name' }, ['- CACHE_STATE_BUCKET: an S3 bucket name']],
    ['CACHE_PRODUCTION_VPC_ID=garbage', FIXTURE, { CACHE_PRODUCTION_VPC_ID: 'garbage' }, ['- CACHE_PRODUCTION_VPC_ID: a VPC id']],
    [
      'CACHE_PRODUCTION_CLIENT_SECURITY_GROUP_IDS=sg-bad',
      FIXTURE,
      { CACHE_PRODUCTION_CLIENT_SECURITY_GROUP_IDS: 'sg-bad' },
      ['- CACHE_PRODUCTION_CLIENT_SECURITY_GROUP_IDS: security group ids'],
    ],
    [
      'CACHE_PRODUCTION_AVAILABILITY_ZONES=mars-1z',
      FIXTURE,
      { CACHE_PRODUCTION_AVAILABILITY_ZONES: 'mars-1z' },
      ['- CACHE_PRODUCTION_AVAILABILITY_ZONES: zones of us-east-1', 'got "mars-1z" (stack production)'],
    ],
    [
      'LOCAL_REDIS_PORT=0x18EB',
      FIXTURE,
      { LOCAL_REDIS_PORT: '0x18EB' },
      ['- LOCAL_REDIS_PORT: a decimal port number from 1 to 65535, got "0x18EB"'],
    ],
    [
      'LOCAL_REDIS_TLS=1 with the certificates missing',
      FIXTURE,
      { LOCAL_REDIS_TLS: '1', LOCAL_REDIS_TLS_DIR: '/nonexistent' },
      [
        'Synthesis stopped: 1 problem',
        '- LOCAL_REDIS_TLS_DIR: a directory holding ca.crt, redis.crt, redis.key (run scripts/local-tls.sh), got "/nonexistent" without ca.crt, redis.crt, redis.key (prop tlsDir of local/redis)\n',
      ],
    ],
    [
      'expectedUsers: 10000000',
      withProduction({ expectedUsers: 10_000_000, memoryFloorGiB: undefined }),
      {},
      ['- config/environments.ts production.expectedUsers: at most 100,000 without memoryFloorGiB'],
    ],
    [
      'six bad fields in config/environments.ts',
      withProduction({
        name: 'prod' as never,
        snapshotRetentionLimitDays: -1,
        snapshotWindow: 'nightly',
        maintenanceWindow: 'sunday',
        logRetentionDays: 2,
        applyImmediately: 'no' as never,
      }),
      {},
      [
        'Synthesis stopped: 6 problems',
        'production.name',
        'production.snapshotRetentionLimitDays',
        'production.snapshotWindow',
        'production.maintenanceWindow',
        'production.logRetentionDays',
        'production.applyImmediately',
      ],
    ],
    [
      'a guardrail violation (production backups kept 1 day) after preflight passed',
      withProduction({ snapshotRetentionLimitDays: 1 }),
      {},
      ['production: ', 'backup'],
    ],
  ])('%s: exit 1, every problem listed, output directory unchanged', (_, environments, env, fragments) => {
    const dir = outdir();
    const before = tree(dir);
    let message = '';
    const code = synthesizeApp({ environments, env, outdir: dir, write: (t) => (message += t) });
    expect(code).toBe(1);
    expect(message).toMatch(/^Synthesis stopped: \d+ problems?; nothing was written to /);
    for (const f of fragments) expect(message).toContain(f);
    expect(message).not.toContain('skipValidation');
    expect(message).not.toMatch(/^\s+at /m);
    expect(tree(dir)).toEqual(before);
    expect(fs.readdirSync(path.dirname(dir)).filter((n) => n.startsWith(`${path.basename(dir)}.synth-`))).toEqual([]);
  });

  it('CACHE_GUARDRAILS=warn: the same violation is printed as a warning and the stacks are written', () => {
    const dir = outdir();
    let message = '';
    const code = synthesizeApp({
      environments: withProduction({ snapshotRetentionLimitDays: 1 }),
      env: { CACHE_GUARDRAILS: 'warn' },
      outdir: dir,
      write: (t) => (message += t),
    });
    expect(code).toBe(0);
    expect(message).toMatch(
      /^Warning \(CACHE_GUARDRAILS=warn\): production: guardrail backup-retention: aws_elasticache_replication_group\.\S+: /m,
    );
    expect(fs.existsSync(path.join(dir, 'stacks/production/cdk.tf.json'))).toBe(true);
  });

  it('on success writes the manifest and every stack, keeping .terraform and the lock file', () => {
    const dir = outdir();
    const code = synthesizeApp({ environments: FIXTURE, env: {}, outdir: dir, write: () => undefined });
    expect(code).toBe(0);
    const files = Object.keys(tree(dir)).sort();
    expect(files).toEqual([
      'manifest.json',
      'stacks/local/cdk.tf.json',
      'stacks/pilot/cdk.tf.json',
      'stacks/production/.terraform.lock.hcl',
      'stacks/production/.terraform/providers/marker',
      'stacks/production/cdk.tf.json',
      'stacks/staging/cdk.tf.json',
    ]);
    expect(Object.keys((JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { stacks: object }).stacks).sort()).toEqual(
      ['local', 'pilot', 'production', 'staging'],
    );
  });
});

describe('main.ts as cdktf runs it', () => {
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['-r', './scripts/ts-register.js', 'main.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });

  it("prints a user's mistakes as one short message without a stack trace and exits 1, writing nothing", () => {
    const dir = previousOutput();
    try {
      const before = tree(dir);
      const r = run({
        CDKTF_OUTDIR: dir,
        AWS_REGION: 'mars-1',
        CACHE_STATE_BUCKET: 'My_Bucket..Name',
        CACHE_PRODUCTION_VPC_ID: 'garbage',
        CACHE_PRODUCTION_CLIENT_SECURITY_GROUP_IDS: 'sg-bad',
        CACHE_STAGING_AVAILABILITY_ZONES: 'mars-1z,us-east-1a',
        LOCAL_REDIS_PORT: '0x18EB',
      });
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      // main.ts reads the live config/environments.ts: only the variables' lines are asserted
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines[0]).toMatch(new RegExp(`^Synthesis stopped: \\d+ problems; nothing was written to ${dir}\\.$`));
      expect(lines.map((l) => /^ {2}- ([A-Z][A-Z_]+):/.exec(l)?.[1]).filter(Boolean)).toEqual([
        'AWS_REGION',
        'CACHE_STATE_BUCKET',
        'CACHE_STAGING_AVAILABILITY_ZONES',
        'CACHE_PRODUCTION_VPC_ID',
        'CACHE_PRODUCTION_CLIENT_SECURITY_GROUP_IDS',
        'LOCAL_REDIS_PORT',
      ]);
      expect(lines[lines.length - 1]).toMatch(/^Fix these and run again\./);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(tree(dir)).toEqual(before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('an output directory that cannot be used: exit 2, one line naming it and why, no stack trace, nothing written', () => {
    let dir: string;
    let file: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-outdir-'));
      file = path.join(dir, 'not-a-dir');
      fs.writeFileSync(file, 'x');
    });
    afterAll(() => {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it.each<[string, () => string, (d: string) => string]>([
      [
        'below a file',
        () => path.join(file, 'out'),
        (d) =>
          `Synthesis stopped: the output directory (CDKTF_OUTDIR, cdktf synth --output) "${d}": "${file}" is a file, not a directory; nothing was written.\n`,
      ],
      [
        'an existing file',
        () => file,
        (d) =>
          `Synthesis stopped: the output directory (CDKTF_OUTDIR, cdktf synth --output) "${d}" is a file, not a directory; nothing was written.\n`,
      ],
      [
        'under /proc, where directories cannot be made (Node’s recursive mkdir never returns there)',
        () => '/proc/isl-cache-out',
        (d) =>
          `Synthesis stopped: the output directory (CDKTF_OUTDIR, cdktf synth --output) "${d}": cannot create "${d}.synth-PID": does not exist or cannot be created there (ENOENT); nothing was written.\n`,
      ],
    ])('%s', (_, outdir, message) => {
      const r = spawnSync(process.execPath, ['-r', './scripts/ts-register.js', 'main.ts'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 30000,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', CDKTF_OUTDIR: outdir() },
      });
      expect({ status: r.status, stdout: r.stdout, stderr: r.stderr.replace(/\.synth-\d+"/, '.synth-PID"') }).toEqual({
        status: 2,
        stdout: '',
        stderr: message(outdir()),
      });
      expect(fs.readFileSync(file, 'utf8')).toBe('x');
      expect(fs.readdirSync(dir)).toEqual(['not-a-dir']);
    });
  });
});
