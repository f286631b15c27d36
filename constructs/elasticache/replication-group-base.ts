/**
 * What another construct needs of a replication group, made here (RedisReplicationGroup) or elsewhere
 * (RedisReplicationGroup.fromReplicationGroupAttributes): the resource interface in the shape of aws-cdk's L2s, and the
 * verbs every group shares — admit a client (`allowFrom`), let a role read the credentials (`grantReadCredentials`),
 * and the node metrics the alarms use (`metric…`).
 */
import { Construct } from 'constructs';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { ITerraformDependable } from 'cdktf';
import { IAM_ROLE_NAME } from '../facts/aws';
import { Engine, LogFormat } from '../facts/elasticache';
import { Problems, isAwsId, isPrivateCidr, isUnresolved } from '../validation';
import { CacheNode } from './member-nodes';
import { ITopic } from './props';

/** Where ElastiCache delivers a group's slow log, and in which format. */
export interface SlowLogSource {
  /** Name of the CloudWatch Logs group the group's `slow-log` delivery writes to. */
  readonly logGroupName: string;
  /** ARN of that log group: the transformer is set on it. */
  readonly logGroupArn: string;
  /** `log_delivery_configuration.log_format` of the delivery: `json` or `text`. */
  readonly logFormat: LogFormat;
}

/** One node's metric, in the shape an `aws_cloudwatch_metric_alarm` takes (`{ ...m.alarm }`). */
export interface CacheMetric {
  readonly node: CacheNode;
  readonly alarm: {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: { readonly CacheClusterId: string };
    /** Set for Average, Sum, Minimum, Maximum, SampleCount. */
    readonly statistic?: string;
    /** Set for a percentile such as `p95`. */
    readonly extendedStatistic?: string;
    readonly period: number;
  };
}

export interface MetricOptions {
  /** `Average`, `Sum`, `Minimum`, `Maximum`, `SampleCount` or a percentile `pNN`. @default 'Average' */
  readonly statistic?: string;
  /** @default 60 (ElastiCache publishes node metrics every minute) */
  readonly periodSeconds?: number;
  /** Only these nodes. @default every member node */
  readonly nodes?: readonly CacheNode[];
}

/** A replication group that alarms, clients and roles can be attached to. */
export interface IReplicationGroup {
  readonly replicationGroupId: string;
  /** `arn:<partition>:elasticache:<region>:<account>:replicationgroup:<id>`. */
  readonly replicationGroupArn: string;
  /** Engine and version (they pick the latency metrics). @default unknown */
  readonly engine?: Engine;
  readonly engineVersion?: string;
  /** Node type name, e.g. `cache.m7g.large`. */
  readonly nodeType: string;
  /** Member nodes as ElastiCache names them (./member-nodes.ts). */
  readonly nodes: readonly CacheNode[];
  readonly port: number;
  /** The endpoint clients connect to: the primary, or the configuration endpoint in cluster mode. */
  readonly endpointAddress: string;
  /** Reader endpoint (cluster mode disabled). @default none */
  readonly readerEndpointAddress?: string;
  /** Security group of the nodes, which `allowFrom` adds rules to. @default none: allowFrom refuses */
  readonly securityGroupId?: string;
  /** Secret with the credentials and endpoints (JSON). @default none */
  readonly credentialsSecretArn?: string;
  /** KMS key the secret is encrypted with. @default none */
  readonly encryptionKeyArn?: string;
  /** Topic alarms notify by default. @default none */
  readonly alarmTopic?: ITopic;
  /** Where the slow log is delivered (the slow-commands alarm reads it). @default none */
  readonly slowLog?: SlowLogSource;
  /** What an alarm that pages on missing data waits for (the group resource). @default none */
  readonly dependable?: ITerraformDependable;
  /** Admit a client security group (`sg-…`) or a private IPv4 range (CIDR) to the port. */
  allowFrom(source: string, kind?: 'security-group' | 'cidr'): VpcSecurityGroupIngressRule;
  /** Let a role (its name) read the credentials secret and decrypt it. */
  grantReadCredentials(roleName: string): IamRolePolicy;
  /** One metric of every node (or of `options.nodes`). */
  metric(metricName: string, options?: MetricOptions): CacheMetric[];
}

/** The verbs every replication group shares; subclasses say where the group's parts are. */
export abstract class ReplicationGroupBase extends Construct implements IReplicationGroup {
  abstract readonly replicationGroupId: string;
  abstract readonly replicationGroupArn: string;
  abstract readonly engine?: Engine;
  abstract readonly engineVersion?: string;
  abstract readonly nodeType: string;
  abstract readonly nodes: readonly CacheNode[];
  abstract readonly port: number;
  abstract readonly endpointAddress: string;
  abstract readonly readerEndpointAddress?: string;
  abstract readonly securityGroupId?: string;
  abstract readonly credentialsSecretArn?: string;
  abstract readonly encryptionKeyArn?: string;
  abstract readonly alarmTopic?: ITopic;
  abstract readonly slowLog?: SlowLogSource;
  abstract readonly dependable?: ITerraformDependable;

  private securityGroupSources = 0;
  private cidrSources = 0;
  private credentialReaders = 0;
  private lookups?: { account: DataAwsCallerIdentity; partition: DataAwsPartition; region: DataAwsRegion };

  /** Construct ids the subclass's own ingress rules used, so `allowFrom` continues their numbering. */
  protected reserveIngressIds(securityGroups: number, cidrs: number): void {
    this.securityGroupSources = Math.max(this.securityGroupSources, securityGroups);
    this.cidrSources = Math.max(this.cidrSources, cidrs);
  }

  /** Account, partition and region of the deployment (data sources, created once, when something needs them). */
  protected where(): { account: DataAwsCallerIdentity; partition: DataAwsPartition; region: DataAwsRegion } {
    const lookups = this.lookups ?? {
      account: new DataAwsCallerIdentity(this, 'account'),
      partition: new DataAwsPartition(this, 'partition'),
      region: new DataAwsRegion(this, 'region'),
    };
    this.lookups = lookups;
    return lookups;
  }

  /** Tags of the rules allowFrom creates. @default none */
  protected ruleTags(): Record<string, string> | undefined {
    return undefined;
  }

  /**
   * Admit a client to the cache port after construction: a security group (`sg-…`, rule `ingress-sg-<n>`) or a private
   * IPv4 network (rule `ingress-cidr-<n>`), numbered after the props' own. Add sources in a stable order: the construct
   * id is a contract. Never the whole internet (0.0.0.0/0 is refused).
   * @param kind which `source` is, needed only when it is known at deploy time (a token)
   */
  allowFrom(source: string, kind?: 'security-group' | 'cidr'): VpcSecurityGroupIngressRule {
    const problems = new Problems(`${this.node.path} (${this.constructor.name}.allowFrom)`);
    problems.check(
      this.securityGroupId !== undefined,
      'securityGroupId',
      "the group's security group (an imported group needs securityGroupId)",
      undefined,
    );
    const token = isUnresolved(source);
    problems.check(!token || kind !== undefined, 'kind', "'security-group' or 'cidr' for a source known only at deploy time", kind);
    const sg = kind === 'security-group' || (kind === undefined && !token && isAwsId('sg', source));
    if (!token) {
      problems.check(
        sg ? isAwsId('sg', source) : isPrivateCidr(source),
        'source',
        'a security group id (sg- and 8 or 17 hex digits) or a private IPv4 network in CIDR form (RFC 1918 or 100.64/10, no host bits)',
        source,
      );
    }
    problems.throwIfAny();
    const n = sg ? this.securityGroupSources++ : this.cidrSources++;
    return new VpcSecurityGroupIngressRule(this, sg ? `ingress-sg-${n}` : `ingress-cidr-${n}`, {
      securityGroupId: this.securityGroupId as string,
      description: sg ? `Redis TLS port from client security group ${n + 1}` : `Redis TLS port from private range ${n + 1}`,
      ipProtocol: 'tcp',
      fromPort: this.port,
      toPort: this.port,
      ...(sg ? { referencedSecurityGroupId: source } : { cidrIpv4: source }),
      tags: this.ruleTags(),
    });
  }

  /**
   * Lets an IAM role read the credentials secret, which is what an application needs to connect: secretsmanager:
   * GetSecretValue and DescribeSecret on the secret, and kms:Decrypt on the key it is encrypted with (Secrets Manager
   * decrypts with the caller's permissions), only through Secrets Manager in this region (kms:ViaService) and only for
   * this secret (encryption context SecretARN). An inline policy `<rg>-read-credentials` on the role, which must be in
   * the stack's account. Construct ids `read-credentials-<n>`: add roles in a stable order.
   * @param roleName the role's name (not its ARN), e.g. `aws_iam_role.app.name` or `orders-api-task`
   */
  grantReadCredentials(roleName: string): IamRolePolicy {
    const problems = new Problems(`${this.node.path} (${this.constructor.name}.grantReadCredentials)`);
    problems.check(
      this.credentialsSecretArn !== undefined,
      'authentication',
      'rbac or auth-token (a group without authentication has no credentials)',
      this.credentialsSecretArn === undefined ? 'none' : 'a secret',
    );
    problems.check(this.encryptionKeyArn !== undefined, 'encryptionKeyArn', 'the key the secret is encrypted with', undefined);
    if (!isUnresolved(roleName)) {
      problems.check(
        IAM_ROLE_NAME.test(roleName),
        'roleName',
        'an IAM role name (1-64 of letters, digits and + = , . @ _ -), not an ARN',
        roleName,
      );
    }
    problems.throwIfAny();
    const secret = this.credentialsSecretArn as string;
    const i = this.credentialReaders++;
    const { region } = this.where();
    const policy = new DataAwsIamPolicyDocument(this, `read-credentials-policy-${i}`, {
      statement: [
        {
          sid: 'ReadTheCacheCredentials',
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          resources: [secret],
        },
        {
          sid: 'DecryptThemThroughSecretsManager',
          actions: ['kms:Decrypt'],
          resources: [this.encryptionKeyArn as string],
          condition: [
            { test: 'StringEquals', variable: 'kms:ViaService', values: [`secretsmanager.${region.region}.amazonaws.com`] },
            { test: 'StringEquals', variable: 'kms:EncryptionContext:SecretARN', values: [secret] },
          ],
        },
      ],
    });
    return new IamRolePolicy(this, `read-credentials-${i}`, {
      name: `${this.replicationGroupId}-read-credentials`,
      role: roleName,
      policy: policy.json,
    });
  }

  /** One metric of every node in the AWS/ElastiCache namespace, per node as ElastiCache publishes it. */
  metric(metricName: string, options: MetricOptions = {}): CacheMetric[] {
    const statistic = options.statistic ?? 'Average';
    const percentile = /^p\d+(\.\d+)?$/.test(statistic);
    return (options.nodes ?? this.nodes).map((node) => ({
      node,
      alarm: {
        namespace: 'AWS/ElastiCache',
        metricName,
        dimensions: { CacheClusterId: node.cacheClusterId },
        ...(percentile ? { extendedStatistic: statistic } : { statistic }),
        period: options.periodSeconds ?? 60,
      },
    }));
  }

  /** EngineCPUUtilization (the engine thread; AWS's advice from 4 vCPU), Average. */
  metricEngineCpuUtilization(options?: MetricOptions): CacheMetric[] {
    return this.metric('EngineCPUUtilization', options);
  }

  /** CPUUtilization (the host; AWS's advice up to 2 vCPU), Average. */
  metricCpuUtilization(options?: MetricOptions): CacheMetric[] {
    return this.metric('CPUUtilization', options);
  }

  /** DatabaseMemoryUsagePercentage, Average. */
  metricDatabaseMemoryUsagePercentage(options?: MetricOptions): CacheMetric[] {
    return this.metric('DatabaseMemoryUsagePercentage', options);
  }

  /** Evictions, Sum. */
  metricEvictions(options?: MetricOptions): CacheMetric[] {
    return this.metric('Evictions', { statistic: 'Sum', ...options });
  }

  /** CurrConnections, Average. */
  metricCurrConnections(options?: MetricOptions): CacheMetric[] {
    return this.metric('CurrConnections', options);
  }

  /** ReplicationLag (seconds), Maximum, of the replicas only (primaries publish none). */
  metricReplicationLag(options?: MetricOptions): CacheMetric[] {
    return this.metric('ReplicationLag', { statistic: 'Maximum', nodes: this.nodes.filter((n) => n.role === 'replica'), ...options });
  }

  /** AuthenticationFailures, Sum. */
  metricAuthenticationFailures(options?: MetricOptions): CacheMetric[] {
    return this.metric('AuthenticationFailures', { statistic: 'Sum', ...options });
  }

  /** SuccessfulReadRequestLatency (µs), p95: published by Valkey ≥ 7.2 only. */
  metricReadLatencyP95(options?: MetricOptions): CacheMetric[] {
    return this.metric('SuccessfulReadRequestLatency', { statistic: 'p95', ...options });
  }

  /** SuccessfulWriteRequestLatency (µs), p95: published by Valkey ≥ 7.2 only. */
  metricWriteLatencyP95(options?: MetricOptions): CacheMetric[] {
    return this.metric('SuccessfulWriteRequestLatency', { statistic: 'p95', ...options });
  }
}
