/**
 * What a synthesized stack deploys: per replication group its engine, nodes, data memory, encryption, auth,
 * Multi-AZ, backups, alarms and monthly cost (prices: constructs/facts/node-catalog.ts).
 */
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- synthesized JSON is untyped (tf-json.ts Block); every value is tested (typeof, isSet, isExpression) before it is used */
import { SLOW_LOG_METRIC } from '../../constructs/facts/cloudwatch';
import { DEFAULT_RESERVED_MEMORY_PERCENT, ENGINES, Engine } from '../../constructs/facts/elasticache';
import { NODE_DIMENSION } from '../../constructs/guardrails/data';
import { GIB, PRICE_DATE, PRICE_REGION } from '../../constructs/facts/node-catalog';
import { dataSpaceBytes, findNodeType, hourlyPriceUsd, monthlyCostUsd } from '../../constructs/elasticache/node-types';
import { parseAccessString } from '../../constructs/elasticache/access-string';
import { ClusterModeStatus, clusterModeStatus } from './growth';
import { isCustomerManagedKey, referencedAddresses, referencedVariables, requiresNonEmpty, resourceAt } from '../../constructs/tf-json';
import {
  Block,
  TfJson,
  TfResource,
  environmentOf,
  isExpression,
  isSet,
  isTrue,
  referencedResource,
  replicationGroupLayout,
  resourcesOf,
} from '../../constructs/tf-json';

export const RG = 'aws_elasticache_replication_group';
export const PG = 'aws_elasticache_parameter_group';

/**
 * A final snapshot name as the review prints it: a random suffix (`${random_id.x.hex}`) is shown as what it is,
 * `<rg>-final-<8 hex digits from random_id.x, new per group generation>`.
 */
export function describeSnapshotName(id: unknown): string {
  return String(id).replace(
    /\$\{random_id\.([^.}]+)\.hex\}/g,
    (_, name: string) => `<random hex from random_id.${name}, new per group generation>`,
  );
}
export const round2 = (n: number) => Math.round(n * 100) / 100;

export interface AlarmSummary {
  /** Metric name, or the metric-math label (e.g. the hit rate). */
  readonly metric: string;
  /** `>`, `<`, `≥`, `≤`. */
  readonly comparison: string;
  /** As synthesized, in the metric's CloudWatch unit. */
  readonly threshold: number | string;
  /** CloudWatch unit of the metric (`Bytes`, `Microseconds`, `Seconds`, `Percent`, `Count`); null when unknown. */
  readonly unit: MetricUnit | null;
  /** The threshold as people read it: `50 MiB`, `100 ms`, `80 %`, `10 per 60 s`, `1000 connections`. */
  readonly thresholdText: string;
  /** Nodes with this alarm, and how many of those alarms have alarm actions. */
  readonly nodes: number;
  readonly withActions: number;
}

/** Who receives what: the topics of a group and their subscribers (counts and kinds; never an address or a URL path). */
export interface NotificationSummary {
  /** The events topic (`notification_topic_arn`): its name, and whether it is encrypted (ElastiCache cannot publish then). */
  readonly eventsTopic: { readonly name: string; readonly encrypted: boolean } | null;
  /** Topics the group's alarms notify: the stack's topics by name, existing ones by ARN. */
  readonly alarmTopics: readonly string[];
  readonly emails: number;
  /** Hosts of the HTTPS endpoints (the path may hold a key, so it is never shown). */
  readonly httpsHosts: readonly string[];
  /** Existing topics the alarms notify directly. */
  readonly topicArns: readonly string[];
  /** The Terraform variable the subscribers come from (its synthesized default is counted), if any. */
  readonly variable: string | null;
  /** A plan with no subscriber fails (the variable's validation). */
  readonly requiredAtPlan: boolean;
  /** Total subscribers. */
  readonly total: number;
}

/** Who may connect to the cache port. */
export interface ClientSummary {
  readonly securityGroups: number;
  readonly cidrs: readonly string[];
  /** A rule admits the VPC's whole CIDR block. */
  readonly wholeVpc: boolean;
  readonly variable: string | null;
  readonly requiredAtPlan: boolean;
}

export interface CacheSummary {
  readonly resource: string;
  readonly replicationGroupId: string;
  readonly engine: string;
  readonly engineVersion: string;
  readonly nodeType: string;
  readonly vcpu: number | null;
  readonly memoryGiB: number | null;
  readonly clusterMode: boolean | null;
  /** Where the group is in the move to cluster mode (./growth.ts); null when its layout is known only at apply time. */
  readonly clusterModeStep: ClusterModeStatus | null;
  readonly shards: number | null;
  readonly nodesPerShard: number | null;
  readonly totalNodes: number | null;
  readonly reservedMemoryPercent: number;
  /** Data space after reserved memory, all shards, GiB. */
  readonly dataGiB: number | null;
  readonly encryptionAtRest: { readonly enabled: boolean; readonly kmsKey: string | null; readonly customerManaged: boolean };
  readonly encryptionInTransit: { readonly enabled: boolean; readonly mode: string | null };
  readonly authentication: string;
  readonly multiAz: boolean;
  readonly automaticFailover: boolean;
  readonly backups: { readonly retentionDays: number; readonly window: string | null; readonly finalSnapshot: string | null };
  readonly maintenanceWindow: string | null;
  readonly alarms: readonly AlarmSummary[];
  readonly notifications: NotificationSummary;
  readonly clients: ClientSummary;
  readonly hourlyUsdPerNode: number | null;
  /** Monthly on-demand cost of the group's nodes; null when the node type or engine is not in the catalog. */
  readonly monthlyCostUsd: number | null;
}

/** Where a stack deploys (its `deployment_target` variable, fixed at synth from AWS_REGION and CACHE_STATE_BUCKET). */
export interface DeploymentTarget {
  readonly region: string;
  /** `AWS_REGION`, or `default` when it was unset. */
  readonly regionFrom: string;
  /** `s3://bucket/key` or `local file terraform.<stack>.tfstate`. */
  readonly state: string;
  /** The plan refuses this target (a protected environment on a default region or local state). */
  readonly refusedAtPlan: boolean;
}

export interface StackSummary {
  readonly stack: string;
  readonly environment: string;
  /** Where it deploys; null for a stack without the variable (the local stack, another team's). */
  readonly deploymentTarget: DeploymentTarget | null;
  readonly caches: readonly CacheSummary[];
  /** Resources per type. */
  readonly resourceCounts: Readonly<Record<string, number>>;
  /** Sum over the caches whose price is known. */
  readonly monthlyCostUsd: number;
  readonly priceDate: string;
  readonly priceRegion: string;
}

export type MetricUnit = 'Bytes' | 'Microseconds' | 'Seconds' | 'Percent' | 'Count';

/**
 * CloudWatch units of the ElastiCache metrics (AWS ElastiCache User Guide, "Host-Level Metrics" and "Metrics for Valkey
 * and Redis OSS"). A synthesized alarm holds only the number, in this unit.
 */
const METRIC_UNITS: Readonly<Partial<Record<string, MetricUnit>>> = {
  CPUUtilization: 'Percent',
  EngineCPUUtilization: 'Percent',
  DatabaseMemoryUsagePercentage: 'Percent',
  SwapUsage: 'Bytes',
  FreeableMemory: 'Bytes',
  BytesUsedForCache: 'Bytes',
  GetTypeCmdsLatency: 'Microseconds',
  SetTypeCmdsLatency: 'Microseconds',
  SuccessfulReadRequestLatency: 'Microseconds',
  SuccessfulWriteRequestLatency: 'Microseconds',
  [SLOW_LOG_METRIC.metricName]: SLOW_LOG_METRIC.unit,
  ReplicationLag: 'Seconds',
  CurrConnections: 'Count',
  NewConnections: 'Count',
  Evictions: 'Count',
  AuthenticationFailures: 'Count',
  CurrItems: 'Count',
  CurrVolatileItems: 'Count',
  CacheHits: 'Count',
  CacheMisses: 'Count',
};

/** What a count metric counts (singular), for a threshold on its Average, Minimum or Maximum. */
const COUNTED: Readonly<Partial<Record<string, string>>> = {
  CurrConnections: 'connection',
  NewConnections: 'connection',
  CurrItems: 'key',
  CurrVolatileItems: 'key',
};

export interface ThresholdUnit {
  readonly unit: MetricUnit | null;
  /** For a count: what is counted (singular). */
  readonly counted?: string;
  /** For a Sum or SampleCount: the period it is taken over, seconds. */
  readonly perSeconds?: number;
}

/** The unit of an alarm's threshold: its metric's; for metric math, a `(%)` label's or the one its inputs share. */
function thresholdUnit(b: Block): ThresholdUnit {
  const queries = ([] as Block[]).concat(b.metric_query ?? []);
  const inputs = queries.flatMap((q) => (q.metric ? [q.metric as Block] : []));
  const period = Number(b.period ?? inputs[0]?.period);
  const perSeconds = Number.isFinite(period) && period > 0 ? period : undefined;
  if (typeof b.metric_name === 'string') {
    const unit = METRIC_UNITS[b.metric_name] ?? null;
    if (b.statistic === 'SampleCount') return { unit: 'Count', counted: 'datapoint', perSeconds };
    if (unit === 'Count' && b.statistic === 'Sum') return { unit, perSeconds };
    return { unit, counted: unit === 'Count' ? COUNTED[b.metric_name] : undefined };
  }
  const output = queries.find((q) => isTrue(q.return_data) && q.expression);
  if (String(output?.label ?? '').includes('(%)')) return { unit: 'Percent' };
  const units = [...new Set(inputs.map((m) => METRIC_UNITS[String(m.metric_name)] ?? null))];
  const counted = [...new Set(inputs.map((m) => COUNTED[String(m.metric_name)]))];
  const unit = units.length === 1 ? (units[0] ?? null) : null;
  return { unit, counted: unit === 'Count' && counted.length === 1 ? counted[0] : undefined };
}

const MIB = 2 ** 20;
const num = (n: number) => String(round2(n));

/** A threshold as people read it: `52428800` bytes → `50 MiB`, `100000` µs → `100 ms`, `80 %`, `10 per 60 s`. */
export function thresholdText(threshold: number | string, u: ThresholdUnit): string {
  if (typeof threshold !== 'number') return threshold;
  switch (u.unit) {
    case 'Bytes':
      if (threshold >= GIB) return `${num(threshold / GIB)} GiB`;
      return threshold >= MIB ? `${num(threshold / MIB)} MiB` : `${num(threshold)} bytes`;
    case 'Microseconds':
      return `${num(threshold / 1000)} ms`;
    case 'Seconds':
      return `${num(threshold)} s`;
    case 'Percent':
      return `${num(threshold)} %`;
    case 'Count': {
      const noun = u.counted === undefined ? '' : ` ${u.counted}${threshold === 1 ? '' : 's'}`;
      return `${num(threshold)}${noun}${u.perSeconds === undefined ? '' : ` per ${u.perSeconds} s`}`;
    }
    case null:
      return num(threshold);
  }
}

const COMPARISON: Record<string, string> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '≥',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
};

/** The node an alarm watches (its own dimensions, or those of its metric-math inputs) and the metric shown. */
function alarmTarget(b: Block): { node?: string; metric: string } {
  const direct = b.dimensions?.[NODE_DIMENSION];
  if (typeof direct === 'string') return { node: direct, metric: String(b.metric_name) };
  const queries = ([] as Block[]).concat(b.metric_query ?? []);
  const node = queries.map((q) => q.metric?.dimensions?.[NODE_DIMENSION]).find((n) => typeof n === 'string');
  const output = queries.find((q) => isTrue(q.return_data) && q.expression);
  return { node, metric: output?.label ?? output?.id ?? 'metric math' };
}

function alarmsOf(json: TfJson, nodeIds: ReadonlySet<string>): AlarmSummary[] {
  const groups = new Map<
    string,
    {
      metric: string;
      comparison: string;
      threshold: number | string;
      unit: MetricUnit | null;
      thresholdText: string;
      nodes: number;
      withActions: number;
    }
  >();
  for (const a of resourcesOf(json, 'aws_cloudwatch_metric_alarm')) {
    const { node, metric } = alarmTarget(a.body);
    if (!node || !nodeIds.has(node)) continue;
    const comparison = (COMPARISON[String(a.body.comparison_operator)] as string | undefined) ?? String(a.body.comparison_operator);
    const threshold = typeof a.body.threshold === 'number' ? round2(a.body.threshold) : String(a.body.threshold);
    const u = thresholdUnit(a.body);
    const text = thresholdText(threshold, u);
    const key = `${metric}|${comparison}|${text}`;
    const g = groups.get(key) ?? { metric, comparison, threshold, unit: u.unit, thresholdText: text, nodes: 0, withActions: 0 };
    g.nodes += 1;
    if (([] as unknown[]).concat(a.body.alarm_actions ?? []).some(isSet)) g.withActions += 1;
    groups.set(key, g);
  }
  return [...groups.values()].sort(
    (a, b) => a.metric.localeCompare(b.metric) || String(a.threshold).localeCompare(String(b.threshold), 'en', { numeric: true }),
  );
}

const hostOf = (url: string) => /^https?:\/\/([^/:?#]+)/.exec(url)?.[1] ?? '(not a URL)';

function topicLabel(json: TfJson, expression: unknown): string[] {
  if (typeof expression === 'string' && expression.startsWith('arn:')) return [expression];
  return referencedAddresses(expression)
    .map((a) => resourceAt(json, a))
    .flatMap((t) => (t?.type === 'aws_sns_topic' ? [t] : []))
    .map((t) => `${String(t.body.name)}${isSet(t.body.kms_master_key_id) ? ' (encrypted)' : ' (unencrypted)'}`);
}

function notificationsOf(json: TfJson, rg: Block, nodeIds: ReadonlySet<string>): NotificationSummary {
  const events = referencedAddresses(rg.notification_topic_arn)
    .map((a) => resourceAt(json, a))
    .find((t) => t?.type === 'aws_sns_topic');
  const eventsTopic = events
    ? { name: String(events.body.name), encrypted: isSet(events.body.kms_master_key_id) }
    : isSet(rg.notification_topic_arn)
      ? { name: String(rg.notification_topic_arn), encrypted: false }
      : null;
  const actions = resourcesOf(json, 'aws_cloudwatch_metric_alarm')
    .filter((a) => nodeIds.has(alarmTarget(a.body).node ?? ''))
    .map((a) => a.body.alarm_actions);
  const alarmTopics = [...new Set(actions.flatMap((x) => ([] as unknown[]).concat(x ?? []).flatMap((e) => topicLabel(json, e))))];
  const vars = [...new Set(actions.flatMap((x) => referencedVariables(x)))];
  const subs = resourcesOf(json, 'aws_sns_topic_subscription');
  const subVars = [...new Set(subs.flatMap((x) => referencedVariables(x.body.for_each)))];
  const candidates = [...subVars, ...vars];
  const variable = candidates.length ? candidates[0] : null;
  const value = (variable && (json.variable?.[variable]?.default as Block | undefined)) || {};
  const list = (k: string) => ([] as unknown[]).concat(value[k] ?? []).map(String);
  const staticSubs = subs.filter((x) => x.body.for_each === undefined);
  const emails = list('emails').length + staticSubs.filter((x) => String(x.body.protocol).startsWith('email')).length;
  const httpsHosts = [
    ...list('https_endpoints'),
    ...list('https_endpoints_auto_confirm'),
    ...staticSubs.filter((x) => x.body.protocol === 'https').map((x) => String(x.body.endpoint)),
  ].map(hostOf);
  const topicArns = [
    ...list('topic_arns'),
    ...actions.flatMap((x) => ([] as unknown[]).concat(x ?? []).filter((e): e is string => typeof e === 'string' && e.startsWith('arn:'))),
  ];
  const uniqueArns = [...new Set(topicArns)];
  return {
    eventsTopic,
    alarmTopics,
    emails,
    httpsHosts,
    topicArns: uniqueArns,
    variable,
    requiredAtPlan: variable !== null && requiresNonEmpty(json, variable),
    total: emails + httpsHosts.length + uniqueArns.length,
  };
}

function clientsOf(json: TfJson, rg: Block): ClientSummary {
  const sgs = ([] as unknown[]).concat(rg.security_group_ids ?? []).flatMap((e) => referencedAddresses(e));
  const rules = resourcesOf(json, 'aws_vpc_security_group_ingress_rule').filter((x) =>
    referencedAddresses(x.body.security_group_id).some((a) => sgs.includes(a)),
  );
  const fromVars = rules.flatMap((x) => referencedVariables(x.body.for_each));
  const variable = fromVars.length ? fromVars[0] : null;
  const value = (variable && (json.variable?.[variable]?.default as Block | undefined)) || {};
  const staticRules = rules.filter((x) => x.body.for_each === undefined);
  const wholeVpc = staticRules.some((x) => /data\.aws_vpc\.[^.]+\.cidr_block/.test(String(x.body.cidr_ipv4 ?? '')));
  return {
    securityGroups:
      staticRules.filter((x) => isSet(x.body.referenced_security_group_id)).length +
      ([] as unknown[]).concat(value.security_group_ids ?? []).length,
    cidrs: [
      ...staticRules
        .filter((x) => isSet(x.body.cidr_ipv4))
        .map((x) => (wholeVpc && isExpression(x.body.cidr_ipv4) ? 'the VPC range' : String(x.body.cidr_ipv4))),
      ...([] as unknown[]).concat(value.cidrs ?? []).map(String),
    ],
    wholeVpc,
    variable,
    requiredAtPlan: variable !== null && requiresNonEmpty(json, variable),
  };
}

function reservedMemoryPercent(json: TfJson, rg: Block): number {
  const pg = referencedResource(json, rg.parameter_group_name);
  const p = ([] as Block[]).concat(pg?.body.parameter ?? []).find((x) => x.name === 'reserved-memory-percent');
  const n = Number(p?.value);
  return p && Number.isFinite(n) ? n : DEFAULT_RESERVED_MEMORY_PERCENT;
}

/** RBAC: each user group with its users, whether each is on, and what the application user may not run. */
function rbacOf(json: TfJson, rg: Block): string {
  const groups = referencedAddresses(rg.user_group_ids)
    .map((a) => resourceAt(json, a))
    .filter((g) => g?.type === 'aws_elasticache_user_group');
  if (!groups.length) return `RBAC user groups ${JSON.stringify(rg.user_group_ids)} (not in this stack)`;
  const parts = groups.map((g) => {
    const users = referencedAddresses(g?.body.user_ids)
      .map((a) => resourceAt(json, a)?.body)
      .filter((u): u is Block => u !== undefined)
      .map((u) => {
        const access = typeof u.access_string === 'string' ? u.access_string : '';
        const on = parseAccessString(access).on;
        const passwords = referencedAddresses(([] as Block[]).concat((u.authentication_mode ?? []) as Block | Block[])[0]?.passwords);
        const token = passwords.some((p) => /auth-token/.test(p)) ? ', accepts the AUTH token (migration)' : '';
        return `${String(u.user_name)} (${on ? access : 'off'}${on && passwords.length > 1 ? ', 2 passwords (rotation step 1)' : ''}${token})`;
      });
    return `user group ${String(g?.body.user_group_id)}: ${users.join('; ')}`;
  });
  return `RBAC, ${parts.join(' | ')}`;
}

function authenticationOf(json: TfJson, rg: Block): string {
  if (isSet(rg.user_group_ids)) return rbacOf(json, rg);
  if (!isSet(rg.auth_token)) return 'none';
  const source = isExpression(rg.auth_token) ? 'generated at deploy time' : 'LITERAL';
  return `AUTH token (${source}${rg.auth_token_update_strategy ? `, update strategy ${rg.auth_token_update_strategy}` : ''})`;
}

export function summarizeCache(json: TfJson, r: TfResource): CacheSummary {
  const b = r.body;
  const layout = replicationGroupLayout(b);
  const node = typeof b.node_type === 'string' ? findNodeType(b.node_type) : undefined;
  const engine = (ENGINES as readonly string[]).includes(b.engine ?? 'redis') ? ((b.engine ?? 'redis') as Engine) : undefined;
  const reserved = reservedMemoryPercent(json, b);
  const hourly = node && engine ? hourlyPriceUsd(node, engine) : null;
  const nodeIds = new Set(layout?.nodes.map((n) => n.cacheClusterId) ?? []);
  return {
    resource: r.address,
    replicationGroupId: String(b.replication_group_id),
    engine: String(b.engine ?? 'redis'),
    engineVersion: String(b.engine_version ?? '(default)'),
    nodeType: String(b.node_type),
    vcpu: node?.vcpu ?? null,
    memoryGiB: node?.memoryGiB ?? null,
    clusterMode: layout?.clusterMode ?? null,
    clusterModeStep: clusterModeStatus(json, r) ?? null,
    shards: layout?.shards ?? null,
    nodesPerShard: layout ? 1 + layout.replicasPerShard : null,
    totalNodes: layout?.totalNodes ?? null,
    reservedMemoryPercent: reserved,
    dataGiB: node && layout ? round2((layout.shards * dataSpaceBytes(node, reserved)) / GIB) : null,
    encryptionAtRest: {
      enabled: isTrue(b.at_rest_encryption_enabled),
      kmsKey: isSet(b.kms_key_id) ? String(b.kms_key_id) : null,
      customerManaged: isCustomerManagedKey(json, b.kms_key_id),
    },
    encryptionInTransit: { enabled: isTrue(b.transit_encryption_enabled), mode: b.transit_encryption_mode ?? null },
    authentication: authenticationOf(json, b),
    multiAz: isTrue(b.multi_az_enabled),
    automaticFailover: isTrue(b.automatic_failover_enabled),
    backups: {
      retentionDays: typeof b.snapshot_retention_limit === 'number' ? b.snapshot_retention_limit : 0,
      window: b.snapshot_window ?? null,
      finalSnapshot: isSet(b.final_snapshot_identifier) ? describeSnapshotName(b.final_snapshot_identifier) : null,
    },
    maintenanceWindow: b.maintenance_window ?? null,
    alarms: alarmsOf(json, nodeIds),
    notifications: notificationsOf(json, b, nodeIds),
    clients: clientsOf(json, b),
    hourlyUsdPerNode: hourly,
    monthlyCostUsd: node && engine && layout ? monthlyCostUsd(node, engine, layout.totalNodes) : null,
  };
}

/** What a synthesized stack deploys. */
export function summarize(json: TfJson, stackName: string): StackSummary {
  const caches = resourcesOf(json, RG).map((r) => summarizeCache(json, r));
  const resourceCounts: Record<string, number> = {};
  for (const r of resourcesOf(json)) resourceCounts[r.type] = (resourceCounts[r.type] ?? 0) + 1;
  const target = json.variable?.deployment_target;
  const t = (target?.default ?? {}) as Block;
  return {
    stack: stackName,
    environment: environmentOf(json, stackName),
    deploymentTarget: target
      ? {
          region: String(t.region),
          regionFrom: String(t.region_from),
          state: String(t.state),
          refusedAtPlan:
            ([] as Block[]).concat(target.validation ?? []).length > 0 &&
            !(t.region_from === 'AWS_REGION' && String(t.state).startsWith('s3://')),
        }
      : null,
    caches,
    resourceCounts,
    monthlyCostUsd: round2(caches.reduce((sum, c) => sum + (c.monthlyCostUsd ?? 0), 0)),
    priceDate: PRICE_DATE,
    priceRegion: PRICE_REGION,
  };
}
