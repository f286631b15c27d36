/**
 * The environments themselves (config/environments.ts with config/scaling.ts), as synthesized stacks: this file and
 * its snapshot (a compact summary per stack, ../helpers/stack-summary.ts) are what changes when an environment does.
 */
import { Testing } from 'cdktf';
import { deploymentSettings } from '../../stacks/settings';
import { AWS_ENVIRONMENTS, AwsEnvironmentName, ENVIRONMENTS, EnvironmentConfig } from '../../config/environments';
import { CacheEnvironmentStack } from '../../stacks/environment-stack';
import { FIXED_ENVIRONMENTS } from '../helpers/environments';
import { summarizeStack } from '../helpers/stack-summary';
import { TfJson, onlyResource, resourcesOf, synthJson } from '../helpers/synth';

/** Default deployment settings: no environment variables at all, as on a fresh machine. */
function build(
  name: AwsEnvironmentName,
  env: Record<string, string> = {},
  environments: Readonly<Record<AwsEnvironmentName, EnvironmentConfig>> = ENVIRONMENTS,
) {
  const stack = new CacheEnvironmentStack(Testing.app(), name, {
    environment: environments[name],
    deployment: deploymentSettings(name, env),
  });
  return { stack, json: synthJson(stack) };
}

/** What each environment deploys today (guide 001's users and floors through the scaling table). */
const SPEC: Record<
  AwsEnvironmentName,
  { nodeType: string; nodes: string[]; description: string; logRetentionDays: number; backupDays: number }
> = {
  pilot: {
    nodeType: 'cache.t4g.small',
    nodes: ['isl-cache-pilot-001'],
    description: 'isl-cache pilot cache: 1 x cache.t4g.small, 1 shard(s) of 1 primary + 0 replica(s)',
    logRetentionDays: 14,
    backupDays: 1,
  },
  staging: {
    nodeType: 'cache.t4g.medium',
    nodes: ['isl-cache-staging-001', 'isl-cache-staging-002'],
    description: 'isl-cache staging cache: 2 x cache.t4g.medium, 1 shard(s) of 1 primary + 1 replica(s)',
    logRetentionDays: 30,
    backupDays: 7,
  },
  production: {
    nodeType: 'cache.m7g.xlarge',
    nodes: ['isl-cache-production-001', 'isl-cache-production-002', 'isl-cache-production-003'],
    description: 'isl-cache production cache: 3 x cache.m7g.xlarge, 1 shard(s) of 1 primary + 2 replica(s)',
    logRetentionDays: 90,
    backupDays: 30,
  },
};

/** Who must be named before a plan: pilot admits its VPC's range and pages nobody; staging and production refuse both. */
const PROTECTED_CLIENTS = {
  subscribersRequired: true,
  clientsRequired: true,
  clientAccessDefault: { security_group_ids: [], cidrs: [] },
  ingress: ['${toset(var.client_access.cidrs)}', '${toset(var.client_access.security_group_ids)}'],
  vpcRangeAdmitted: false,
};
const CLIENTS: Record<AwsEnvironmentName, { title: string; expected: Record<string, unknown> }> = {
  pilot: {
    title: 'pilot: no subscriber required, and the VPC range admitted when no client is named',
    expected: {
      subscribersRequired: false,
      clientsRequired: false,
      clientAccessDefault: undefined,
      ingress: [expect.stringMatching(/^\$\{data\.aws_vpc\.[^.]+\.cidr_block\}$/)],
      vpcRangeAdmitted: true,
    },
  },
  staging: { title: 'staging: an empty subscriber or client list fails the plan', expected: PROTECTED_CLIENTS },
  production: { title: 'production: an empty subscriber or client list fails the plan', expected: PROTECTED_CLIENTS },
};

/** Logical ids of the stack's resources (construct ids are a contract: a new one replaces the resource). */
const ID = {
  rg: 'aws_elasticache_replication_group.cache_replication-group_FA5C54CF',
  key: 'aws_kms_key.cache_key_57DA9DF8',
  events: 'aws_sns_topic.cache_events_8444C0B1',
  alarms: 'aws_sns_topic.cache_alarms_758A3A66',
  sg: 'aws_security_group.cache_security-group_D323B821',
  subnets: 'aws_elasticache_subnet_group.cache_subnets_C4370C03',
  pg: 'aws_elasticache_parameter_group.cache_parameters_40CE81C8',
  appPassword: 'random_password.cache_application-password-a_F9AF74E8',
  defaultPassword: 'random_password.cache_default-user-password_F0EF7228',
  appUser: 'aws_elasticache_user.cache_application-user_6BFB5E0F',
  defaultUser: 'aws_elasticache_user.cache_default-user_25F2A90A',
  userGroup: 'aws_elasticache_user_group.cache_user-group_99C09024',
  secret: 'aws_secretsmanager_secret.cache_auth-secret_17C4D2DF',
  dashboard: 'aws_cloudwatch_dashboard.alarms_dashboard_34D798F3',
  account: 'data.aws_caller_identity.cache_account_C17B8F26.account_id',
  partition: 'data.aws_partition.cache_partition_B72864FD.partition',
  region: 'data.aws_region.cache_region_288B2503.region',
} as const;

/** The synthesized `variable` section (the helper's TfJson does not type it). */
const variables = (json: TfJson): Record<string, any> => (json as TfJson & { variable: Record<string, any> }).variable;

const rgOf = (json: TfJson) => onlyResource(json, 'aws_elasticache_replication_group');

describe.each(AWS_ENVIRONMENTS)('the %s stack', (name) => {
  let json: TfJson;
  let stack: CacheEnvironmentStack;
  beforeAll(() => ({ stack, json } = build(name)));

  it('deploys the node type, node count and engine its sizing plan chose', () => {
    const rg = rgOf(json);
    expect(rg).toMatchObject({
      replication_group_id: `isl-cache-${name}`,
      description: SPEC[name].description,
      engine: 'valkey',
      engine_version: '8.1',
      node_type: SPEC[name].nodeType,
      num_cache_clusters: SPEC[name].nodes.length,
      cluster_mode: 'disabled',
      port: 6379,
    });
    expect(stack.plan.nodeType.name).toBe(SPEC[name].nodeType);
    expect(stack.cache.nodes.map((n) => n.cacheClusterId)).toEqual(SPEC[name].nodes);
  });

  it('wires the group to its own key, events topic, security group, subnet group and parameter group', () => {
    expect(rgOf(json)).toMatchObject({
      kms_key_id: `\${${ID.key}.arn}`,
      notification_topic_arn: `\${${ID.events}.arn}`,
      security_group_ids: [`\${${ID.sg}.id}`],
      subnet_group_name: `\${${ID.subnets}.name}`,
      parameter_group_name: `\${${ID.pg}.name}`,
      auto_minor_version_upgrade: 'true',
      snapshot_window: '03:00-04:00',
      maintenance_window: 'sun:05:00-sun:06:00',
      final_snapshot_identifier: `isl-cache-${name}-final-\${random_id.cache_final-snapshot-suffix_2EA6A534.hex}`,
      log_delivery_configuration: [
        {
          destination: '${aws_cloudwatch_log_group.cache_slow-log_31146A07.name}',
          destination_type: 'cloudwatch-logs',
          log_format: 'json',
          log_type: 'slow-log',
        },
        {
          destination: '${aws_cloudwatch_log_group.cache_engine-log_6D164668.name}',
          destination_type: 'cloudwatch-logs',
          log_format: 'json',
          log_type: 'engine-log',
        },
      ],
    });
    expect(onlyResource(json, 'aws_elasticache_parameter_group')).toEqual({
      name: `isl-cache-${name}-valkey8`,
      family: 'valkey8',
      description: `isl-cache-${name} valkey8 parameters`,
      lifecycle: { create_before_destroy: true },
      parameter: [
        { name: 'maxmemory-policy', value: 'allkeys-lru' },
        { name: 'reserved-memory-percent', value: '25' },
        { name: 'slowlog-log-slower-than', value: '10000' },
        { name: 'slowlog-max-len', value: '128' },
      ],
    });
    for (const log of ['slow-log', 'engine-log'])
      expect(resourcesOf(json, 'aws_cloudwatch_log_group')).toContainEqual({
        name: `/aws/vendedlogs/elasticache/isl-cache-${name}/${log}`,
        retention_in_days: SPEC[name].logRetentionDays,
        kms_key_id: `\${${ID.key}.arn}`,
      });
  });

  // what the stack authenticates with and where clients find it: the test to change with the authentication scheme
  it('authenticates clients as the RBAC application user; the credentials and ready URLs are in a secret under the same key', () => {
    expect(rgOf(json)).toMatchObject({ user_group_ids: [`\${${ID.userGroup}.user_group_id}`] });
    // created with RBAC: no AUTH token, so no token update strategy (aws 6.25.0 refused one at the first plan)
    expect(rgOf(json).auth_token_update_strategy).toBeUndefined();
    expect(rgOf(json).auth_token).toBeUndefined();
    expect(onlyResource(json, 'aws_elasticache_user_group')).toEqual({
      user_group_id: `isl-cache-${name}-users`,
      engine: 'redis',
      user_ids: [`\${${ID.defaultUser}.user_id}`, `\${${ID.appUser}.user_id}`],
    });
    expect(resourcesOf(json, 'aws_elasticache_user')).toEqual([
      {
        user_id: `isl-cache-${name}-app`,
        user_name: `isl-cache-${name}-app`,
        engine: 'redis',
        access_string: 'on ~* +@all -flushall -flushdb -keys',
        authentication_mode: { type: 'password', passwords: [`\${${ID.appPassword}.result}`] },
      },
      {
        user_id: `isl-cache-${name}-default`,
        user_name: 'default',
        engine: 'redis',
        access_string: 'off -@all',
        authentication_mode: { type: 'password', passwords: [`\${${ID.defaultPassword}.result}`] },
      },
    ]);
    expect(onlyResource(json, 'aws_secretsmanager_secret')).toEqual({
      name: `isl-cache-${name}/auth`,
      description: `isl-cache-${name}: credentials and endpoints of the ElastiCache replication group`,
      kms_key_id: `\${${ID.key}.arn}`,
      recovery_window_in_days: 0,
    });
    const user = `\${urlencode(${ID.appUser}.user_name)}:\${urlencode(${ID.appPassword}.result)}`;
    const [primary, reader] = ['primary_endpoint_address', 'reader_endpoint_address'].map((a) => `${ID.rg}.${a}`);
    expect(onlyResource(json, 'aws_secretsmanager_secret_version')).toEqual({
      secret_id: `\${${ID.secret}.id}`,
      secret_string:
        `\${jsonencode({"username" = ${ID.appUser}.user_name, "password" = ${ID.appPassword}.result, "host" = ${primary}, "port" = 6379, "tls" = true, ` +
        `"url" = "rediss://${user}@\${${primary}}:6379", "reader_host" = ${reader}, "reader_url" = "rediss://${user}@\${${reader}}:6379"})}`,
    });
    expect(onlyResource(json, 'aws_kms_key')).toMatchObject({ deletion_window_in_days: 30, enable_key_rotation: true });
    expect(onlyResource(json, 'aws_kms_alias')).toEqual({ name: `alias/isl-cache-${name}`, target_key_id: `\${${ID.key}.key_id}` });
  });

  it('lets the account administer its key and topics, and each service only what it needs, under conditions', () => {
    const policies = Object.fromEntries(
      Object.entries(json.data!.aws_iam_policy_document).map(([id, doc]) => [
        id,
        doc.statement.map((s: any) => ({
          sid: s.sid,
          principals: s.principals.flatMap((p: any) => p.identifiers),
          actions: s.actions,
          conditions: (s.condition ?? []).map((c: any) => `${c.variable} ${c.test} ${c.values.join(',')}`),
          resources: s.resources,
        })),
      ]),
    );
    const root = `arn:\${${ID.partition}}:iam::\${${ID.account}}:root`;
    const topicAdmin = [
      'SNS:GetTopicAttributes',
      'SNS:SetTopicAttributes',
      'SNS:AddPermission',
      'SNS:RemovePermission',
      'SNS:DeleteTopic',
      'SNS:Subscribe',
      'SNS:ListSubscriptionsByTopic',
      'SNS:Publish',
    ];
    expect(policies).toEqual({
      'cache_alarms-topic-policy_46132F81': [
        { sid: 'AccountOwnerManages', principals: [root], actions: topicAdmin, conditions: [], resources: [`\${${ID.alarms}.arn}`] },
        {
          sid: 'CloudWatchPublishesAlarms',
          principals: ['cloudwatch.amazonaws.com'],
          actions: ['SNS:Publish'],
          conditions: [
            `aws:SourceAccount StringEquals \${${ID.account}}`,
            `aws:SourceArn ArnLike arn:\${${ID.partition}}:cloudwatch:\${${ID.region}}:\${${ID.account}}:alarm:*`,
          ],
          resources: [`\${${ID.alarms}.arn}`],
        },
      ],
      'cache_events-topic-policy_4BB917E3': [
        { sid: 'AccountOwnerManages', principals: [root], actions: topicAdmin, conditions: [], resources: [`\${${ID.events}.arn}`] },
        {
          sid: 'ElastiCachePublishesEvents',
          principals: ['*'],
          actions: ['SNS:Publish'],
          conditions: [`AWS:SourceOwner StringEquals \${${ID.account}}`],
          resources: [`\${${ID.events}.arn}`],
        },
      ],
      'cache_key-policy_D72AF9C2': [
        { sid: 'AccountAdministers', principals: [root], actions: ['kms:*'], conditions: [], resources: ['*'] },
        {
          sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
          principals: ['cloudwatch.amazonaws.com'],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          conditions: [`aws:SourceAccount StringEquals \${${ID.account}}`],
          resources: ['*'],
        },
        {
          sid: 'CloudWatchLogsEncryptsLogGroups',
          principals: [`logs.\${${ID.region}}.amazonaws.com`],
          actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          conditions: [
            `kms:EncryptionContext:aws:logs:arn ArnLike arn:\${${ID.partition}}:logs:\${${ID.region}}:\${${ID.account}}:log-group:/aws/vendedlogs/elasticache/isl-cache-${name}/*`,
          ],
          resources: ['*'],
        },
      ],
    });
  });

  it("describes each alarm by its node, the node's role and type, and where the thresholds live", () => {
    const alarms = resourcesOf(json, 'aws_cloudwatch_metric_alarm');
    // Valkey 8.1: the p95 read and write latency alarms on every node besides the slow-commands alarm
    expect(alarms).toHaveLength({ pilot: 14, staging: 29, production: 44 }[name]);
    for (const a of alarms) {
      const node = /^(isl-cache-\w+-\d{3})-/.exec(a.alarm_name)![1];
      const role = node === SPEC[name].nodes[0] ? 'primary' : 'replica';
      expect(a.alarm_description.startsWith(`${node} (${role} at creation, shard 1, ${SPEC[name].nodeType}): `)).toBe(true);
      expect(a.alarm_description.endsWith(' Thresholds: config/alarms.ts.')).toBe(true);
      expect(a.alarm_description.length).toBeLessThanOrEqual(1024);
    }
  });

  it('draws every node on its dashboard', () => {
    const dashboard = onlyResource(json, 'aws_cloudwatch_dashboard');
    expect(dashboard.dashboard_name).toBe(`isl-cache-${name}`);
    const widgets: any[] = JSON.parse(dashboard.dashboard_body).widgets;
    const drawn = new Set(widgets.flatMap((w) => w.properties.metrics.map((m: unknown[]) => m[3])));
    expect([...drawn].filter((d) => typeof d === 'string' && d.startsWith('isl-cache-')).sort()).toEqual(SPEC[name].nodes);
  });

  it('tags every resource through the provider: environment, project, managed-by', () => {
    expect(json.provider!.aws[0].default_tags).toEqual([{ tags: { environment: name, project: 'isl-cache', 'managed-by': 'cdktf' } }]);
  });

  it('encrypts at rest and in transit, authenticates RBAC users, and keeps backups as configured', () => {
    expect(rgOf(json)).toMatchObject({
      at_rest_encryption_enabled: 'true',
      transit_encryption_enabled: true,
      transit_encryption_mode: 'required',
      snapshot_retention_limit: SPEC[name].backupDays,
    });
    expect(rgOf(json).auth_token).toBeUndefined();
    expect(rgOf(json).user_group_ids).toEqual([expect.stringMatching(/^\$\{aws_elasticache_user_group\./)]);
    const users = Object.values(json.resource.aws_elasticache_user).map((u) => `${u.user_name as string}: ${u.access_string as string}`);
    expect(users.sort()).toEqual([`default: off -@all`, `isl-cache-${name}-app: on ~* +@all -flushall -flushdb -keys`]);
  });

  it('keeps local state when no state bucket is configured, so synth works anywhere', () => {
    expect(json.terraform!.backend).toEqual({ local: { path: `../../../terraform.${name}.tfstate` } });
  });

  it('looks up exactly one VPC by tag, else the plan stops naming CACHE_<ENV>_VPC_ID', () => {
    const P = `CACHE_${name.toUpperCase()}_`;
    const vpcs = Object.values(json.data!.aws_vpcs)[0];
    expect(vpcs.tags).toEqual({ Environment: name });
    expect(vpcs.lifecycle.postcondition).toEqual([
      {
        condition: '${length(self.ids) == 1}',
        error_message: `${name}: exactly one VPC tagged Environment=${name} is needed to place the cache; set ${P}VPC_ID, or ${P}VPC_TAG to a tag only that VPC has.`,
      },
    ]);
    expect(Object.values(json.data!.aws_vpc)[0].id).toMatch(/^\$\{one\(data\.aws_vpcs\.vpcs\.ids\)\}$/);
  });

  it('looks up private subnets in each zone a node is placed in; a zone without one stops the plan, naming the zone and the settings', () => {
    const P = `CACHE_${name.toUpperCase()}_`;
    // one zone per node, in order (pilot: 1 node, staging: 2, production: 3)
    const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'].slice(0, SPEC[name].nodes.length);
    const lookups = Object.values(json.data!.aws_subnets);
    expect(lookups.map((l) => l.filter.find((f: any) => f.name === 'availability-zone').values)).toEqual(zones.map((z) => [z]));
    for (const [i, l] of lookups.entries()) {
      expect(l.filter).toContainEqual({ name: 'tag:Tier', values: ['private'] });
      expect(l.lifecycle.postcondition).toEqual([
        {
          condition: '${length(self.ids) > 0}',
          error_message: `${name}: no subnet tagged Tier=private in zone ${zones[i]} of the VPC, where a cache node is placed; tag one, or set ${P}SUBNET_IDS (or ${P}SUBNET_TAG, ${P}AVAILABILITY_ZONES).`,
        },
      ]);
    }
    expect(onlyResource(json, 'aws_elasticache_subnet_group').subnet_ids).toMatch(/^\$\{flatten\(\[data\.aws_subnets\./);
  });

  it("checks the zones against the region's available zones at plan time, naming CACHE_<ENV>_AVAILABILITY_ZONES", () => {
    const zones = Object.values(json.data!.aws_availability_zones)[0];
    expect(zones.state).toBe('available');
    // only the named zones, so a zone AWS adds later never enters the result (checkov CKV_AWS_394)
    expect(zones.filter).toEqual([{ name: 'zone-name', values: ['us-east-1a', 'us-east-1b', 'us-east-1c'] }]);
    expect(zones.lifecycle.postcondition[0].condition).toBe(
      '${alltrue([for z in ["us-east-1a","us-east-1b","us-east-1c"] : contains(self.names, z)])}',
    );
    expect(zones.lifecycle.postcondition[0].error_message).toMatch(
      new RegExp(
        `^${name}: CACHE_${name.toUpperCase()}_AVAILABILITY_ZONES \\(us-east-1a,us-east-1b,us-east-1c\\) names a zone that is not available`,
      ),
    );
  });

  it('creates two topics: unencrypted ElastiCache events, encrypted alarms, and outputs both', () => {
    const topics = resourcesOf(json, 'aws_sns_topic');
    expect(topics.map((t) => [t.name, t.kms_master_key_id === undefined ? 'unencrypted' : 'encrypted']).sort()).toEqual([
      [`isl-cache-${name}-alarms`, 'encrypted'],
      [`isl-cache-${name}-events`, 'unencrypted'],
    ]);
    expect(Object.keys(json.output!)).toEqual(expect.arrayContaining(['notification_topic_arn', 'alarm_topic_arn']));
  });

  it('subscribes the alarm_subscribers variable to both topics and notifies its existing topics from every alarm', () => {
    const subs = resourcesOf(json, 'aws_sns_topic_subscription');
    expect(subs.map((x) => `${x.protocol} ${x.for_each}`).sort()).toEqual([
      'email ${toset(var.alarm_subscribers.emails)}',
      'email ${toset(var.alarm_subscribers.emails)}',
      'https ${toset(var.alarm_subscribers.https_endpoints)}',
      'https ${toset(var.alarm_subscribers.https_endpoints)}',
      'https ${toset(var.alarm_subscribers.https_endpoints_auto_confirm)}',
      'https ${toset(var.alarm_subscribers.https_endpoints_auto_confirm)}',
    ]);
    // the apply waits for a confirmation only from endpoints that confirm themselves (a wait fails for any other)
    expect(
      subs
        .filter((x) => x.protocol === 'https')
        .map((x) => `${x.for_each} auto_confirms=${x.endpoint_auto_confirms} wait=${x.confirmation_timeout_in_minutes ?? '-'}`)
        .sort(),
    ).toEqual([
      '${toset(var.alarm_subscribers.https_endpoints)} auto_confirms=false wait=-',
      '${toset(var.alarm_subscribers.https_endpoints)} auto_confirms=false wait=-',
      '${toset(var.alarm_subscribers.https_endpoints_auto_confirm)} auto_confirms=true wait=5',
      '${toset(var.alarm_subscribers.https_endpoints_auto_confirm)} auto_confirms=true wait=5',
    ]);
    for (const alarm of resourcesOf(json, 'aws_cloudwatch_metric_alarm')) {
      expect(alarm.alarm_actions).toMatch(
        /^\$\{concat\(\[aws_sns_topic\.cache_alarms_[0-9A-F]+\.arn\], var\.alarm_subscribers\.topic_arns\)\}$/,
      );
      expect(alarm.ok_actions).toBe(alarm.alarm_actions);
    }
    expect(variables(json).alarm_subscribers.default).toEqual({
      emails: [],
      https_endpoints: [],
      https_endpoints_auto_confirm: [],
      topic_arns: [],
    });
  });

  it(CLIENTS[name].title, () => {
    const required = (v: string) => (variables(json)[v]?.validation ?? []).some((x: any) => /> 0\}$/.test(x.condition));
    const rules = resourcesOf(json, 'aws_vpc_security_group_ingress_rule');
    expect({
      subscribersRequired: required('alarm_subscribers'),
      clientsRequired: required('client_access'),
      clientAccessDefault: variables(json).client_access?.default,
      ingress: rules.map((r) => r.for_each ?? r.cidr_ipv4).sort(),
      vpcRangeAdmitted: /cidr_block/.test(JSON.stringify(rules)),
    }).toEqual(CLIENTS[name].expected);
  });

  it('outputs the endpoints, port, secret ARN, the key a reader must decrypt with, and security group id', () => {
    expect(Object.keys(json.output!)).toEqual(
      expect.arrayContaining([
        'primary_endpoint',
        'reader_endpoint',
        'configuration_endpoint',
        'port',
        'auth_secret_arn',
        'security_group_id',
      ]),
    );
    expect(json.output!.auth_secret_kms_key_arn.value).toMatch(/^\$\{aws_kms_key\.cache_key_[0-9A-F]+\.arn\}$/);
    expect(Object.fromEntries(Object.entries(json.output!).map(([k, o]) => [k, o.description]))).toEqual({
      alarm_dashboard_name: 'CloudWatch dashboard of the cache nodes',
      alarm_topic_arn: 'CloudWatch alarm and OK notifications (encrypted topic)',
      auth_secret_arn: 'Secrets Manager secret: username, password, host, reader_host, port, tls, url, reader_url',
      auth_secret_kms_key_arn:
        'KMS key the secret is encrypted with: a reader needs kms:Decrypt on it besides secretsmanager:GetSecretValue',
      configuration_endpoint: 'Configuration endpoint (cluster mode enabled)',
      notification_topic_arn: 'ElastiCache events (unencrypted topic; e-mail and HTTPS subscribers)',
      port: undefined,
      primary_endpoint: 'Primary endpoint (cluster mode disabled)',
      reader_endpoint: 'Reader endpoint (cluster mode disabled)',
      security_group_id: 'Security group of the cache nodes',
    });
  });

  it('explains in each plan-time check what to set', () => {
    const P = `CACHE_${name.toUpperCase()}_`;
    const messages = (v: string) => (variables(json)[v]?.validation ?? []).map((x: any) => x.error_message);
    expect(messages('alarm_subscribers')).toEqual([
      ...(name === 'pilot'
        ? []
        : [
            `No alarm subscriber: the alarms would page nobody. ${name} needs at least one: set ${P}ALARM_EMAILS, ${P}ALARM_HTTPS_ENDPOINTS, ${P}ALARM_HTTPS_ENDPOINTS_AUTO_CONFIRM or ${P}ALARM_TOPIC_ARNS (comma-separated) and synthesize again, or pass -var 'alarm_subscribers={emails=["oncall@example.com"], https_endpoints=[], topic_arns=[]}' to cdktf deploy.`,
          ]),
      'At most 4 topic_arns: CloudWatch allows 5 actions per alarm state, the alarm topic included.',
      'Every https_endpoints and https_endpoints_auto_confirm entry starts with https://.',
    ]);
    expect(messages('client_access')).toEqual(
      name === 'pilot'
        ? []
        : [
            `${name}: no client named: only the application may reach its cache (guide 001). Set ${P}CLIENT_SECURITY_GROUP_IDS (e.g. sg-0123456789abcdef0) or ${P}CLIENT_CIDRS (e.g. 10.0.32.0/20) and synthesize again, or pass -var 'client_access={security_group_ids=["sg-…"], cidrs=[]}' to cdktf deploy.`,
            `${name}: client_access.cidrs must be CIDR ranges, none of them /0.`,
            `${name}: client_access.security_group_ids must be security group ids (sg-…).`,
          ],
    );
  });

  it('matches its summary snapshot (change detector: update with `npx jest -u` when a change is intended)', () => {
    expect(summarizeStack(json)).toMatchSnapshot();
  });
});

describe('environment differences', () => {
  let pilot: TfJson;
  let staging: TfJson;
  let production: TfJson;
  beforeAll(() => {
    pilot = build('pilot').json;
    staging = build('staging').json;
    production = build('production').json;
  });

  it('pilot is a single node: no failover, no Multi-AZ', () => {
    expect(rgOf(pilot)).toMatchObject({ num_cache_clusters: 1, automatic_failover_enabled: false, multi_az_enabled: false });
  });

  it('staging runs a replica in a second zone with automatic failover', () => {
    expect(rgOf(staging)).toMatchObject({
      num_cache_clusters: 2,
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      preferred_cache_cluster_azs: ['us-east-1a', 'us-east-1b'],
    });
  });

  it('production spreads 3 nodes across 3 zones with Multi-AZ failover', () => {
    expect(rgOf(production)).toMatchObject({
      num_cache_clusters: 3,
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      preferred_cache_cluster_azs: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    });
  });

  it('staging and production keep backups at least 7 days (001): 7 and 30', () => {
    expect([staging, production].map((json) => rgOf(json).snapshot_retention_limit)).toEqual([7, 30]);
  });

  it('production waits for its maintenance window to apply changes; pilot and staging apply them at once', () => {
    expect(rgOf(production).apply_immediately).toBe(false);
    expect(rgOf(staging).apply_immediately).toBe(true);
  });
});

/** The settings machinery, on the fixed environments (../helpers/environments.ts): independent of today's users. */
describe('account settings from environment variables', () => {
  let json: TfJson;
  beforeAll(
    () =>
      ({ json } = build(
        'production',
        {
          AWS_REGION: 'eu-west-1',
          CACHE_STATE_BUCKET: 'acme-tf-state',
          CACHE_PRODUCTION_VPC_ID: 'vpc-0abc1234',
          CACHE_PRODUCTION_SUBNET_IDS: 'subnet-0a000001,subnet-0a000002,subnet-0a000003',
          CACHE_PRODUCTION_CLIENT_SECURITY_GROUP_IDS: 'sg-0aa00001,sg-0bb00002',
        },
        FIXED_ENVIRONMENTS,
      )),
  );

  it('stores state in S3, encrypted, with S3 native locking', () => {
    expect(json.terraform!.backend.s3).toEqual({
      bucket: 'acme-tf-state',
      key: 'isl-cache/production.tfstate',
      region: 'eu-west-1',
      encrypt: true,
      use_lockfile: true,
    });
  });

  it('uses the named VPC and subnets, checking at plan time that they are in the VPC and cover every zone', () => {
    expect(Object.values(json.data!.aws_vpc)[0]).toMatchObject({ id: 'vpc-0abc1234' });
    expect(json.data!.aws_vpcs).toBeUndefined();
    expect(onlyResource(json, 'aws_elasticache_subnet_group').subnet_ids).toEqual([
      'subnet-0a000001',
      'subnet-0a000002',
      'subnet-0a000003',
    ]);
    const lookups = Object.values(json.data!.aws_subnets);
    expect(lookups).toHaveLength(4);
    const all = lookups.find((l) => !l.filter.some((f: any) => f.name === 'availability-zone'));
    expect(all!.lifecycle.postcondition[0]).toEqual({
      condition: '${length(self.ids) == 3}',
      error_message:
        "production: every subnet of CACHE_PRODUCTION_SUBNET_IDS (subnet-0a000001,subnet-0a000002,subnet-0a000003) must exist in the cache's VPC.",
    });
    const zoneA = lookups.find((l) => l.filter.some((f: any) => f.name === 'availability-zone' && f.values[0] === 'eu-west-1a'));
    expect(zoneA!.filter).toContainEqual({ name: 'subnet-id', values: ['subnet-0a000001', 'subnet-0a000002', 'subnet-0a000003'] });
    expect(zoneA!.lifecycle.postcondition[0].error_message).toBe(
      'production: none of CACHE_PRODUCTION_SUBNET_IDS (subnet-0a000001,subnet-0a000002,subnet-0a000003) is in zone eu-west-1a of the VPC, where a cache node is placed; add a subnet of eu-west-1a or change CACHE_PRODUCTION_AVAILABILITY_ZONES.',
    );
  });

  it('admits only the named client security groups (the default of the client_access variable)', () => {
    expect(variables(json).client_access.default).toEqual({ security_group_ids: ['sg-0aa00001', 'sg-0bb00002'], cidrs: [] });
    const rules = Object.values(json.resource.aws_vpc_security_group_ingress_rule);
    const bySg = rules.find((r) => r.referenced_security_group_id === '${each.value}');
    expect(bySg!.for_each).toBe('${toset(var.client_access.security_group_ids)}');
    expect(rules.every((r) => r.cidr_ipv4 === undefined || r.cidr_ipv4 === '${each.value}')).toBe(true);
  });

  it("places the nodes in the region's zones", () => {
    expect(rgOf(json).preferred_cache_cluster_azs).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(json.provider!.aws[0].region).toBe('eu-west-1');
  });

  it('uses a DynamoDB lock table instead when one is named', () => {
    const { json: withTable } = build(
      'staging',
      { CACHE_STATE_BUCKET: 'acme-tf-state', CACHE_STATE_LOCK_TABLE: 'tf-locks' },
      FIXED_ENVIRONMENTS,
    );
    expect(withTable.terraform!.backend.s3).toMatchObject({ dynamodb_table: 'tf-locks' });
    expect(withTable.terraform!.backend.s3.use_lockfile).toBeUndefined();
  });

  it('refuses a malformed tag filter', () => {
    expect(() => deploymentSettings('staging', { CACHE_STAGING_VPC_TAG: 'no-equals-sign' })).toThrow(
      'CACHE_STAGING_VPC_TAG: "Key=Value", got "no-equals-sign"',
    );
  });
});

describe('application roles named in CACHE_<ENV>_CREDENTIAL_READER_ROLES', () => {
  it('each get an inline policy reading the secret and decrypting it, on the role of that name', () => {
    const { json } = build('production', { CACHE_PRODUCTION_CREDENTIAL_READER_ROLES: 'orders-api-task,orders-worker' }, FIXED_ENVIRONMENTS);
    expect(resourcesOf(json, 'aws_iam_role_policy').map((p) => `${p.role} ${p.name}`)).toEqual([
      'orders-api-task isl-cache-production-read-credentials',
      'orders-worker isl-cache-production-read-credentials',
    ]);
  });
});

describe('where a stack deploys (deployment_target): a protected environment refuses a default region or local state', () => {
  const target = (name: AwsEnvironmentName, env: Record<string, string>) => {
    const v = variables(build(name, env, FIXED_ENVIRONMENTS).json).deployment_target;
    return { default: v.default, validation: v.validation ?? [] };
  };

  it('pilot may default: us-east-1 and a local state file, no refusal', () => {
    expect(target('pilot', {})).toEqual({
      default: { region: 'us-east-1', region_from: 'default', state: 'local file terraform.pilot.tfstate' },
      validation: [],
    });
  });

  it('production without AWS_REGION and CACHE_STATE_BUCKET: the plan stops with one message naming both', () => {
    expect(target('production', {})).toEqual({
      default: { region: 'us-east-1', region_from: 'default', state: 'local file terraform.production.tfstate' },
      validation: [
        {
          condition: '${var.deployment_target.region_from == "AWS_REGION" && startswith(var.deployment_target.state, "s3://")}',
          error_message:
            'production is protected: it is never deployed onto a local state file or a default region. Set AWS_REGION and CACHE_STATE_BUCKET and synthesize again (README "Deploying to AWS").',
        },
      ],
    });
  });

  it('staging with both set: the target names the region and the state object, and the same check passes it', () => {
    const t = target('staging', { AWS_REGION: 'eu-west-1', CACHE_STATE_BUCKET: 'acme-terraform-state' });
    expect(t.default).toEqual({
      region: 'eu-west-1',
      region_from: 'AWS_REGION',
      state: 's3://acme-terraform-state/isl-cache/staging.tfstate',
    });
    expect(t.validation.map((x: { error_message: string }) => x.error_message)).toEqual([
      'staging is protected: it is never deployed onto a local state file or a default region. Set AWS_REGION and CACHE_STATE_BUCKET and synthesize again (README "Deploying to AWS").',
    ]);
  });

  it('staging with only the bucket: the message names the one still missing', () => {
    expect(target('staging', { CACHE_STATE_BUCKET: 'acme-terraform-state' }).validation[0].error_message).toBe(
      'staging is protected: it is never deployed onto a local state file or a default region. Set AWS_REGION and synthesize again (README "Deploying to AWS").',
    );
  });
});
