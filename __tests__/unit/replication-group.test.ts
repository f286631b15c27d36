import { memberNodes } from '../../constructs/elasticache/member-nodes';
import { RedisReplicationGroupProps } from '../../constructs/elasticache/props';
import { RedisReplicationGroup } from '../../constructs/elasticache/replication-group';
import { CacheAlarms } from '../../constructs/monitoring/cache-alarms';
import { BASE_GROUP_PROPS, TfJson, emptyScope, groupStack, onlyResource, resourcesOf, synthJson } from '../helpers/synth';

const onlyResourceWhere = (json: TfJson, type: string, where: (body: Record<string, any>) => boolean) => {
  const found = resourcesOf(json, type).filter(where);
  if (found.length !== 1) throw new Error(`expected one matching ${type}, found ${found.length}`);
  return found[0];
};

const ref = (type: string, json: TfJson, attr: string) => {
  const [logicalId] = Object.keys(json.resource[type]);
  return `\${${type}.${logicalId}.${attr}}`;
};

describe('a primary plus two replicas across three zones', () => {
  let json: TfJson;
  let rg: Record<string, any>;
  beforeAll(() => {
    json = synthJson(
      groupStack({
        replicasPerNodeGroup: 2,
        nodeType: 'cache.m7g.xlarge',
        availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
        allowedSecurityGroupIds: ['sg-0123abcd'],
        allowedCidrBlocks: ['10.1.0.0/16'],
      }).stack,
    );
    rg = onlyResource(json, 'aws_elasticache_replication_group');
  });

  it('runs three nodes with failover and Multi-AZ on, one per zone, primary first', () => {
    expect(rg).toMatchObject({
      num_cache_clusters: 3,
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      cluster_mode: 'disabled',
      preferred_cache_cluster_azs: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    });
    expect(rg.num_node_groups).toBeUndefined();
  });

  it('encrypts at rest with its own customer-managed key, which rotates', () => {
    expect(rg.at_rest_encryption_enabled).toBe('true');
    expect(rg.kms_key_id).toBe(ref('aws_kms_key', json, 'arn'));
    expect(onlyResource(json, 'aws_kms_key')).toMatchObject({ enable_key_rotation: true });
  });

  it('requires TLS and authenticates clients as RBAC users: no AUTH token and no token strategy, the user group of the group', () => {
    expect(rg).toMatchObject({
      transit_encryption_enabled: true,
      transit_encryption_mode: 'required',
      user_group_ids: [ref('aws_elasticache_user_group', json, 'user_group_id')],
    });
    expect(rg.auth_token).toBeUndefined();
    // aws 6.25.0 and older refuse a strategy without a token at the first plan; a group created with RBAC has no token to update
    expect(rg.auth_token_update_strategy).toBeUndefined();
    expect(onlyResource(json, 'aws_elasticache_user_group')).toMatchObject({ user_group_id: 'isl-cache-test-users', engine: 'redis' });
  });

  it('has an application user denied FLUSHALL, FLUSHDB and KEYS, and a user "default" that is off', () => {
    const app = onlyResourceWhere(json, 'aws_elasticache_user', (u) => u.user_name !== 'default');
    const dflt = onlyResourceWhere(json, 'aws_elasticache_user', (u) => u.user_name === 'default');
    expect(app).toMatchObject({
      user_id: 'isl-cache-test-app',
      user_name: 'isl-cache-test-app',
      engine: 'redis',
      access_string: 'on ~* +@all -flushall -flushdb -keys',
      authentication_mode: {
        type: 'password',
        passwords: [expect.stringMatching(/^\$\{random_password\.[^.]+application-password-a[^.]*\.result\}$/)],
      },
    });
    expect(dflt).toMatchObject({
      user_id: 'isl-cache-test-default',
      access_string: 'off -@all',
      authentication_mode: { type: 'password' },
    });
    const group = onlyResource(json, 'aws_elasticache_user_group');
    const ids = Object.keys(json.resource.aws_elasticache_user).map((id) => `\${aws_elasticache_user.${id}.user_id}`);
    expect([...group.user_ids].sort()).toEqual(ids.sort());
  });

  it('generates 64-letter-and-digit passwords, the application one keyed by its credential generation', () => {
    const pw = resourcesOf(json, 'random_password');
    expect(pw).toHaveLength(2);
    for (const p of pw) expect(p).toMatchObject({ length: 64, special: false, min_lower: 2, min_upper: 2, min_numeric: 2 });
    expect(pw.map((p) => p.keepers)).toEqual(expect.arrayContaining([{ generation: '1' }]));
  });

  it('keeps username, password, endpoints and ready URLs in Secrets Manager (deleted at once with the group), never as literals', () => {
    const secret = onlyResource(json, 'aws_secretsmanager_secret');
    expect(secret).toMatchObject({ name: 'isl-cache-test/auth', kms_key_id: ref('aws_kms_key', json, 'arn'), recovery_window_in_days: 0 });
    const version = onlyResource(json, 'aws_secretsmanager_secret_version');
    const user = Object.keys(json.resource.aws_elasticache_user).find((id) => id.includes('application'));
    const pw = Object.keys(json.resource.random_password).find((id) => id.includes('application-password-a'));
    const rgId = Object.keys(json.resource.aws_elasticache_replication_group)[0];
    const userinfo = `\${urlencode(aws_elasticache_user.${user}.user_name)}:\${urlencode(random_password.${pw}.result)}`;
    expect(version.secret_string).toBe(
      `\${jsonencode({"username" = aws_elasticache_user.${user}.user_name, "password" = random_password.${pw}.result, ` +
        `"host" = aws_elasticache_replication_group.${rgId}.primary_endpoint_address, "port" = 6379, "tls" = true, ` +
        `"url" = "rediss://${userinfo}@\${aws_elasticache_replication_group.${rgId}.primary_endpoint_address}:6379", ` +
        `"reader_host" = aws_elasticache_replication_group.${rgId}.reader_endpoint_address, ` +
        `"reader_url" = "rediss://${userinfo}@\${aws_elasticache_replication_group.${rgId}.reader_endpoint_address}:6379"})}`,
    );
  });

  it('admits the port only from the client security group and the private range, with descriptions, and has no egress', () => {
    const sg = onlyResource(json, 'aws_security_group');
    expect(sg.egress).toEqual([]);
    expect(sg.ingress).toBeUndefined();
    expect(sg.description).toMatch(/\S/);
    const rules = resourcesOf(json, 'aws_vpc_security_group_ingress_rule');
    expect(rules).toHaveLength(2);
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ referenced_security_group_id: 'sg-0123abcd', from_port: 6379, to_port: 6379, ip_protocol: 'tcp' }),
        expect.objectContaining({ cidr_ipv4: '10.1.0.0/16', from_port: 6379, to_port: 6379, ip_protocol: 'tcp' }),
      ]),
    );
    for (const r of rules) expect(r.description).toMatch(/\S/);
  });

  it('uses a parameter group of the engine family that evicts any key (allkeys-lru) and reserves 25 % of memory', () => {
    const pg = onlyResource(json, 'aws_elasticache_parameter_group');
    // the construct's default engine: Valkey 8.1
    expect(rg.engine).toBe('valkey');
    expect(pg.family).toBe('valkey8');
    expect(pg.name).toBe('isl-cache-test-valkey8');
    expect(pg.lifecycle).toEqual({ create_before_destroy: true });
    expect(pg.parameter).toEqual(
      expect.arrayContaining([
        { name: 'maxmemory-policy', value: 'allkeys-lru' },
        { name: 'reserved-memory-percent', value: '25' },
      ]),
    );
    expect(pg.parameter).not.toEqual(expect.arrayContaining([expect.objectContaining({ name: 'cluster-enabled' })]));
    expect(rg.engine_version).toBe('8.1');
    expect(rg.parameter_group_name).toBe(ref('aws_elasticache_parameter_group', json, 'name'));
  });

  it('backs up daily for 7 days outside the maintenance window and takes a final snapshot on delete, named anew per generation', () => {
    expect(rg).toMatchObject({
      snapshot_retention_limit: 7,
      snapshot_window: '03:00-04:00',
      maintenance_window: 'sun:05:00-sun:06:00',
    });
    // a fixed `isl-cache-test-final` collides on the second destroy or after a replacement
    expect(rg.final_snapshot_identifier).toBe(`isl-cache-test-final-${ref('random_id', json, 'hex')}`);
    const suffix = onlyResource(json, 'random_id');
    expect(suffix.byte_length).toBe(4);
    // every argument that replaces the group draws a new suffix
    expect(suffix.keepers).toEqual({
      replication_group_id: 'isl-cache-test',
      engine: 'valkey',
      engine_version: '8.1',
      port: '6379',
      kms_key_id: ref('aws_kms_key', json, 'arn'),
      subnet_group_name: ref('aws_elasticache_subnet_group', json, 'name'),
      transit_encryption_enabled: 'true',
      snapshot_name: '',
      snapshot_arns: '',
    });
  });

  it('delivers slow and engine logs to log groups under /aws/vendedlogs/, kept 30 days, encrypted', () => {
    const groups = resourcesOf(json, 'aws_cloudwatch_log_group');
    const key = ref('aws_kms_key', json, 'arn');
    expect(groups.map((g) => [g.name, g.retention_in_days, g.kms_key_id]).sort()).toEqual([
      ['/aws/vendedlogs/elasticache/isl-cache-test/engine-log', 30, key],
      ['/aws/vendedlogs/elasticache/isl-cache-test/slow-log', 30, key],
    ]);
    expect(rg.log_delivery_configuration).toEqual([
      expect.objectContaining({ log_type: 'slow-log', destination_type: 'cloudwatch-logs', log_format: 'json' }),
      expect.objectContaining({ log_type: 'engine-log', destination_type: 'cloudwatch-logs', log_format: 'json' }),
    ]);
  });

  const topicNamed = (name: string) => {
    const [logicalId, body] = Object.entries(json.resource.aws_sns_topic).find(([, t]) => t.name === name)!;
    return { body, arn: `\${aws_sns_topic.${logicalId}.arn}` };
  };
  const policyDoc = (id: string) =>
    Object.entries(json.data!.aws_iam_policy_document).find(([logicalId]) => logicalId.startsWith(`cache_${id}_`))![1];

  it('sends ElastiCache events to an UNENCRYPTED topic whose policy admits ElastiCache with AWS:SourceOwner', () => {
    const events = topicNamed('isl-cache-test-events');
    expect(events.body.kms_master_key_id).toBeUndefined();
    expect(rg.notification_topic_arn).toBe(events.arn);
    const policy = onlyResourceWhere(json, 'aws_sns_topic_policy', (p) => p.arn === events.arn);
    expect(policy.policy).toMatch(/^\$\{data\.aws_iam_policy_document\.cache_events-topic-policy_[0-9A-F]+\.json\}$/);
    const publish = policyDoc('events-topic-policy').statement.find((s: any) => s.sid === 'ElastiCachePublishesEvents');
    expect(publish).toMatchObject({
      principals: [{ type: 'AWS', identifiers: ['*'] }],
      actions: ['SNS:Publish'],
      resources: [events.arn],
      condition: [
        { test: 'StringEquals', variable: 'AWS:SourceOwner', values: [expect.stringMatching(/^\$\{data\.aws_caller_identity\./)] },
      ],
    });
  });

  it('sends alarms to a second topic, encrypted with the key, that only CloudWatch alarms of the account may publish to', () => {
    const alarms = topicNamed('isl-cache-test-alarms');
    expect(alarms.body.kms_master_key_id).toBe(ref('aws_kms_key', json, 'arn'));
    const statement = policyDoc('alarms-topic-policy').statement.find((s: any) => s.sid === 'CloudWatchPublishesAlarms');
    expect(statement.principals).toEqual([{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }]);
    expect(statement.condition.map((c: any) => `${c.test} ${c.variable}`)).toEqual([
      'StringEquals aws:SourceAccount',
      'ArnLike aws:SourceArn',
    ]);
  });

  it('key policy: service principals only with conditions; none for ElastiCache or EventBridge, which use nothing of it', () => {
    const statements = policyDoc('key-policy').statement;
    expect(statements.map((s: any) => s.sid)).toEqual([
      'AccountAdministers',
      'CloudWatchAlarmsPublishToEncryptedTopic',
      'CloudWatchLogsEncryptsLogGroups',
    ]);
    const services = statements.flatMap((s: any) =>
      s.principals.filter((p: any) => p.type === 'Service').flatMap((p: any) => p.identifiers),
    );
    expect(services).toEqual([
      'cloudwatch.amazonaws.com',
      expect.stringMatching(/^logs\.\$\{data\.aws_region\.[^.]+\.region\}\.amazonaws\.com$/),
    ]);
    const cw = statements[1];
    expect(cw.actions).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(cw.condition).toEqual([
      { test: 'StringEquals', variable: 'aws:SourceAccount', values: [expect.stringMatching(/account_id\}$/)] },
    ]);
    // the logs condition follows the log groups to /aws/vendedlogs/
    expect(statements[2].condition[0].values[0]).toMatch(/:log-group:\/aws\/vendedlogs\/elasticache\/isl-cache-test\/\*$/);
  });

  it('the parameter group description holds only words of its name (no engine version), so an upgrade keeps the group', () => {
    const pg = onlyResource(json, 'aws_elasticache_parameter_group');
    expect(pg.name).toBe('isl-cache-test-valkey8');
    expect(pg.description).toBe('isl-cache-test valkey8 parameters');
    expect(pg.lifecycle).toEqual({ create_before_destroy: true });
  });

  it('names its member nodes as ElastiCache does', () => {
    expect(memberNodes('isl-cache-test', 1, 2, false).map((n) => `${n.cacheClusterId}:${n.role}`)).toEqual([
      'isl-cache-test-001:primary',
      'isl-cache-test-002:replica',
      'isl-cache-test-003:replica',
    ]);
  });
});

describe('a single node', () => {
  let rg: Record<string, any>;
  beforeAll(() => {
    rg = onlyResource(synthJson(groupStack({ nodeType: 'cache.t4g.small' }).stack), 'aws_elasticache_replication_group');
  });

  it('has no failover and no Multi-AZ (derived: there is no replica)', () => {
    expect(rg).toMatchObject({ num_cache_clusters: 1, automatic_failover_enabled: false, multi_az_enabled: false });
  });
});

describe('a sharded group', () => {
  let json: TfJson;
  let rg: Record<string, any>;
  let group: RedisReplicationGroup;
  beforeAll(() => {
    const built = groupStack({ numNodeGroups: 3, replicasPerNodeGroup: 1, engine: 'valkey' });
    group = built.group;
    json = synthJson(built.stack);
    rg = onlyResource(json, 'aws_elasticache_replication_group');
  });

  it('enables cluster mode with failover and Multi-AZ, and a cluster-enabled parameter group of the valkey family', () => {
    expect(rg).toMatchObject({
      cluster_mode: 'enabled',
      num_node_groups: 3,
      replicas_per_node_group: 1,
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      engine: 'valkey',
      engine_version: '8.1',
    });
    expect(rg.num_cache_clusters).toBeUndefined();
    const pg = onlyResource(json, 'aws_elasticache_parameter_group');
    expect(pg).toMatchObject({ family: 'valkey8', name: 'isl-cache-test-valkey8-cluster' });
    expect(pg.parameter).toEqual(expect.arrayContaining([{ name: 'cluster-enabled', value: 'yes' }]));
  });

  it('names six nodes <rg>-000S-00N', () => {
    expect(group.nodes.map((n) => n.cacheClusterId)).toEqual([
      'isl-cache-test-0001-001',
      'isl-cache-test-0001-002',
      'isl-cache-test-0002-001',
      'isl-cache-test-0002-002',
      'isl-cache-test-0003-001',
      'isl-cache-test-0003-002',
    ]);
  });

  it('clients connect through the configuration endpoint, which the secret names', () => {
    expect(onlyResource(json, 'aws_secretsmanager_secret_version').secret_string).toContain(
      '"host" = aws_elasticache_replication_group.cache_replication-group_FA5C54CF.configuration_endpoint_address',
    );
  });
});

describe('invalid props fail before anything is created, each problem named', () => {
  const cases: Array<[string, Partial<RedisReplicationGroupProps>, string]> = [
    [
      'id with a double hyphen',
      { replicationGroupId: 'isl--cache' },
      'replicationGroupId: 1–40 letters, digits or hyphens, starting with a letter, no "--", no trailing "-", got "isl--cache"',
    ],
    ['id starting with a digit', { replicationGroupId: '1cache' }, 'replicationGroupId:'],
    ['id ending with a hyphen', { replicationGroupId: 'cache-' }, 'replicationGroupId:'],
    ['id over 40 characters', { replicationGroupId: 'a'.repeat(41) }, 'replicationGroupId:'],
    ['empty description', { description: ' ' }, 'description: a non-empty string, got " "'],
    ['unknown engine', { engine: 'memcached' as never }, 'engine: one of redis, valkey, got "memcached"'],
    ['version of another engine', { engine: 'valkey', engineVersion: '7.1' }, 'engineVersion: for valkey one of 7.2, 8.0, 8.1, got "7.1"'],
    [
      'not a node type',
      { nodeType: 'r5.large' },
      'nodeType: an ElastiCache node type (cache.<family>.<size>, e.g. cache.m7g.large), got "r5.large"',
    ],
    ['six replicas', { replicasPerNodeGroup: 6 }, 'replicasPerNodeGroup: a whole number from 0 to 5, got 6'],
    [
      'shards without cluster mode',
      { numNodeGroups: 2, clusterModeEnabled: false },
      'clusterMode: enabled when numNodeGroups > 1 (numNodeGroups is 2; a group in compatible mode has one shard), got "disabled"',
    ],
    ['failover without a replica', { automaticFailoverEnabled: true }, 'automaticFailoverEnabled: false without a replica'],
    [
      'Multi-AZ without failover',
      { replicasPerNodeGroup: 1, automaticFailoverEnabled: false, multiAzEnabled: true },
      'multiAzEnabled: false unless automaticFailoverEnabled is true, got true',
    ],
    [
      'cluster mode without failover',
      { numNodeGroups: 2, replicasPerNodeGroup: 1, automaticFailoverEnabled: false, multiAzEnabled: false },
      'automaticFailoverEnabled: true when cluster mode is enabled, got false',
    ],
    [
      'RBAC without TLS',
      { transitEncryptionEnabled: false },
      'authentication: none unless transitEncryptionEnabled is true (AUTH tokens and RBAC need TLS), got "rbac"',
    ],
    [
      'an application access string that names a command ElastiCache restricts',
      { applicationAccessString: 'on ~* +@all -config' },
      'applicationAccessString: ACL rules ElastiCache accepts (no reset, passwords or restricted commands such as bgrewriteaof, bgsave, config): -config is not one, got "on ~* +@all -config"',
    ],
    [
      'an application user that is off',
      { applicationAccessString: 'off ~* +@all' },
      'applicationAccessString: an access string that switches the user on ("on …"), got "off ~* +@all"',
    ],
    [
      'a replication group id too long for its RBAC user ids',
      { replicationGroupId: 'a-replication-group-of-33-letters' },
      'replicationGroupId: at most 32 characters with authentication rbac (user id <id>-default), got "a-replication-group-of-33-letters"',
    ],
    [
      'the AUTH token migration without RBAC',
      { authentication: 'auth-token', authTokenMigration: 'accept-auth-token' },
      'authTokenMigration: unset unless authentication is rbac (it is the move from an AUTH token to RBAC), got "accept-auth-token"',
    ],
    [
      'SET before any rotation',
      { credentialUpdateStrategy: 'SET' },
      'credentialUpdateStrategy: ROTATE while credentialVersion is 1 (SET is step 2 of a rotation: it follows a ROTATE to a raised version), got "SET"',
    ],
    [
      'two sources to restore from',
      { snapshotName: 'nightly-2026-12-01', snapshotArns: ['arn:aws:s3:::backups/cache.rdb'] },
      'snapshotName: unset when snapshotArns is set (one source to restore from), got "nightly-2026-12-01"',
    ],
    [
      'an automatic backup to restore from (deleted with the group the restore replaces)',
      { snapshotName: 'automatic.isl-cache-test-2026-12-01-03-00' },
      'snapshotName: a manual or final snapshot: an automatic one is deleted with the group the restore replaces; copy it first (aws elasticache copy-snapshot --source-snapshot-name <automatic.…> --target-snapshot-name <name>) and name the copy, got "automatic.isl-cache-test-2026-12-01-03-00"',
    ],
    [
      'an RDB file that is not an S3 object ARN',
      { snapshotArns: ['s3://backups/cache.rdb'] },
      'snapshotArns: S3 object ARNs (arn:aws:s3:::bucket/key.rdb), got "s3://backups/cache.rdb"',
    ],
    [
      'TLS mode without TLS',
      { transitEncryptionEnabled: false, authentication: 'none', transitEncryptionMode: 'required' },
      'transitEncryptionMode: unset unless transitEncryptionEnabled is true, got "required"',
    ],
    [
      'retention over 35 days',
      { snapshotRetentionLimitDays: 36 },
      'snapshotRetentionLimitDays: a whole number of days from 0 to 35, got 36',
    ],
    [
      'badly formatted snapshot window',
      { snapshotWindow: '3:00-4:00' },
      'snapshotWindow: UTC "hh:mm-hh:mm", at least 60 minutes, got "3:00-4:00"',
    ],
    [
      'badly formatted maintenance window',
      { maintenanceWindow: 'sunday:05:00-sunday:06:00' },
      'maintenanceWindow: UTC "ddd:hh:mm-ddd:hh:mm"',
    ],
    [
      'snapshot window under an hour',
      { snapshotWindow: '03:00-03:30' },
      'snapshotWindow: UTC "hh:mm-hh:mm", at least 60 minutes, got "03:00-03:30" (30 minutes)',
    ],
    [
      'maintenance window under an hour',
      { maintenanceWindow: 'sun:05:00-sun:05:59' },
      'maintenanceWindow: UTC "ddd:hh:mm-ddd:hh:mm" (ddd = sun…sat), at least 60 minutes, got "sun:05:00-sun:05:59" (59 minutes)',
    ],
    [
      'windows that overlap',
      { snapshotWindow: '05:30-06:30' },
      'snapshotWindow: a window that does not overlap maintenanceWindow sun:05:00-sun:06:00, got "05:30-06:30"',
    ],
    [
      'windows that overlap across midnight',
      { snapshotWindow: '23:30-00:30', maintenanceWindow: 'sat:23:00-sun:01:00' },
      'snapshotWindow: a window that does not overlap',
    ],
    [
      'public ingress',
      { allowedCidrBlocks: ['0.0.0.0/0'] },
      'allowedCidrBlocks: private IPv4 ranges (10/8, 172.16/12, 192.168/16, 100.64/10), got "0.0.0.0/0"',
    ],
    ['a public range', { allowedCidrBlocks: ['8.8.8.0/24'] }, 'allowedCidrBlocks: private IPv4 ranges'],
    [
      'no clients at all',
      { allowedCidrBlocks: [] },
      'allowedSecurityGroupIds/allowedCidrBlocks: at least one client security group or private CIDR, got "none"',
    ],
    ['a log retention CloudWatch refuses', { logRetentionInDays: 10 }, 'logRetentionInDays: one of 1, 3, 5, 7, 14, 30'],
    [
      'a fixed parameter',
      { parameters: { maxclients: '100' } },
      'parameters.maxclients: not one of maxmemory, maxclients, cluster-enabled',
    ],
    ['an unknown eviction policy', { maxmemoryPolicy: 'lru' as never }, 'maxmemoryPolicy: one of volatile-lru'],
    ['a bad VPC id', { vpcId: 'my-vpc' }, 'vpcId: a VPC id (vpc- and 8 or 17 hex digits), got "my-vpc"'],
  ];

  it('accepts a valid node type outside the catalog, with a synth warning that it is unpriced', () => {
    const { stack } = groupStack({ nodeType: 'cache.r5.large' });
    const json = synthJson(stack);
    expect(onlyResource(json, 'aws_elasticache_replication_group').node_type).toBe('cache.r5.large');
    const warnings = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .filter((m) => m.type === '@cdktf/warn')
      .map((m) => m.data);
    expect(warnings).toEqual([
      'nodeType cache.r5.large is not in the node catalog (constructs/facts/node-catalog.ts): unpriced, and its CPU alarm uses EngineCPUUtilization',
    ]);
  });

  it.each(cases)('%s', (_name, props, message) => {
    expect(() => groupStack(props)).toThrow(message);
  });

  it('lists every problem in one error and leaves nothing in the tree', () => {
    const scope = emptyScope();
    let error: Error | undefined;
    try {
      new RedisReplicationGroup(scope, 'cache', {
        ...BASE_GROUP_PROPS,
        replicationGroupId: '9x',
        nodeType: 'cache.x1',
        snapshotRetentionLimitDays: -1,
      });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(/replicationGroupId[\s\S]*nodeType[\s\S]*snapshotRetentionLimitDays/);
    expect(error?.message.split('\n  - ')).toHaveLength(4);
    expect(scope.node.children).toHaveLength(0);
  });
});

describe('authentication auth-token: one shared AUTH token (not for staging or production: guardrail auth)', () => {
  let json: TfJson;
  beforeAll(() => {
    json = synthJson(groupStack({ authentication: 'auth-token', credentialVersion: 2 }).stack);
  });

  it('generates the token by Terraform from the characters ElastiCache allows, rotated with the ROTATE strategy', () => {
    const rg = onlyResource(json, 'aws_elasticache_replication_group');
    expect(rg).toMatchObject({ auth_token_update_strategy: 'ROTATE', auth_token: ref('random_password', json, 'result') });
    expect(rg.user_group_ids).toBeUndefined();
    // 64 characters: letters, digits and the only special characters ElastiCache permits in a token, 2 or more of each class
    expect(onlyResource(json, 'random_password')).toMatchObject({
      length: 64,
      special: true,
      override_special: '!&#$^<>-',
      min_lower: 2,
      min_upper: 2,
      min_numeric: 2,
      min_special: 2,
      keepers: { version: '2' },
    });
    expect(resourcesOf(json, 'aws_elasticache_user')).toEqual([]);
  });

  it('puts the token into the secret and into a URL, percent-encoded (it may hold # & $ ^ < > !)', () => {
    const version = onlyResource(json, 'aws_secretsmanager_secret_version');
    const pw = Object.keys(json.resource.random_password)[0];
    expect(version.secret_string).toMatch(new RegExp(`^\\$\\{jsonencode\\(\\{"auth_token" = random_password\\.${pw}\\.result, "host" = `));
    expect(version.secret_string).toContain(`"url" = "rediss://:\${urlencode(random_password.${pw}.result)}@`);
  });
});

describe('moving from the AUTH token to RBAC (authTokenMigration)', () => {
  let json: TfJson;
  beforeAll(() => {
    json = synthJson(groupStack({ authTokenMigration: 'accept-auth-token' }).stack);
  });

  it('auth_token_update_strategy is set only where a token changes: DELETE from the migration on, never on a plain RBAC group', () => {
    const strategy = (props: Partial<RedisReplicationGroupProps>) => {
      const rg = onlyResource(synthJson(groupStack(props).stack), 'aws_elasticache_replication_group');
      return [rg.auth_token_update_strategy ?? null, rg.apply_immediately];
    };
    expect(strategy({})).toEqual([null, false]);
    expect(strategy({ authTokenMigration: 'accept-auth-token' })).toEqual(['DELETE', true]);
    expect(strategy({ authTokenMigration: 'complete' })).toEqual(['DELETE', false]);
    expect(strategy({ authentication: 'auth-token' })).toEqual(['ROTATE', false]);
    expect(strategy({ authentication: 'auth-token', credentialVersion: 2, credentialUpdateStrategy: 'SET' })).toEqual(['SET', false]);
  });

  it('lets the user "default" accept the AUTH token, with the application access string (so still no FLUSHALL)', () => {
    const dflt = onlyResourceWhere(json, 'aws_elasticache_user', (u) => u.user_name === 'default');
    const token = Object.keys(json.resource.random_password).find((id) => id.includes('auth-token'));
    expect(dflt).toMatchObject({
      access_string: 'on ~* +@all -flushall -flushdb -keys',
      authentication_mode: { type: 'password', passwords: [`\${random_password.${token}.result}`] },
    });
    expect(onlyResource(json, 'aws_elasticache_replication_group').auth_token).toBeUndefined();
  });

  it('keeps the token in the secret beside the application user for the clients not moved yet', () => {
    expect(onlyResource(json, 'aws_secretsmanager_secret_version').secret_string).toMatch(
      /^\$\{jsonencode\(\{"username" = .*"auth_token" = random_password\.\S*auth-token\S*\.result, "host"/,
    );
  });
});

describe('credential rotation of the application user: two password slots', () => {
  const passwords = (props: Partial<RedisReplicationGroupProps>) => {
    const json = synthJson(groupStack(props).stack);
    const app = onlyResourceWhere(json, 'aws_elasticache_user', (u) => u.user_name !== 'default');
    const slot = (expr: string) => /application-password-([ab])/.exec(expr)?.[1];
    const keepers = Object.fromEntries(
      Object.entries(json.resource.random_password)
        .filter(([id]) => id.includes('application-password'))
        .map(([id, p]) => [slot(id), p.keepers.generation]),
    );
    return { valid: (app.authentication_mode.passwords as string[]).map(slot).sort(), keepers };
  };

  it.each<[string, Partial<RedisReplicationGroupProps>, { valid: string[]; keepers: Record<string, string> }]>([
    ['version 1', {}, { valid: ['a'], keepers: { a: '1' } }],
    ['version 2, step 1 (ROTATE): the new b beside a', { credentialVersion: 2 }, { valid: ['a', 'b'], keepers: { a: '1', b: '2' } }],
    [
      'version 2, step 2 (SET): only b',
      { credentialVersion: 2, credentialUpdateStrategy: 'SET' },
      { valid: ['b'], keepers: { a: '1', b: '2' } },
    ],
    ['version 3, step 1: a drawn anew beside b', { credentialVersion: 3 }, { valid: ['a', 'b'], keepers: { a: '3', b: '2' } }],
    ['version 3, step 2: only a', { credentialVersion: 3, credentialUpdateStrategy: 'SET' }, { valid: ['a'], keepers: { a: '3', b: '2' } }],
  ])('%s', (_, props, expected) => {
    expect(passwords(props)).toEqual(expected);
  });
});

describe('restoring from a snapshot', () => {
  it('creates the group from the named snapshot, and a new final snapshot name comes with it', () => {
    const json = synthJson(groupStack({ snapshotName: 'isl-cache-test-before-upgrade' }).stack);
    expect(onlyResource(json, 'aws_elasticache_replication_group').snapshot_name).toBe('isl-cache-test-before-upgrade');
    expect(onlyResource(json, 'random_id').keepers).toMatchObject({ snapshot_name: 'isl-cache-test-before-upgrade', snapshot_arns: '' });
  });

  it('or from RDB files in S3', () => {
    const json = synthJson(groupStack({ snapshotArns: ['arn:aws:s3:::isl-backups/cache-0001.rdb'] }).stack);
    expect(onlyResource(json, 'aws_elasticache_replication_group').snapshot_arns).toEqual(['arn:aws:s3:::isl-backups/cache-0001.rdb']);
  });
});

describe("another team's own key and topics, clients added later", () => {
  it('uses a brought KMS key everywhere the construct would use its own, and creates no key', () => {
    const key = { arn: 'arn:aws:kms:us-east-1:111122223333:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0' };
    const json = synthJson(groupStack({ encryptionKey: key }).stack);
    expect(resourcesOf(json, 'aws_kms_key')).toEqual([]);
    expect(onlyResource(json, 'aws_elasticache_replication_group').kms_key_id).toBe(key.arn);
    expect(onlyResource(json, 'aws_secretsmanager_secret').kms_key_id).toBe(key.arn);
    expect(resourcesOf(json, 'aws_cloudwatch_log_group').map((g) => g.kms_key_id)).toEqual([key.arn, key.arn]);
    expect(onlyResourceWhere(json, 'aws_sns_topic', (t) => String(t.name).endsWith('-alarms')).kms_master_key_id).toBe(key.arn);
  });

  it('publishes events to a brought topic and creates no events topic', () => {
    const topic = { arn: 'arn:aws:sns:us-east-1:111122223333:platform-elasticache-events' };
    const json = synthJson(groupStack({ notificationTopic: topic }).stack);
    expect(onlyResource(json, 'aws_elasticache_replication_group').notification_topic_arn).toBe(topic.arn);
    expect(resourcesOf(json, 'aws_sns_topic').map((t) => t.name)).toEqual(['isl-cache-test-alarms']);
  });

  it('admits a client security group added after construction, numbered after those of the props (the deprecated allowClientSecurityGroup still works)', () => {
    const { stack, group } = groupStack({ allowedSecurityGroupIds: ['sg-0123abcd'] });
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- what code written against 0.1.0 calls
    group.allowClientSecurityGroup('sg-0fedcba987654321f');
    const rules = resourcesOf(synthJson(stack), 'aws_vpc_security_group_ingress_rule').filter((r) => r.referenced_security_group_id);
    expect(rules.map((r) => [r.referenced_security_group_id, r.description])).toEqual([
      ['sg-0123abcd', 'Redis TLS port from client security group 1'],
      ['sg-0fedcba987654321f', 'Redis TLS port from client security group 2'],
    ]);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- its own message
    expect(() => group.allowClientSecurityGroup('sg-bad')).toThrow(
      'test/cache (RedisReplicationGroup.allowClientSecurityGroup): invalid input:\n  - securityGroupId: a security group id (sg- and 8 or 17 hex digits), got "sg-bad"',
    );
  });

  it('names the construct path in its errors, so two groups in one app are told apart', () => {
    const { stack } = groupStack();
    const bad = { ...BASE_GROUP_PROPS, port: 0 };
    const messages = ['a', 'b'].map((id) => {
      try {
        new RedisReplicationGroup(stack, id, { ...bad, replicationGroupId: `isl-cache-${id}` });
        return 'no error';
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(messages).toEqual([
      expect.stringContaining('test/a (RedisReplicationGroup)'),
      expect.stringContaining('test/b (RedisReplicationGroup)'),
    ]);
    for (const m of messages) expect(m).toContain('port: a whole number from 1 to 65535, got 0');
  });
});

describe('an application role reads the credentials (grantReadCredentials)', () => {
  it('gets GetSecretValue on the secret and kms:Decrypt on its key, only through Secrets Manager and only for that secret', () => {
    const { stack, group } = groupStack();
    group.grantReadCredentials('orders-api-task');
    const json = synthJson(stack);
    const secret = ref('aws_secretsmanager_secret', json, 'arn');
    expect(onlyResource(json, 'aws_iam_role_policy')).toEqual({
      name: 'isl-cache-test-read-credentials',
      role: 'orders-api-task',
      policy: expect.stringMatching(/^\$\{data\.aws_iam_policy_document\.cache_read-credentials-policy-0_[0-9A-F]+\.json\}$/),
    });
    const doc = Object.entries(json.data!.aws_iam_policy_document).find(([id]) => id.includes('read-credentials-policy-0'))![1];
    expect(doc.statement).toEqual([
      {
        sid: 'ReadTheCacheCredentials',
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [secret],
      },
      {
        sid: 'DecryptThemThroughSecretsManager',
        actions: ['kms:Decrypt'],
        resources: [ref('aws_kms_key', json, 'arn')],
        condition: [
          {
            test: 'StringEquals',
            variable: 'kms:ViaService',
            values: [
              `secretsmanager.\${${Object.keys(json.data!.aws_region).map((id) => `data.aws_region.${id}`)[0]}.region}.amazonaws.com`,
            ],
          },
          { test: 'StringEquals', variable: 'kms:EncryptionContext:SecretARN', values: [secret] },
        ],
      },
    ]);
  });

  it('refuses an ARN where the role name belongs, and a group without credentials', () => {
    const { group } = groupStack();
    expect(() => group.grantReadCredentials('arn:aws:iam::111122223333:role/orders')).toThrow(
      'test/cache (RedisReplicationGroup.grantReadCredentials): invalid input:\n  - roleName: an IAM role name (1-64 of letters, digits and + = , . @ _ -), not an ARN, got "arn:aws:iam::111122223333:role/orders"',
    );
    const open = groupStack({ authentication: 'none', transitEncryptionEnabled: false }).group;
    expect(() => open.grantReadCredentials('orders-api-task')).toThrow(
      '  - authentication: rbac or auth-token (a group without authentication has no credentials), got "none"',
    );
  });
});

describe('the L2 shape: allowFrom, metrics, a group made elsewhere', () => {
  it('allowFrom admits a security group or a private network after construction, numbered after the props, and refuses the rest', () => {
    const { stack, group } = groupStack({ allowedSecurityGroupIds: ['sg-0123abcd'], allowedCidrBlocks: ['10.0.0.0/16'] });
    group.allowFrom('sg-0fedcba987654321f');
    group.allowFrom('10.40.32.0/20');
    const rules = resourcesOf(synthJson(stack), 'aws_vpc_security_group_ingress_rule');
    expect(rules.map((r) => `${r.referenced_security_group_id ?? r.cidr_ipv4} | ${r.description} | ${r.from_port}`).sort()).toEqual([
      '10.0.0.0/16 | Redis TLS port from private range 1 | 6379',
      '10.40.32.0/20 | Redis TLS port from private range 2 | 6379',
      'sg-0123abcd | Redis TLS port from client security group 1 | 6379',
      'sg-0fedcba987654321f | Redis TLS port from client security group 2 | 6379',
    ]);
    for (const bad of ['0.0.0.0/0', '203.0.113.0/24', '10.0.0.1/24', '010.0.0.0/8', 'sg-bad']) {
      expect(() => group.allowFrom(bad)).toThrow(
        `  - source: a security group id (sg- and 8 or 17 hex digits) or a private IPv4 network in CIDR form (RFC 1918 or 100.64/10, no host bits), got "${bad}"`,
      );
    }
  });

  it('metric methods give each node its metric as an alarm takes it', () => {
    const { group } = groupStack({ replicasPerNodeGroup: 1, nodeType: 'cache.m7g.large' });
    expect(group.metricCurrConnections().map((m) => m.alarm)).toEqual([
      {
        namespace: 'AWS/ElastiCache',
        metricName: 'CurrConnections',
        dimensions: { CacheClusterId: 'isl-cache-test-001' },
        statistic: 'Average',
        period: 60,
      },
      {
        namespace: 'AWS/ElastiCache',
        metricName: 'CurrConnections',
        dimensions: { CacheClusterId: 'isl-cache-test-002' },
        statistic: 'Average',
        period: 60,
      },
    ]);
    expect(group.metricReplicationLag().map((m) => [m.node.cacheClusterId, m.alarm.statistic])).toEqual([
      ['isl-cache-test-002', 'Maximum'],
    ]);
    expect(group.metricReadLatencyP95({ periodSeconds: 300 })[0].alarm).toEqual({
      namespace: 'AWS/ElastiCache',
      metricName: 'SuccessfulReadRequestLatency',
      dimensions: { CacheClusterId: 'isl-cache-test-001' },
      extendedStatistic: 'p95',
      period: 300,
    });
  });

  it('fromReplicationGroupAttributes: alarms on its derived nodes, admits clients to its security group, grants its secret', () => {
    const { stack } = groupStack();
    const orders = RedisReplicationGroup.fromReplicationGroupAttributes(stack, 'orders', {
      replicationGroupId: 'orders-cache',
      nodeType: 'cache.r7g.large',
      clusterMode: 'enabled',
      numNodeGroups: 2,
      replicasPerNodeGroup: 1,
      endpointAddress: 'clustercfg.orders-cache.abc123.use1.cache.amazonaws.com',
      engine: 'valkey',
      engineVersion: '8.1',
      securityGroupId: 'sg-0aaaabbbbccccdddd',
      credentialsSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:orders-cache/auth-AbCdEf',
      encryptionKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
    });
    expect(orders.nodes.map((n) => n.cacheClusterId)).toEqual([
      'orders-cache-0001-001',
      'orders-cache-0001-002',
      'orders-cache-0002-001',
      'orders-cache-0002-002',
    ]);
    orders.allowFrom('sg-0123456789abcdef0');
    orders.grantReadCredentials('orders-api-task');
    const alarms = new CacheAlarms(stack, 'orders-alarms', {
      replicationGroup: orders,
      alarmTopics: [{ arn: 'arn:aws:sns:us-east-1:111122223333:paging' }],
      dashboard: false,
    });
    // Valkey 8.1 given: the p95 latency alarms; no slow log given: no slow-commands alarm
    expect([...new Set(alarms.plans.map((p) => p.node.cacheClusterId))]).toEqual([
      'orders-cache-0001-001',
      'orders-cache-0001-002',
      'orders-cache-0002-001',
      'orders-cache-0002-002',
    ]);
    expect(
      alarms.plans
        .filter((p) => p.node.cacheClusterId === 'orders-cache-0001-001')
        .map((p) => p.key)
        .filter((k) => /Latency|slow/.test(k)),
    ).toEqual(['readLatency', 'writeLatency']);
    const json = synthJson(stack);
    expect(resourcesOf(json, 'aws_vpc_security_group_ingress_rule').filter((r) => r.security_group_id === 'sg-0aaaabbbbccccdddd')).toEqual([
      {
        security_group_id: 'sg-0aaaabbbbccccdddd',
        description: 'Redis TLS port from client security group 1',
        ip_protocol: 'tcp',
        from_port: 6379,
        to_port: 6379,
        referenced_security_group_id: 'sg-0123456789abcdef0',
      },
    ]);
    expect(resourcesOf(json, 'aws_iam_role_policy').map((p) => `${p.role} ${p.name}`)).toEqual([
      'orders-api-task orders-cache-read-credentials',
    ]);
    // partition, region and account from the stack's provider (data sources), the id as given
    expect(orders.replicationGroupArn).toMatch(
      /^arn:\$\{TfToken\[TOKEN\.\d+\]\}:elasticache:\$\{TfToken\[TOKEN\.\d+\]\}:\$\{TfToken\[TOKEN\.\d+\]\}:replicationgroup:orders-cache$/,
    );
  });

  it('a group made elsewhere without its security group or secret refuses allowFrom and grantReadCredentials, naming what is missing', () => {
    const { stack } = groupStack();
    const bare = RedisReplicationGroup.fromReplicationGroupAttributes(stack, 'bare', {
      replicationGroupId: 'bare-cache',
      nodeType: 'cache.t4g.small',
      endpointAddress: 'bare-cache.abc123.ng.0001.use1.cache.amazonaws.com',
      replicationGroupArn: 'arn:aws:elasticache:us-east-1:111122223333:replicationgroup:bare-cache',
    });
    expect(() => bare.allowFrom('sg-0123456789abcdef0')).toThrow(
      "securityGroupId: the group's security group (an imported group needs securityGroupId)",
    );
    expect(() => bare.grantReadCredentials('orders-api-task')).toThrow('encryptionKeyArn: the key the secret is encrypted with');
  });
});
