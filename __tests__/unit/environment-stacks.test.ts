import { Testing } from 'cdktf';
import { deploymentSettings } from '../../stacks/settings';
import { AWS_ENVIRONMENTS, ENVIRONMENTS, PROJECT } from '../../config/environments';
import { BACKUP_RETENTION_DAYS, MIN_BACKUP_RETENTION_DAYS_PROTECTED } from '../../config/scaling';
import { CacheEnvironmentStack } from '../../stacks/environment-stack';
import { TfJson, onlyResource, resourcesOf, synthJson } from '../helpers/synth';

/** Default deployment settings: no environment variables at all, as on a fresh machine. */
function build(name: (typeof AWS_ENVIRONMENTS)[number], env: Record<string, string> = {}) {
  const stack = new CacheEnvironmentStack(Testing.app(), name, {
    environment: ENVIRONMENTS[name],
    deployment: deploymentSettings(name, env),
  });
  return { stack, json: synthJson(stack) };
}

/** The synthesized `variable` section (the helper's TfJson does not type it). */
const variables = (json: TfJson): Record<string, any> => (json as TfJson & { variable: Record<string, any> }).variable;

const rgOf = (json: TfJson) => onlyResource(json, 'aws_elasticache_replication_group');

describe.each(AWS_ENVIRONMENTS)('the %s stack', (name) => {
  let json: TfJson;
  let stack: CacheEnvironmentStack;
  beforeAll(() => ({ stack, json } = build(name)));

  it('deploys the node type, node count and engine its sizing plan chose', () => {
    const rg = rgOf(json);
    expect(rg.node_type).toBe(stack.plan.nodeType.name);
    expect(rg.num_cache_clusters).toBe(stack.plan.totalNodes);
    expect(rg.engine).toBe(ENVIRONMENTS[name].engine);
    expect(rg.replication_group_id).toBe(`${PROJECT}-${name}`);
  });

  it('tags every resource through the provider: environment, project, managed-by', () => {
    expect(json.provider!.aws[0].default_tags).toEqual([{ tags: { environment: name, project: PROJECT, 'managed-by': 'cdktf' } }]);
  });

  it('encrypts at rest and in transit, with AUTH, and keeps backups as configured', () => {
    expect(rgOf(json)).toMatchObject({
      at_rest_encryption_enabled: 'true',
      transit_encryption_enabled: true,
      transit_encryption_mode: 'required',
      snapshot_retention_limit: BACKUP_RETENTION_DAYS[name],
    });
    expect(rgOf(json).auth_token).toMatch(/^\$\{random_password\./);
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

  it('looks up private subnets zone by zone; a zone without one stops the plan, naming the zone and the settings', () => {
    const P = `CACHE_${name.toUpperCase()}_`;
    const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
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
      [`${PROJECT}-${name}-alarms`, 'encrypted'],
      [`${PROJECT}-${name}-events`, 'unencrypted'],
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
    ]);
    expect(subs.filter((x) => x.protocol === 'https').every((x) => x.endpoint_auto_confirms === true)).toBe(true);
    for (const alarm of resourcesOf(json, 'aws_cloudwatch_metric_alarm')) {
      expect(alarm.alarm_actions).toMatch(
        /^\$\{concat\(\[aws_sns_topic\.cache_alarms_[0-9A-F]+\.arn\], var\.alarm_subscribers\.topic_arns\)\}$/,
      );
      expect(alarm.ok_actions).toBe(alarm.alarm_actions);
    }
    expect(variables(json).alarm_subscribers.default).toEqual({ emails: [], https_endpoints: [], topic_arns: [] });
  });

  it(
    name === 'pilot'
      ? 'pilot: no subscriber required, and the VPC range admitted when no client is named'
      : `${name}: an empty subscriber or client list fails the plan`,
    () => {
      const required = (v: string) => (variables(json)[v]?.validation ?? []).some((x: any) => /> 0\}$/.test(x.condition));
      if (name === 'pilot') {
        expect(required('alarm_subscribers')).toBe(false);
        expect(variables(json).client_access).toBeUndefined();
        expect(onlyResource(json, 'aws_vpc_security_group_ingress_rule').cidr_ipv4).toMatch(/^\$\{data\.aws_vpc\.[^.]+\.cidr_block\}$/);
      } else {
        expect(required('alarm_subscribers')).toBe(true);
        expect(required('client_access')).toBe(true);
        expect(variables(json).client_access.default).toEqual({ security_group_ids: [], cidrs: [] });
        const rules = resourcesOf(json, 'aws_vpc_security_group_ingress_rule');
        expect(rules.map((r) => r.for_each).sort()).toEqual([
          '${toset(var.client_access.cidrs)}',
          '${toset(var.client_access.security_group_ids)}',
        ]);
        expect(JSON.stringify(rules)).not.toMatch(/cidr_block/);
      }
    },
  );

  it('outputs the endpoints, port, secret ARN and security group id', () => {
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
  });

  it('matches its snapshot (change detector: update with `npx jest -u` when a change is intended)', () => {
    expect(Testing.synth(stack)).toMatchSnapshot();
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

  it('staging and production keep backups at least 7 days (001)', () => {
    for (const json of [staging, production])
      expect(rgOf(json).snapshot_retention_limit).toBeGreaterThanOrEqual(MIN_BACKUP_RETENTION_DAYS_PROTECTED);
  });

  it('production waits for its maintenance window to apply changes; pilot and staging apply them at once', () => {
    expect(rgOf(production).apply_immediately).toBe(false);
    expect(rgOf(staging).apply_immediately).toBe(true);
  });
});

describe('account settings from environment variables', () => {
  let json: TfJson;
  beforeAll(
    () =>
      ({ json } = build('production', {
        AWS_REGION: 'eu-west-1',
        CACHE_STATE_BUCKET: 'acme-tf-state',
        CACHE_PRODUCTION_VPC_ID: 'vpc-0abc1234',
        CACHE_PRODUCTION_SUBNET_IDS: 'subnet-0a000001,subnet-0a000002,subnet-0a000003',
        CACHE_PRODUCTION_CLIENT_SECURITY_GROUP_IDS: 'sg-0aa00001,sg-0bb00002',
      })),
  );

  it('stores state in S3, encrypted, with S3 native locking', () => {
    expect(json.terraform!.backend.s3).toEqual({
      bucket: 'acme-tf-state',
      key: `${PROJECT}/production.tfstate`,
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
    const { json: withTable } = build('staging', { CACHE_STATE_BUCKET: 'acme-tf-state', CACHE_STATE_LOCK_TABLE: 'tf-locks' });
    expect(withTable.terraform!.backend.s3).toMatchObject({ dynamodb_table: 'tf-locks' });
    expect(withTable.terraform!.backend.s3.use_lockfile).toBeUndefined();
  });

  it('refuses a malformed tag filter', () => {
    expect(() => deploymentSettings('staging', { CACHE_STAGING_VPC_TAG: 'no-equals-sign' })).toThrow(
      'CACHE_STAGING_VPC_TAG: "Key=Value", got "no-equals-sign"',
    );
  });
});
