/**
 * The guardrails that make AWS stacks work for their operators: each rule passes the environment stacks as
 * they are and refuses the defect it exists for, reproduced on the synthesized JSON (the shape the code produced
 * before the fix), with a message that says what is wrong and why. The environments are fixtures
 * (../helpers/environments.ts), so changing an environment's users in config/ changes none of these.
 */
import { App, Aspects, TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { EnvironmentConfig } from '../../config/environments';
import { RedisReplicationGroup } from '../../constructs/elasticache/replication-group';
import { GuardrailsAspect } from '../../constructs/guardrails/aspect';
import { environmentViolations } from '../helpers/guardrails';
import { TfJson } from '../../constructs/tf-json';
import { CacheEnvironmentStack } from '../../stacks/environment-stack';
import { deploymentSettings } from '../../stacks/settings';
import { FIXED_ENVIRONMENTS } from '../helpers/environments';
import { BASE_GROUP_PROPS } from '../helpers/synth';

type Json = TfJson & {
  resource: Record<string, Record<string, any>>;
  data: Record<string, Record<string, any>>;
  variable: Record<string, any>;
};

const ISSUE_11_RULES = [
  'events-topic',
  'alarm-subscribers',
  'client-ingress',
  'create-before-destroy-names',
  'final-snapshot-unique',
  'key-deletion-window',
  'kms-key-policy',
  'vended-log-groups',
  'lookups-fail-early',
  'provider-versions',
  'plain-text',
];

function synth(env: EnvironmentConfig): Json {
  const stack = new CacheEnvironmentStack(Testing.app(), env.name, { environment: env, deployment: deploymentSettings(env.name, {}) });
  return JSON.parse(Testing.synth(stack)) as Json;
}
const clone = (j: Json): Json => JSON.parse(JSON.stringify(j)) as Json;
const first = (j: Json, type: string) => Object.values(j.resource[type])[0];
const byName = (j: Json, type: string, name: string) => Object.values(j.resource[type]).find((r) => r.name === name);
const violations = (j: Json, rule: string, stack = 'production') => environmentViolations(j, stack).filter((v) => v.rule === rule);

let production: Json;
let pilot: Json;
let staging: Json;
beforeAll(() => {
  production = synth(FIXED_ENVIRONMENTS.production);
  staging = synth(FIXED_ENVIRONMENTS.staging);
  pilot = synth(FIXED_ENVIRONMENTS.pilot);
});

describe('the environment stacks as they are', () => {
  it.each(['pilot', 'staging', 'production'])('%s passes every operator rule', (name) => {
    const json = { pilot, staging, production }[name]!;
    expect(environmentViolations(json, name).filter((v) => ISSUE_11_RULES.includes(v.rule))).toEqual([]);
  });
});

describe('each rule refuses its defect', () => {
  it('events-topic: an encrypted events topic, and one without an AWS:SourceOwner policy', () => {
    const j = clone(production);
    const events = byName(j, 'aws_sns_topic', 'isl-cache-production-events');
    events.kms_master_key_id = '${aws_kms_key.cache_key_57DA9DF8.arn}';
    delete j.resource.aws_sns_topic_policy;
    expect(violations(j, 'events-topic').map((v) => v.message)).toEqual([
      expect.stringMatching(
        /notification_topic_arn is aws_sns_topic\.\S+, encrypted with kms_master_key_id: ElastiCache cannot publish to an encrypted topic/,
      ),
      expect.stringMatching(/the events topic has no aws_sns_topic_policy with an AWS:SourceOwner condition/),
    ]);
  });

  it('alarm-subscribers: alarms whose subscribers may be an empty list at deploy time (no validation)', () => {
    const j = clone(production);
    j.variable.alarm_subscribers.validation = j.variable.alarm_subscribers.validation.filter((v: any) => !/> 0\}$/.test(v.condition));
    const alarms = Object.keys(j.resource.aws_cloudwatch_metric_alarm).length;
    expect(violations(j, 'alarm-subscribers').map((v) => v.message)).toEqual([
      `${alarms} alarm(s) in production notify nobody: their actions have no subscriber that is certain to exist (a subscription, an existing topic ARN, or subscriptions driven by a variable whose validation refuses an empty list)`,
    ]);
    // pilot may run without subscribers (the review warns instead)
    expect(violations(pilot, 'alarm-subscribers', 'pilot')).toEqual([]);
  });

  it('alarm-subscribers: a fixed e-mail subscription satisfies it', () => {
    const j = clone(production);
    j.variable.alarm_subscribers.validation = [];
    const alarmsTopic = Object.keys(j.resource.aws_sns_topic).find(
      (k) => j.resource.aws_sns_topic[k].name === 'isl-cache-production-alarms',
    )!;
    j.resource.aws_sns_topic_subscription = {
      oncall: { topic_arn: `\${aws_sns_topic.${alarmsTopic}.arn}`, protocol: 'email', endpoint: 'oncall@example.com' },
    };
    expect(violations(j, 'alarm-subscribers')).toEqual([]);
  });

  it('client-ingress: the VPC range as client, and clients that may be empty', () => {
    const j = clone(production);
    const [cidrRule] = Object.keys(j.resource.aws_vpc_security_group_ingress_rule).filter((k) => k.includes('ingress-cidrs'));
    j.resource.aws_vpc_security_group_ingress_rule[cidrRule].cidr_ipv4 = '${data.aws_vpc.vpc.cidr_block}';
    delete j.resource.aws_vpc_security_group_ingress_rule[cidrRule].for_each;
    expect(violations(j, 'client-ingress').map((v) => v.message)).toContainEqual(
      'isl-cache-production: admits the whole VPC range (${data.aws_vpc.vpc.cidr_block}); name the client security groups or CIDRs',
    );
    const k = clone(production);
    k.variable.client_access.validation = [];
    expect(violations(k, 'client-ingress').map((v) => v.message)).toContainEqual(
      'isl-cache-production: no client may connect (no ingress rule on its security group)',
    );
  });

  it('create-before-destroy-names: the engine version in the parameter group description but not in its name', () => {
    const j = clone(production);
    first(j, 'aws_elasticache_parameter_group').description = 'isl-cache-production: redis 7.1 parameters (single shard)';
    expect(violations(j, 'create-before-destroy-names').map((v) => v.message)).toEqual([
      'description "isl-cache-production: redis 7.1 parameters (single shard)" forces replacement but "redis", "7", "1", "single", "shard" is not in its name "isl-cache-production-redis7": a change there creates the new one under the old name before the old one is destroyed, and collides',
    ]);
  });

  it('create-before-destroy-names applies to any resource constructs/facts/force-new.ts knows, e.g. a topic', () => {
    const j = clone(production);
    Object.assign(byName(j, 'aws_sns_topic', 'isl-cache-production-alarms'), {
      fifo_topic: true,
      lifecycle: { create_before_destroy: true },
    });
    expect(violations(j, 'create-before-destroy-names').map((v) => v.message)).toEqual([
      expect.stringMatching(/^fifo_topic true forces replacement but "true" is not in its name "isl-cache-production-alarms"/),
    ]);
  });

  it('final-snapshot-unique: a fixed final snapshot name', () => {
    const j = clone(production);
    first(j, 'aws_elasticache_replication_group').final_snapshot_identifier = 'isl-cache-production-final';
    expect(violations(j, 'final-snapshot-unique').map((v) => v.message)).toEqual([
      expect.stringMatching(
        /^isl-cache-production: final_snapshot_identifier "isl-cache-production-final" does not change with every generation: the second destroy or a replacement collides/,
      ),
    ]);
  });

  it('final-snapshot-unique: a name from a variable is as fixed as a literal', () => {
    const j = clone(production);
    first(j, 'aws_elasticache_replication_group').final_snapshot_identifier = '${var.final_snapshot_name}';
    expect(violations(j, 'final-snapshot-unique')).toHaveLength(1);
  });

  it('recreatable-names: a secret that keeps its name for 7 days after a destroy', () => {
    const j = clone(production);
    first(j, 'aws_secretsmanager_secret').recovery_window_in_days = 7;
    expect(violations(j, 'recreatable-names').map((v) => v.message)).toEqual([
      'secret isl-cache-production/auth waits 7 days under its name after a destroy, so creating the stack again meanwhile fails: set recovery_window_in_days = 0 or a name that changes per generation',
    ]);
  });

  it("provider-versions: the bindings' own pins (aws 6.25.0) and no engine requirement", () => {
    const j = clone(production);
    j.terraform!.required_providers.aws.version = '6.25.0';
    delete j.terraform!.required_version;
    expect(violations(j, 'provider-versions').map((v) => `${v.resource}: ${v.message}`)).toEqual([
      'terraform.required_providers.aws: pins aws 6.25.0, but the constructs are verified with 6.47.0: call pinVerifiedProviders(stack) after creating the providers',
      'terraform.required_version: is null; required: ">= 1.10.0" (S3 native state locking), set by pinVerifiedProviders(stack)',
    ]);
  });

  it('plain-text: a description with a sign the API does not document, a security group description outside the EC2 set', () => {
    const j = clone(production);
    first(j, 'aws_elasticache_replication_group').description = 'isl-cache production cache: 3 × cache.m7g.xlarge';
    first(j, 'aws_security_group').description = 'Redis port from the clients – only';
    expect(violations(j, 'plain-text').map((v) => `${v.resource.split('.')[0]}: ${v.message}`)).toEqual([
      'aws_elasticache_replication_group: description has "×"; allowed: printable ASCII',
      'aws_security_group: description has "–"; allowed: letters, digits, spaces and . _ - : / ( ) # , @ [ ] + = & ; { } ! $ *',
    ]);
  });

  it('auth: a protected environment on a bare AUTH token', () => {
    const j = clone(production);
    const rg = first(j, 'aws_elasticache_replication_group');
    delete rg.user_group_ids;
    rg.auth_token = '${random_password.token.result}';
    expect(violations(j, 'auth').map((v) => v.message)).toEqual([
      'isl-cache-production authenticates with one AUTH token, which grants every command (FLUSHALL included) to whoever holds it in production: use an RBAC user group (authentication rbac)',
    ]);
  });

  it.each<[string, string, string]>([
    ['everything', 'on ~* +@all', 'FLUSHALL, FLUSHDB, KEYS'],
    ['KEYS through +@read after the denial', 'on ~* +@all -flushall -flushdb -keys +@read', 'KEYS'],
    ['FLUSHDB through a later category', 'on ~* -@all +@keyspace -flushall -keys', 'FLUSHDB'],
  ])('application-commands: an application user allowed %s', (_, access, allowed) => {
    const j = clone(production);
    const app = Object.values(j.resource.aws_elasticache_user).find((u) => u.user_name !== 'default')!;
    app.access_string = access;
    expect(violations(j, 'application-commands').map((v) => v.message)).toEqual([
      `isl-cache-production: user isl-cache-production-app may run ${allowed} (access string ${JSON.stringify(access)}); deny them (e.g. "-flushall -flushdb -keys")`,
    ]);
  });

  it('application-commands: a user "default" that is on with every command (the AWS-provided default user)', () => {
    const j = clone(production);
    const dflt = Object.values(j.resource.aws_elasticache_user).find((u) => u.user_name === 'default')!;
    dflt.access_string = 'on ~* +@all';
    expect(violations(j, 'application-commands')).toHaveLength(1);
  });

  it('application-commands: a user group without a user named default, or with a user defined elsewhere', () => {
    const j = clone(production);
    const g = first(j, 'aws_elasticache_user_group');
    g.user_ids = [...(g.user_ids as string[]).filter((u) => !u.includes('default-user')), 'someone-elses-user'];
    expect(violations(j, 'application-commands').map((v) => v.message)).toEqual([
      expect.stringMatching(/user "someone-elses-user" of aws_elasticache_user_group\.\S+ is not defined in this stack/),
      expect.stringMatching(/has no user named "default"/),
    ]);
  });

  it('key-deletion-window: a key that would leave the final snapshot 7 days to be rescued', () => {
    const j = clone(production);
    first(j, 'aws_kms_key').deletion_window_in_days = 7;
    expect(violations(j, 'key-deletion-window').map((v) => v.message)).toEqual([
      expect.stringMatching(/deletion window is 7 days: .*keep 30$/),
    ]);
  });

  it('kms-key-policy: the old statement (cloudwatch, elasticache, events, no condition)', () => {
    const j = clone(production);
    const doc = Object.entries(j.data.aws_iam_policy_document).find(([k]) => k.startsWith('cache_key-policy'))![1];
    doc.statement[1] = {
      sid: 'ServicesPublishToEncryptedTopic',
      principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com', 'elasticache.amazonaws.com', 'events.amazonaws.com'] }],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    };
    expect(violations(j, 'kms-key-policy').map((v) => v.message)).toEqual([
      'statement ServicesPublishToEncryptedTopic names elasticache.amazonaws.com, events.amazonaws.com, which uses nothing of the key: drop it',
      'statement ServicesPublishToEncryptedTopic lets cloudwatch.amazonaws.com, elasticache.amazonaws.com, events.amazonaws.com use the key without a condition (aws:SourceAccount, aws:SourceArn or an encryption context)',
    ]);
  });

  it('vended-log-groups: log groups under /aws/elasticache/', () => {
    const j = clone(production);
    for (const g of Object.values(j.resource.aws_cloudwatch_log_group))
      g.name = String(g.name).replace('/aws/vendedlogs/elasticache/', '/aws/elasticache/');
    expect(violations(j, 'vended-log-groups').map((v) => v.message)).toEqual([
      expect.stringMatching(
        /^isl-cache-production: slow-log goes to log group \/aws\/elasticache\/isl-cache-production\/slow-log, not under \/aws\/vendedlogs\//,
      ),
      expect.stringMatching(/^isl-cache-production: engine-log goes to log group \/aws\/elasticache\/isl-cache-production\/engine-log/),
    ]);
  });

  it('lookups-fail-early: a subnet lookup without postcondition and a VPC looked up by tag', () => {
    const j = clone(production);
    const [zoneLookup] = Object.keys(j.data.aws_subnets);
    delete j.data.aws_subnets[zoneLookup].lifecycle;
    j.data.aws_vpc.vpc = { tags: { Environment: 'production' } };
    expect(violations(j, 'lookups-fail-early').map((v) => `${v.resource}: ${v.message.split(':')[0]}`)).toEqual([
      `data.aws_subnets.${zoneLookup}: returns an empty list without error`,
      "data.aws_vpc.vpc: looks the VPC up by filter and fails with the provider's generic error on zero or several matches",
    ]);
  });
});

describe('synth refuses it', () => {
  it('a group given an encrypted events topic does not synthesize (guardrail events-topic)', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    new RandomProvider(stack, 'random');
    const topic = new SnsTopic(stack, 'encrypted-events', { name: 'encrypted-events', kmsMasterKeyId: 'alias/team-key' });
    new RedisReplicationGroup(stack, 'cache', { ...BASE_GROUP_PROPS, notificationTopic: topic });
    Aspects.of(stack).add(new GuardrailsAspect({ mode: 'enforce' }));
    expect(() => Testing.synth(stack, true)).toThrow(
      /guardrail events-topic: aws_elasticache_replication_group\.\S+: isl-cache-test: notification_topic_arn is aws_sns_topic\.encrypted-events, encrypted/,
    );
  });

  it("a bring-your-own unencrypted topic without our policy is the owner's business: only its encryption is checked when it is not in the stack", () => {
    const app = new App();
    const stack = new TerraformStack(app, 'byo');
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    new RandomProvider(stack, 'random');
    new RedisReplicationGroup(stack, 'cache', {
      ...BASE_GROUP_PROPS,
      notificationTopic: { arn: 'arn:aws:sns:us-east-1:123456789012:team-events' },
      alarmTopic: { arn: 'arn:aws:sns:us-east-1:123456789012:team-alarms' },
    });
    const json = JSON.parse(Testing.synth(stack)) as Json;
    expect(first(json, 'aws_elasticache_replication_group').notification_topic_arn).toBe('arn:aws:sns:us-east-1:123456789012:team-events');
    expect(json.resource.aws_sns_topic).toBeUndefined();
    expect(environmentViolations(json, 'byo').filter((v) => v.rule === 'events-topic')).toEqual([]);
  });
});
