import { Testing } from 'cdktf';
import { deploymentSettings } from '../../stacks/settings';
import { AWS_ENVIRONMENTS, ENVIRONMENTS, PROJECT } from '../../config/environments';
import { BACKUP_RETENTION_DAYS, MIN_BACKUP_RETENTION_DAYS_PROTECTED } from '../../config/scaling';
import { CacheEnvironmentStack } from '../../stacks/environment-stack';
import { TfJson, onlyResource, synthJson } from '../helpers/synth';

/** Default deployment settings: no environment variables at all, as on a fresh machine. */
function build(name: (typeof AWS_ENVIRONMENTS)[number], env: Record<string, string> = {}) {
  const stack = new CacheEnvironmentStack(Testing.app(), name, {
    environment: ENVIRONMENTS[name],
    deployment: deploymentSettings(name, env),
  });
  return { stack, json: synthJson(stack) };
}

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

  it('looks the VPC and private subnets up by tag, and admits the VPC range when no client is named', () => {
    expect(Object.values(json.data!.aws_vpc)[0].tags).toEqual({ Environment: name });
    const subnets = Object.values(json.data!.aws_subnets)[0];
    expect(subnets.filter).toEqual(
      expect.arrayContaining([
        { name: 'tag:Tier', values: ['private'] },
        { name: 'availability-zone', values: ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
      ]),
    );
    expect(onlyResource(json, 'aws_vpc_security_group_ingress_rule').cidr_ipv4).toMatch(/^\$\{data\.aws_vpc\.[^.]+\.cidr_block\}$/);
  });

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

  it('uses the named VPC and subnets instead of looking them up', () => {
    expect(Object.values(json.data!.aws_vpc)[0]).toMatchObject({ id: 'vpc-0abc1234' });
    expect(json.data!.aws_subnets).toBeUndefined();
    expect(onlyResource(json, 'aws_elasticache_subnet_group').subnet_ids).toEqual([
      'subnet-0a000001',
      'subnet-0a000002',
      'subnet-0a000003',
    ]);
  });

  it('admits only the named client security groups', () => {
    const rules = Object.values(json.resource.aws_vpc_security_group_ingress_rule);
    expect(rules.map((r) => r.referenced_security_group_id)).toEqual(['sg-0aa00001', 'sg-0bb00002']);
    expect(rules.every((r) => r.cidr_ipv4 === undefined)).toBe(true);
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
