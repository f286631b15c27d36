/**
 * RedisReplicationGroup: an ElastiCache replication group (Redis OSS or Valkey) with everything a secure,
 * recoverable cache needs: KMS key, parameter group, subnet group, security group, AUTH token in Secrets
 * Manager, TLS, Multi-AZ failover, backups, logs and event notifications.
 *
 * Props, defaults and validation: ./props.ts, ./defaults.ts. Construct ids below are a contract: renaming one makes
 * Terraform replace that resource.
 */
import { Annotations, Fn, ITerraformDependable, TerraformIterator, Token } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { ElasticacheParameterGroup } from '@cdktf/provider-aws/lib/elasticache-parameter-group';
import { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import { ElasticacheSubnetGroup } from '@cdktf/provider-aws/lib/elasticache-subnet-group';
import { ElasticacheUser } from '@cdktf/provider-aws/lib/elasticache-user';
import { ElasticacheUserGroup } from '@cdktf/provider-aws/lib/elasticache-user-group';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Id } from '@cdktf/provider-random/lib/id';
import { Password } from '@cdktf/provider-random/lib/password';
import { MOVED_FROM_CLUSTER_MODE_DISABLED_TAG } from '../facts/cluster-mode';
import { ELASTICACHE_LOG_GROUP_PREFIX, FINAL_SNAPSHOT_SUFFIX_BYTES, LIMITS, SLOWLOG } from '../facts/elasticache';
import { DEFAULT_USER_NAME, RBAC_ENGINE } from '../facts/redis-acl';
import { Engine } from '../facts/elasticache';
import { Problem, Problems, isAwsId, isUnresolved, problemsOf, validateConstruct } from '../validation';
import {
  AUTH_TOKEN_GENERATION,
  DEFAULT_USER_ACCESS_STRING,
  KMS_KEY_DELETION_WINDOW_DAYS,
  SECRET_RECOVERY_WINDOW_DAYS,
  USER_ID_SUFFIXES,
  USER_PASSWORD_GENERATION,
} from './defaults';
import { CacheNode, memberNodes } from './member-nodes';
import { ImportedReplicationGroup, ReplicationGroupAttributes } from './imported-group';
import { IReplicationGroup, ReplicationGroupBase, SlowLogSource } from './replication-group-base';
import {
  IEncryptionKey,
  ITopic,
  RedisReplicationGroupProps,
  ResolvedReplicationGroupSettings,
  resolveReplicationGroupProps,
} from './props';

/** True when a list prop is only known at deploy time (e.g. a Terraform variable): its rules use `for_each`. */
const isTokenList = (v: readonly string[] | undefined): boolean => v !== undefined && isUnresolved(v);

export class RedisReplicationGroup extends ReplicationGroupBase {
  /**
   * A group made elsewhere, to alarm on (CacheAlarms), admit clients to (`allowFrom`, with `securityGroupId`) or let
   * roles read its credentials (`grantReadCredentials`, with `credentialsSecretArn` and `encryptionKeyArn`).
   */
  static fromReplicationGroupAttributes(scope: Construct, id: string, attrs: ReplicationGroupAttributes): IReplicationGroup {
    return new ImportedReplicationGroup(scope, id, attrs);
  }

  /**
   * Every problem of `props`, as the constructor would throw them, without creating anything: an app checks its
   * groups first and reports every problem of every input in one run (each with its `field`, to restate it under the
   * setting the user set). Empty when the props are valid.
   */
  static validateProps(props: RedisReplicationGroupProps): readonly Problem[] {
    return problemsOf(() => resolveReplicationGroupProps(props));
  }

  /** Every prop with its default applied. */
  readonly settings: ResolvedReplicationGroupSettings;
  /** Member nodes with their metric ids. */
  readonly nodes: readonly CacheNode[];
  /** Customer-managed key for data at rest, the secret, the logs and the alarm topic (created, or brought by props). */
  readonly encryptionKey: IEncryptionKey;
  /**
   * SNS topic for ElastiCache events (`notification_topic_arn`): unencrypted, because ElastiCache cannot publish to
   * an encrypted topic (created with an `AWS:SourceOwner` policy, or brought by props).
   */
  readonly notificationTopic: ITopic;
  /** SNS topic the CloudWatch alarms notify: encrypted with the key (created, or brought by props). */
  readonly alarmTopic: ITopic;
  readonly securityGroup: SecurityGroup;
  readonly parameterGroup: ElasticacheParameterGroup;
  readonly subnetGroup: ElasticacheSubnetGroup;
  readonly replicationGroup: ElasticacheReplicationGroup;
  /** Random suffix of the final snapshot's name: a new one for every generation of the group. */
  readonly finalSnapshotSuffix?: Id;
  /**
   * Secret holding what a client needs (JSON): `username` and `password` (rbac) or `auth_token`, `host`, `reader_host`,
   * `port`, `tls`, and ready `url` / `reader_url` (`rediss://…`); absent with authentication `none`.
   */
  readonly authSecret?: SecretsmanagerSecret;
  /** RBAC: the user group of the group, its application user and its user named `default`. */
  readonly userGroup?: ElasticacheUserGroup;
  readonly applicationUser?: ElasticacheUser;
  readonly defaultUser?: ElasticacheUser;
  readonly slowLogGroup: CloudwatchLogGroup;
  readonly engineLogGroup: CloudwatchLogGroup;

  private readonly props: RedisReplicationGroupProps;

  constructor(scope: Construct, id: string, props: RedisReplicationGroupProps) {
    super(scope, id);
    const s = validateConstruct(this, () => resolveReplicationGroupProps(props, `${this.node.path} (RedisReplicationGroup)`));
    this.settings = s;
    this.props = props;
    for (const w of s.warnings) Annotations.of(this).addWarning(w);
    this.nodes = memberNodes(s.replicationGroupId, s.numNodeGroups, s.replicasPerNodeGroup, s.clusterModeEnabled, {
      firstShardKeepsDisabledIds: s.movedFromClusterModeDisabled,
    });

    this.encryptionKey = props.encryptionKey ?? this.createKey();
    this.notificationTopic = props.notificationTopic ?? this.createNotificationTopic();
    this.alarmTopic = props.alarmTopic ?? this.createAlarmTopic();
    this.subnetGroup = this.createSubnetGroup();
    this.securityGroup = this.createSecurityGroup();
    const sgs = props.allowedSecurityGroupIds;
    if (sgs && isTokenList(sgs)) {
      this.createIngressRulesFor('ingress-sgs', sgs, 'referencedSecurityGroupId');
    } else {
      for (const sg of sgs ?? []) this.admitSecurityGroup(sg, 'allowClientSecurityGroup');
    }
    const cidrRules = this.createCidrIngressRules();
    // allowFrom continues the numbering of the props' own rules
    this.reserveIngressIds(0, cidrRules);
    this.parameterGroup = this.createParameterGroup();
    this.slowLogGroup = this.createLogGroup('slow-log');
    this.engineLogGroup = this.createLogGroup('engine-log');
    // the AUTH token: the group's credential (auth-token), or what the user `default` accepts during a migration to RBAC
    const authToken = s.authentication === 'auth-token' || s.acceptAuthTokenAsDefaultUser ? this.createAuthToken() : undefined;
    const rbac = s.authentication === 'rbac' ? this.createUsers(authToken) : undefined;
    if (rbac) {
      this.userGroup = rbac.group;
      this.applicationUser = rbac.applicationUser;
      this.defaultUser = rbac.defaultUser;
    }
    if (s.finalSnapshotEnabled) this.finalSnapshotSuffix = this.createFinalSnapshotSuffix();
    this.replicationGroup = this.createReplicationGroup(s.authentication === 'auth-token' ? authToken : undefined, rbac?.group);
    if (rbac) {
      this.authSecret = this.createCredentialsSecret({
        username: rbac.applicationUser.userName,
        password: rbac.password.result,
        ...(authToken ? { auth_token: authToken.result } : {}),
      });
    } else if (authToken) {
      this.authSecret = this.createCredentialsSecret({ auth_token: authToken.result });
    }
  }

  get replicationGroupId(): string {
    return this.settings.replicationGroupId;
  }

  get nodeType(): string {
    return this.settings.nodeType;
  }

  /** Primary endpoint (cluster mode disabled). */
  get primaryEndpointAddress(): string {
    return this.replicationGroup.primaryEndpointAddress;
  }

  /** Reader endpoint (cluster mode disabled). */
  get readerEndpointAddress(): string {
    return this.replicationGroup.readerEndpointAddress;
  }

  /** Configuration endpoint (cluster mode enabled or compatible). */
  get configurationEndpointAddress(): string {
    return this.replicationGroup.configurationEndpointAddress;
  }

  /** The endpoint clients connect to: the configuration endpoint in cluster mode, else the primary. */
  get endpointAddress(): string {
    return this.settings.clusterModeEnabled ? this.configurationEndpointAddress : this.primaryEndpointAddress;
  }

  get port(): number {
    return this.settings.port;
  }

  get replicationGroupArn(): string {
    return this.replicationGroup.arn;
  }

  get engine(): Engine {
    return this.settings.engine;
  }

  get engineVersion(): string {
    return this.settings.engineVersion;
  }

  get securityGroupId(): string {
    return this.securityGroup.id;
  }

  get credentialsSecretArn(): string | undefined {
    return this.authSecret?.arn;
  }

  get encryptionKeyArn(): string {
    return this.encryptionKey.arn;
  }

  /** The slow-log group and the format ElastiCache delivers to it (CacheAlarms' slow-commands alarm reads it). */
  get slowLog(): SlowLogSource {
    return { logGroupName: this.slowLogGroup.name, logGroupArn: this.slowLogGroup.arn, logFormat: this.settings.logFormat };
  }

  /** The group resource: alarms that page on missing data wait for it. */
  get dependable(): ITerraformDependable {
    return this.replicationGroup;
  }

  /**
   * Admit one more client security group to the cache port, after construction (e.g. a service created later).
   * Construct ids continue the numbering of `allowedSecurityGroupIds` (`ingress-sg-<n>`): add in a stable order.
   * @deprecated Use `allowFrom(securityGroupId)`: the same rule, and it admits private networks and works on imported
   * groups too. Kept so that code written against 0.1.0 still compiles.
   */
  allowClientSecurityGroup(securityGroupId: string): VpcSecurityGroupIngressRule {
    return this.admitSecurityGroup(securityGroupId, 'allowClientSecurityGroup');
  }

  /** One ingress rule for a client security group, its id checked first (the message names `method`). */
  private admitSecurityGroup(securityGroupId: string, method: string): VpcSecurityGroupIngressRule {
    const problems = new Problems(`${this.node.path} (RedisReplicationGroup.${method})`);
    if (!isUnresolved(securityGroupId)) {
      problems.check(
        isAwsId('sg', securityGroupId),
        'securityGroupId',
        'a security group id (sg- and 8 or 17 hex digits)',
        securityGroupId,
      );
    }
    problems.throwIfAny();
    return this.allowFrom(securityGroupId, 'security-group');
  }

  // ---- resources, in creation order

  /**
   * KMS key, least privilege: the account administers it (IAM policies delegate; ElastiCache and Secrets Manager
   * use it on behalf of the caller through grants and kms:ViaService); CloudWatch may encrypt alarm messages for the
   * alarm topic, only on behalf of this account; CloudWatch Logs may use it only for this group's log groups.
   * No statement for elasticache.amazonaws.com or events.amazonaws.com: neither uses the key (the events topic is
   * unencrypted; nothing targets EventBridge).
   */
  private createKey(): KmsKey {
    const rg = this.settings.replicationGroupId;
    const { account, partition, region } = this.where();
    const keyPolicy = new DataAwsIamPolicyDocument(this, 'key-policy', {
      statement: [
        {
          sid: 'AccountAdministers',
          principals: [{ type: 'AWS', identifiers: [`arn:${partition.partition}:iam::${account.accountId}:root`] }],
          actions: ['kms:*'],
          resources: ['*'],
        },
        {
          sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
          principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [account.accountId] }],
        },
        {
          sid: 'CloudWatchLogsEncryptsLogGroups',
          principals: [{ type: 'Service', identifiers: [`logs.${region.region}.amazonaws.com`] }],
          actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          resources: ['*'],
          condition: [
            {
              test: 'ArnLike',
              variable: 'kms:EncryptionContext:aws:logs:arn',
              values: [`arn:${partition.partition}:logs:${region.region}:${account.accountId}:log-group:${logGroupPrefix(rg)}/*`],
            },
          ],
        },
      ],
    });
    const key = new KmsKey(this, 'key', {
      description: `${rg}: ElastiCache data at rest and final snapshots, AUTH secret, logs and alarm notifications`,
      enableKeyRotation: true,
      deletionWindowInDays: KMS_KEY_DELETION_WINDOW_DAYS,
      policy: keyPolicy.json,
      tags: this.props.tags,
    });
    new KmsAlias(this, 'key-alias', { name: `alias/${rg}`, targetKeyId: key.keyId });
    return key;
  }

  /** The statement that keeps the account in charge of a topic it owns (the default topic policy's, written out). */
  private topicOwnerStatement(topic: SnsTopic) {
    const { account, partition } = this.where();
    return {
      sid: 'AccountOwnerManages',
      principals: [{ type: 'AWS', identifiers: [`arn:${partition.partition}:iam::${account.accountId}:root`] }],
      actions: [
        'SNS:GetTopicAttributes',
        'SNS:SetTopicAttributes',
        'SNS:AddPermission',
        'SNS:RemovePermission',
        'SNS:DeleteTopic',
        'SNS:Subscribe',
        'SNS:ListSubscriptionsByTopic',
        'SNS:Publish',
      ],
      resources: [topic.arn],
    };
  }

  /**
   * ElastiCache events topic. ElastiCache ("Event Notifications and Amazon SNS"): the topic cannot be encrypted, is
   * in the same account and region as the group, and its access policy must use `AWS:SourceOwner` (with
   * `aws:SourceAccount`, the default of new topics, ElastiCache sets the topic inactive).
   */
  private createNotificationTopic(): SnsTopic {
    const rg = this.settings.replicationGroupId;
    const { account } = this.where();
    const topic = new SnsTopic(this, 'events', {
      name: `${rg}-events`,
      displayName: `${rg} ElastiCache events`,
      tags: this.props.tags,
    });
    const policy = new DataAwsIamPolicyDocument(this, 'events-topic-policy', {
      statement: [
        this.topicOwnerStatement(topic),
        {
          sid: 'ElastiCachePublishesEvents',
          principals: [{ type: 'AWS', identifiers: ['*'] }],
          actions: ['SNS:Publish'],
          resources: [topic.arn],
          condition: [{ test: 'StringEquals', variable: 'AWS:SourceOwner', values: [account.accountId] }],
        },
      ],
    });
    new SnsTopicPolicy(this, 'events-policy', { arn: topic.arn, policy: policy.json });
    return topic;
  }

  /** Alarm topic, encrypted with the key; CloudWatch alarms of this account may publish to it. */
  private createAlarmTopic(): SnsTopic {
    const rg = this.settings.replicationGroupId;
    const { account, partition, region } = this.where();
    const topic = new SnsTopic(this, 'alarms', {
      name: `${rg}-alarms`,
      displayName: `${rg} CloudWatch alarms`,
      kmsMasterKeyId: this.encryptionKey.arn,
      tags: this.props.tags,
    });
    const policy = new DataAwsIamPolicyDocument(this, 'alarms-topic-policy', {
      statement: [
        this.topicOwnerStatement(topic),
        {
          sid: 'CloudWatchPublishesAlarms',
          principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
          actions: ['SNS:Publish'],
          resources: [topic.arn],
          condition: [
            { test: 'StringEquals', variable: 'aws:SourceAccount', values: [account.accountId] },
            {
              test: 'ArnLike',
              variable: 'aws:SourceArn',
              values: [`arn:${partition.partition}:cloudwatch:${region.region}:${account.accountId}:alarm:*`],
            },
          ],
        },
      ],
    });
    new SnsTopicPolicy(this, 'alarms-policy', { arn: topic.arn, policy: policy.json });
    return topic;
  }

  private createSubnetGroup(): ElasticacheSubnetGroup {
    const rg = this.settings.replicationGroupId;
    return new ElasticacheSubnetGroup(this, 'subnets', {
      name: rg,
      description: `${rg}: private subnets for the cache nodes`,
      subnetIds: this.props.subnetIds,
      tags: this.props.tags,
    });
  }

  /** A security group that admits the port only from the named clients (allowClientSecurityGroup, CIDR rules), and no egress. */
  private createSecurityGroup(): SecurityGroup {
    const { replicationGroupId: rg, port } = this.settings;
    const tags = this.props.tags;
    return new SecurityGroup(this, 'security-group', {
      name: `${rg}-cache`,
      description: `${rg}: Redis port ${port} from the application clients only; no egress`,
      vpcId: this.props.vpcId,
      // no egress rules: the nodes start no connections; the provider removes AWS's default allow-all egress
      egress: [],
      tags: { ...(tags ?? {}), Name: `${rg}-cache` },
    });
  }

  /** One ingress rule per element of a list known only at deploy time (`for_each`, keyed by the value). */
  private createIngressRulesFor(id: string, values: string[], source: 'referencedSecurityGroupId' | 'cidrIpv4'): void {
    const each = TerraformIterator.fromList(values);
    const port = this.settings.port;
    new VpcSecurityGroupIngressRule(this, id, {
      forEach: each,
      securityGroupId: this.securityGroup.id,
      description: `Redis TLS port from ${source === 'cidrIpv4' ? 'client range' : 'client security group'} ${each.value}`,
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      [source]: Token.asString(each.value),
      tags: this.props.tags,
    });
  }

  /** The CIDR rules of the props; returns how many `ingress-cidr-<n>` rules it made. */
  private createCidrIngressRules(): number {
    const port = this.settings.port;
    const cidrs = this.props.allowedCidrBlocks;
    if (cidrs && isTokenList(cidrs)) {
      this.createIngressRulesFor('ingress-cidrs', cidrs, 'cidrIpv4');
      return 0;
    }
    (cidrs ?? []).forEach(
      (cidr, i) =>
        new VpcSecurityGroupIngressRule(this, `ingress-cidr-${i}`, {
          securityGroupId: this.securityGroup.id,
          description: `Redis TLS port from private range ${i + 1}`,
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          cidrIpv4: cidr,
          tags: this.props.tags,
        }),
    );
    return (cidrs ?? []).length;
  }

  protected ruleTags(): Record<string, string> | undefined {
    return this.props.tags;
  }

  /**
   * Parameter group with create_before_destroy. Its ForceNew arguments (name, family, description) change together:
   * the name holds the family and cluster mode, the description only words of the name (no engine version), so a
   * version upgrade within a family keeps the group, and a family change creates a new group under a new name
   * before the old one goes (guardrail `create-before-destroy-names`).
   */
  private createParameterGroup(): ElasticacheParameterGroup {
    const s = this.settings;
    const rg = s.replicationGroupId;
    // compatible and enabled need cluster-enabled yes ("Modifying cluster mode"): the same group serves both steps
    const cluster = s.clusterMode !== 'disabled';
    const parameters: Record<string, string> = {
      'maxmemory-policy': s.maxmemoryPolicy,
      'reserved-memory-percent': String(s.reservedMemoryPercent),
      'slowlog-log-slower-than': String(SLOWLOG.slowerThanMicroseconds),
      'slowlog-max-len': String(SLOWLOG.maxLen),
      ...(cluster ? { 'cluster-enabled': 'yes' } : {}),
      ...(this.props.parameters ?? {}),
    };
    return new ElasticacheParameterGroup(this, 'parameters', {
      name: `${rg}-${s.parameterGroupFamily.replace(/\./g, '-')}${cluster ? '-cluster' : ''}`,
      family: s.parameterGroupFamily,
      description: `${rg} ${s.parameterGroupFamily} parameters${cluster ? ', cluster mode' : ''}`,
      parameter: Object.entries(parameters).map(([name, value]) => ({ name, value })),
      lifecycle: { createBeforeDestroy: true },
      tags: this.props.tags,
    });
  }

  /** Log groups under `/aws/vendedlogs/` (CloudWatch Logs resource-policy size limit; AWS's recommendation for vended logs). */
  private createLogGroup(kind: 'slow-log' | 'engine-log'): CloudwatchLogGroup {
    return new CloudwatchLogGroup(this, kind, {
      name: `${logGroupPrefix(this.settings.replicationGroupId)}/${kind}`,
      retentionInDays: this.settings.logRetentionInDays,
      kmsKeyId: this.encryptionKey.arn,
      tags: this.props.tags,
    });
  }

  /** The AUTH token: generated by Terraform at deploy time, from the characters ElastiCache allows. */
  private createAuthToken(): Password {
    return new Password(this, 'auth-token', {
      length: AUTH_TOKEN_GENERATION.length,
      special: true,
      overrideSpecial: LIMITS.authTokenSpecialCharacters,
      minSpecial: AUTH_TOKEN_GENERATION.minEachClass,
      minNumeric: AUTH_TOKEN_GENERATION.minEachClass,
      minUpper: AUTH_TOKEN_GENERATION.minEachClass,
      minLower: AUTH_TOKEN_GENERATION.minEachClass,
      keepers: { version: String(this.settings.credentialVersion) },
    });
  }

  /**
   * The application user's passwords for a two-step rotation: two slots, `a` for odd and `b` for even credential
   * versions. Raising the version redraws only the slot of the new version, so the previous password (the other slot)
   * survives for step 1 (ROTATE: both valid) and is dropped from the user at step 2 (SET).
   */
  private createApplicationPasswords(): { current: Password; previous?: Password } {
    const v = this.settings.credentialVersion;
    const slot = (name: 'a' | 'b', generation: number) =>
      new Password(this, `application-password-${name}`, { ...userPassword(), keepers: { generation: String(generation) } });
    const odd = v % 2 === 1;
    const a = slot('a', odd ? v : v - 1);
    const b = v >= 2 ? slot('b', odd ? v - 1 : v) : undefined;
    return odd ? { current: a, previous: b } : { current: b ?? a, previous: a };
  }

  /**
   * RBAC: the application user (access string from the props; passwords of the rotation), the user named `default`
   * that every user group must contain (off; during a migration from the AUTH token it accepts that token with the
   * application's access string), and the user group. Users and group use engine `redis`, which ElastiCache accepts
   * for Redis OSS and Valkey groups alike (../facts/redis-acl.ts).
   */
  private createUsers(authToken: Password | undefined): {
    group: ElasticacheUserGroup;
    applicationUser: ElasticacheUser;
    defaultUser: ElasticacheUser;
    password: Password;
  } {
    const s = this.settings;
    const rg = s.replicationGroupId;
    const tags = this.props.tags;
    const { current, previous } = this.createApplicationPasswords();
    const passwords = s.credentialUpdateStrategy === 'ROTATE' && previous ? [current.result, previous.result] : [current.result];
    const applicationUser = new ElasticacheUser(this, 'application-user', {
      userId: `${rg}${USER_ID_SUFFIXES.applicationUser}`,
      userName: `${rg}${USER_ID_SUFFIXES.applicationUser}`,
      engine: RBAC_ENGINE,
      accessString: s.applicationAccessString,
      authenticationMode: { type: 'password', passwords },
      tags,
    });
    const defaultPassword = authToken ?? new Password(this, 'default-user-password', userPassword());
    const defaultUser = new ElasticacheUser(this, 'default-user', {
      userId: `${rg}${USER_ID_SUFFIXES.defaultUser}`,
      userName: DEFAULT_USER_NAME,
      engine: RBAC_ENGINE,
      accessString: authToken ? s.applicationAccessString : DEFAULT_USER_ACCESS_STRING,
      authenticationMode: { type: 'password', passwords: [defaultPassword.result] },
      tags,
    });
    const group = new ElasticacheUserGroup(this, 'user-group', {
      userGroupId: `${rg}${USER_ID_SUFFIXES.userGroup}`,
      engine: RBAC_ENGINE,
      userIds: [defaultUser.userId, applicationUser.userId],
      tags,
    });
    return { group, applicationUser, defaultUser, password: current };
  }

  /**
   * Suffix of the final snapshot's name. A fixed name collides (SnapshotAlreadyExistsFault, and the delete fails) on
   * the second destroy or a replacement: a destroy removes this suffix with the group, a re-create draws a new one,
   * and the keepers (the arguments that replace the group) draw a new one whenever the group is replaced.
   */
  private createFinalSnapshotSuffix(): Id {
    const s = this.settings;
    return new Id(this, 'final-snapshot-suffix', {
      byteLength: FINAL_SNAPSHOT_SUFFIX_BYTES,
      keepers: {
        replication_group_id: s.replicationGroupId,
        engine: s.engine,
        engine_version: s.engineVersion,
        port: String(s.port),
        kms_key_id: this.encryptionKey.arn,
        subnet_group_name: this.subnetGroup.name,
        transit_encryption_enabled: String(s.transitEncryptionEnabled),
        snapshot_name: s.snapshotName ?? '',
        snapshot_arns: (s.snapshotArns ?? []).join(','),
      },
    });
  }

  private createReplicationGroup(
    authToken: Password | undefined,
    userGroup: ElasticacheUserGroup | undefined,
  ): ElasticacheReplicationGroup {
    const s = this.settings;
    const rg = s.replicationGroupId;
    const zones = this.props.availabilityZones;
    // compatible and enabled: node groups (the provider reads both forms back from any group, so switching from
    // num_cache_clusters to num_node_groups = 1 with the same replicas changes nothing; ../facts/cluster-mode.ts)
    const shardArgs =
      s.clusterMode !== 'disabled'
        ? { numNodeGroups: s.numNodeGroups, replicasPerNodeGroup: s.replicasPerNodeGroup }
        : {
            numCacheClusters: 1 + s.replicasPerNodeGroup,
            preferredCacheClusterAzs: zones
              ? Array.from({ length: 1 + s.replicasPerNodeGroup }, (_, i) => zones[i % zones.length])
              : undefined,
          };
    return new ElasticacheReplicationGroup(this, 'replication-group', {
      replicationGroupId: rg,
      description: this.props.description,
      engine: s.engine,
      engineVersion: s.engineVersion,
      nodeType: s.nodeType,
      port: s.port,
      parameterGroupName: this.parameterGroup.name,
      subnetGroupName: this.subnetGroup.name,
      securityGroupIds: [this.securityGroup.id],
      clusterMode: s.clusterMode,
      ...shardArgs,
      automaticFailoverEnabled: s.automaticFailoverEnabled,
      multiAzEnabled: s.multiAzEnabled,
      atRestEncryptionEnabled: 'true',
      kmsKeyId: this.encryptionKey.arn,
      transitEncryptionEnabled: s.transitEncryptionEnabled,
      transitEncryptionMode: s.transitEncryptionMode,
      authToken: authToken?.result,
      // only where a token changes: the rotation steps of an AUTH token, DELETE from the move to RBAC on (props.ts)
      authTokenUpdateStrategy: s.authTokenUpdateStrategy,
      userGroupIds: userGroup ? [userGroup.userGroupId] : undefined,
      snapshotName: s.snapshotName,
      snapshotArns: s.snapshotArns ? [...s.snapshotArns] : undefined,
      snapshotRetentionLimit: s.snapshotRetentionLimitDays,
      snapshotWindow: s.snapshotWindow,
      maintenanceWindow: s.maintenanceWindow,
      finalSnapshotIdentifier: this.finalSnapshotSuffix ? `${rg}-final-${this.finalSnapshotSuffix.hex}` : undefined,
      notificationTopicArn: this.notificationTopic.arn,
      autoMinorVersionUpgrade: 'true',
      applyImmediately: s.applyImmediately,
      logDeliveryConfiguration: [this.slowLogGroup, this.engineLogGroup].map((g, i) => ({
        destination: g.name,
        destinationType: 'cloudwatch-logs',
        logFormat: s.logFormat,
        logType: i === 0 ? 'slow-log' : 'engine-log',
      })),
      tags: s.movedFromClusterModeDisabled
        ? { ...(this.props.tags ?? {}), [MOVED_FROM_CLUSTER_MODE_DISABLED_TAG.key]: MOVED_FROM_CLUSTER_MODE_DISABLED_TAG.value }
        : this.props.tags,
    });
  }

  /**
   * The secret applications read: the credential, where to connect (the primary or configuration endpoint, and the
   * reader endpoint without cluster mode) and ready connection URLs, as guides 000, 003 and 004 configure clients by
   * URL. The recovery window is 0 (deleted at once): the secret authenticates only to this group, so once the group
   * is gone it is worth nothing, and a re-create of the stack within a recovery window would fail on its name
   * (CreateSecret: "scheduled for deletion"). The values stay in Terraform state.
   */
  private createCredentialsSecret(
    credential: { username: string; password: string; auth_token?: string } | { auth_token: string },
  ): SecretsmanagerSecret {
    const s = this.settings;
    const rg = s.replicationGroupId;
    const secret = new SecretsmanagerSecret(this, 'auth-secret', {
      name: `${rg}/auth`,
      description: `${rg}: credentials and endpoints of the ElastiCache replication group`,
      kmsKeyId: this.encryptionKey.arn,
      recoveryWindowInDays: SECRET_RECOVERY_WINDOW_DAYS,
      tags: this.props.tags,
    });
    const scheme = s.transitEncryptionEnabled ? 'rediss' : 'redis';
    const userinfo =
      'username' in credential
        ? `${Fn.urlencode(credential.username)}:${Fn.urlencode(credential.password)}`
        : `:${Fn.urlencode(credential.auth_token)}`;
    const url = (host: string) => `${scheme}://${userinfo}@${host}:${s.port}`;
    const reader = s.clusterModeEnabled ? {} : { reader_host: this.readerEndpointAddress, reader_url: url(this.readerEndpointAddress) };
    // the configuration endpoint for cluster-aware clients: from the deploy after the one that made the mode compatible
    const configuration = s.configurationEndpointInSecret
      ? { configuration_host: this.configurationEndpointAddress, configuration_url: url(this.configurationEndpointAddress) }
      : {};
    new SecretsmanagerSecretVersion(this, 'auth-secret-value', {
      // the configuration endpoint exists once cluster mode compatible is applied: a plan before that stops here
      // instead of writing an empty host into the secret (README "Moving to cluster mode")
      lifecycle: s.configurationEndpointInSecret
        ? {
            precondition: [
              {
                condition: `\${${this.replicationGroup.fqn}.configuration_endpoint_address != null && ${this.replicationGroup.fqn}.configuration_endpoint_address != ""}`,
                errorMessage: `${rg} has no configuration endpoint yet: ${s.configurationEndpointHowToFix}`,
              },
            ],
          }
        : undefined,
      secretId: secret.id,
      secretString: Fn.jsonencode({
        ...credential,
        host: this.endpointAddress,
        port: s.port,
        tls: s.transitEncryptionEnabled,
        url: url(this.endpointAddress),
        ...reader,
        ...configuration,
      }),
    });
    return secret;
  }
}

/** Options of a generated RBAC user password (./defaults.ts USER_PASSWORD_GENERATION): letters and digits. */
function userPassword() {
  const g = USER_PASSWORD_GENERATION;
  return { length: g.length, special: false, minNumeric: g.minEachClass, minUpper: g.minEachClass, minLower: g.minEachClass };
}

/** Where the group's log groups live: `/aws/vendedlogs/elasticache/<rg>` (../facts/elasticache.ts). */
export function logGroupPrefix(replicationGroupId: string): string {
  return `${ELASTICACHE_LOG_GROUP_PREFIX}/${replicationGroupId}`;
}
