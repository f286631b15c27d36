/**
 * The offline prediction held to real plans of an AWS stack: production (a fixture, ../helpers/environments.ts) is
 * applied by the engine with the real AWS provider into moto as far as moto holds it, then a change an operator makes
 * (a credential rotation step and a shorter log retention) is planned against that state (`npm run plan`'s
 * functions), reviewed from the plan and compared resource by resource with the offline review of the two syntheses.
 * Then changes made outside Terraform (an e-mail unsubscribed, the cache port opened to the world in the console, a
 * log retention shortened) are planned again: the review shows the drift, calls out subscribers and security, and
 * says what this apply does about each.
 *
 * What moto 5.2 cannot hold (README "Reviewing a change"): parameter groups, user groups and CloudWatch alarms fail
 * in the apply, and it keeps a replication group without its encryption, subnet group, security groups or node count,
 * so a plan against it would replace the group whatever changed. Those stay out of the state; the review lists their
 * predictions as not provable from this state, and they rest on the provider source (constructs/facts/force-new.ts).
 * One apply and two plans, shared by the cases.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { EnvironmentConfig } from '../../config/environments';
import { renderMarkdown } from '../../scripts/review/markdown';
import { PlanJson } from '../../scripts/review/read-plan';
import { StackReview, review } from '../../scripts/review/review';
import { applyWorkDir, planWorkDir, stackWorkDir } from '../../scripts/tools/plan';
import { Moto, fakeAwsEnv, startMoto } from '../../scripts/tools/plan-moto';
import { readStacks, run, SynthStack, tempDir, Tools } from '../../scripts/tools/tools';
import { CacheEnvironmentStack } from '../../stacks/environment-stack';
import { deploymentSettings } from '../../stacks/settings';
import { FIXED_ENVIRONMENTS } from '../helpers/environments';
import { mustHaveTools, toolsForTests } from '../helpers/tools';

const NEEDS = ['engine', 'aws', 'random', 'moto'] as const;
const t = toolsForTests(process.env, NEEDS);

/** What a deploy of a protected environment passes (as in tools-moto.test.ts). */
const DEPLOY_VARS = {
  client_access: { security_group_ids: [], cidrs: ['10.20.0.0/16'] },
  alarm_subscribers: { emails: ['oncall@example.com'], https_endpoints: [], topic_arns: [] },
};
/** The resource types moto 5.2.1 creates for this provider (the others fail: README "What real plans prove"). */
const HELD_BY_MOTO = [
  'aws_cloudwatch_log_group',
  'aws_elasticache_subnet_group',
  'aws_elasticache_user',
  'aws_kms_alias',
  'aws_kms_key',
  'aws_secretsmanager_secret',
  'aws_security_group',
  'aws_sns_topic',
  'aws_sns_topic_policy',
  'aws_sns_topic_subscription',
  'aws_vpc_security_group_ingress_rule',
  'random_id',
  'random_password',
];
const BASE: Partial<EnvironmentConfig> = { logRetentionDays: 90, credentialRotation: { version: 1, step: 'rotate' } };

let tools: Tools;
let moto: Moto;
let work: string;
let statePath: string;

function synth(name: string, change: Partial<EnvironmentConfig>): SynthStack {
  const outdir = path.join(work, `out-${name}`);
  const app = new App({ outdir });
  const environment = { ...FIXED_ENVIRONMENTS.production, ...change };
  new CacheEnvironmentStack(app, 'production', {
    environment,
    deployment: deploymentSettings('production', { AWS_REGION: 'us-east-1', CACHE_STATE_BUCKET: 'isl-cache-test-state' }),
  });
  app.synth();
  return readStacks(outdir)[0];
}

/** One working copy for the apply and every plan (initialized once: the AWS provider is 900 MB). */
function workDir(stack: SynthStack): string {
  const dir = path.join(work, 'engine');
  stackWorkDir(stack, dir, { moto, vars: DEPLOY_VARS, statePath });
  return dir;
}

async function plan(name: string, stack: SynthStack, refresh = true): Promise<PlanJson> {
  const p = await planWorkDir(tools, workDir(stack), 'production', { env: fakeAwsEnv(moto.url), text: false, refresh });
  if (!p.json) throw new Error(`plan ${name} failed:\n${p.error ?? ''}`);
  return p.json;
}

/** boto3 against moto (moto's virtualenv): what an operator does in the console. */
async function console_(script: string): Promise<string> {
  const prelude = `import boto3, sys\nkw = dict(endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing')\n`;
  const r = await run(tools.motoPython, ['-c', prelude + script, moto.url]);
  if (r.code !== 0) throw new Error(`boto3 failed: ${r.stderr}`);
  return r.stdout.trim();
}

const reviewOf = (base: SynthStack, head: SynthStack, p: PlanJson): StackReview =>
  review(
    { production: head.json },
    { production: base.json },
    {},
    { production: { stack: 'production', file: 'production.json', plan: p, engine: 'x' } },
  ).stacks[0];
const kinds = (xs: readonly { resource: string }[], f: (x: never) => string = () => '') =>
  xs.map((x) => `${x.resource.split('.')[0]}${f(x as never)}`).sort();

(t.skipReason ? describe.skip : describe)('production against moto: the offline prediction held to real plans', () => {
  const s = {} as Record<'base' | 'head', SynthStack>;
  const plans = {} as Record<'change' | 'drift', PlanJson>;
  let inState: string[];

  beforeAll(async () => {
    tools = mustHaveTools(t, process.env, NEEDS);
    work = tempDir('isl-plan-moto-');
    statePath = path.join(work, 'production.tfstate');
    moto = await startMoto(tools);
    await moto.seed('us-east-1', [{ env: 'production', cidr: '10.10.0.0/16', private_subnets: true }]);
    s.base = synth('base', BASE);
    s.head = synth('head', { logRetentionDays: 30, credentialRotation: { version: 2, step: 'rotate' } });
    // only what moto holds (the rest would fail one by one): the resource types below, by address
    const held = new Set(HELD_BY_MOTO);
    const targets = Object.entries(s.base.json.resource ?? {}).flatMap(([type, byName]) =>
      held.has(type) ? Object.keys(byName).map((n) => `${type}.${n}`) : [],
    );
    const applied = await applyWorkDir(tools, workDir(s.base), { env: fakeAwsEnv(moto.url), timeoutMs: 300000, targets });
    if (!applied.ok) throw new Error(`apply into moto failed:\n${applied.output.slice(-3000)}`);
    const list = await run(tools.engine, ['state', 'list', `-state=${statePath}`], { cwd: work });
    inState = list.stdout.split('\n').filter((a) => a && !a.startsWith('data.'));
    plans.change = await plan('change', s.head, false); // the state was just written: no refresh needed
    // outside Terraform: an e-mail unsubscribed, the cache port opened to the world, a retention shortened
    await console_(`
sns = boto3.client('sns', **kw)
for sub in sns.list_subscriptions()['Subscriptions']:
    sns.unsubscribe(SubscriptionArn=sub['SubscriptionArn']) if sub['TopicArn'].endswith('-alarms') else None
ec2 = boto3.client('ec2', **kw)
sg = ec2.describe_security_groups(Filters=[{'Name': 'group-name', 'Values': ['isl-cache-production-cache']}])['SecurityGroups'][0]
ec2.authorize_security_group_ingress(GroupId=sg['GroupId'], IpPermissions=[{'IpProtocol': 'tcp', 'FromPort': 6379, 'ToPort': 6379, 'IpRanges': [{'CidrIp': '0.0.0.0/0'}]}])
boto3.client('logs', **kw).put_retention_policy(logGroupName='/aws/vendedlogs/elasticache/isl-cache-production/slow-log', retentionInDays=1)
`);
    plans.drift = await plan('drift', s.base);
  }, 600000);

  afterAll(async () => {
    await (moto as Moto | undefined)?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  }, 60000);

  test('the apply holds what moto can: keys, topics, subscriptions, the secret, security group and rules, subnet group, users, log groups', () => {
    expect([...new Set(inState.map((a) => a.split('.')[0]))].sort()).toEqual(HELD_BY_MOTO);
    expect(inState).toHaveLength(19);
  });

  test('rotation step 1 and a shorter log retention: the plan and the prediction agree on every resource the state holds', () => {
    const r = reviewOf(s.base, s.head, plans.change);
    expect(kinds(r.plan?.prediction?.agreed ?? [], (a: { action: string }) => ` ${a.action}`)).toEqual([
      'aws_cloudwatch_log_group update',
      'aws_cloudwatch_log_group update',
      'aws_elasticache_user update',
      'random_password create',
    ]);
    expect(r.plan?.prediction?.differs).toEqual([]);
    // what moto could not create is listed, never counted as agreeing
    expect(r.plan?.prediction?.unproven.map((u) => u.resource.split('.')[0])).toContain('aws_elasticache_replication_group');
    expect(r.plan?.prediction?.unproven.map((u) => `${u.resource.split('.')[0]} ${u.predicted}`)).toContain(
      'aws_secretsmanager_secret_version replace',
    );
  });

  test('the plan names the rotation step the offline review names', () => {
    const planned = reviewOf(s.base, s.head, plans.change);
    const offline = review({ production: s.head.json }, { production: s.base.json }).stacks[0];
    const step = (r: StackReview) => r.rotations.map((x) => `${x.resource.split('.')[0]} ${x.step}`);
    expect(step(planned)).toEqual(['aws_elasticache_user rotate']);
    expect(step(offline)).toEqual(['aws_elasticache_user rotate']);
  });

  test('drift: the unsubscribed e-mail and the port opened to the world are called out, with what this apply does', () => {
    const r = reviewOf(s.base, s.base, plans.drift);
    expect(
      r.plan?.drift.map(
        (d) => `${d.action} ${d.type} [${d.topics.join(', ')}] ${d.attributes.map((a) => a.attribute).join(',')}: ${d.thisApply}`,
      ),
    ).toEqual([
      'update aws_cloudwatch_log_group [] retention_in_days: this apply sets retention_in_days back to the configuration',
      'update aws_security_group [security] ingress: this apply leaves it as it is now (not in the configuration, or ignored)',
      'delete aws_sns_topic_subscription [subscribers] : this apply creates it again',
    ]);
    const md = renderMarkdown(
      review(
        { production: s.base.json },
        undefined,
        {},
        { production: { stack: 'production', file: 'production.json', plan: plans.drift, engine: 'x' } },
      ),
    );
    expect(md).toMatch(
      /^- ⚠️ \*\*security\*\* `aws_security_group\.\S+` changed outside Terraform: `ingress`: .*0\.0\.0\.0\/0.*; this apply leaves it as it is now/m,
    );
    expect(md).toMatch(
      /^- ⚠️ \*\*subscribers\*\* `aws_sns_topic_subscription\.\S+\["oncall@example\.com"\]` deleted outside Terraform; this apply creates it again$/m,
    );
  });

  test('the plan JSON holds no secret: the generated passwords in the state appear nowhere in it', () => {
    const state = JSON.parse(fs.readFileSync(statePath, 'utf8')) as {
      resources: { type: string; instances: { attributes: { result?: string } }[] }[];
    };
    const passwords = state.resources
      .filter((x) => x.type === 'random_password')
      .flatMap((x) => x.instances.map((i) => i.attributes.result));
    expect(passwords).toHaveLength(2);
    for (const p of [plans.change, plans.drift]) for (const pw of passwords) expect(JSON.stringify(p)).not.toContain(pw);
  });
});
