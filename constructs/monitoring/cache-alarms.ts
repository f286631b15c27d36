/**
 * CacheAlarms: CloudWatch alarms on every member node of a replication group, an optional e-mail subscription to
 * the alarm topic, and a dashboard with the same metrics for every node.
 *
 * ElastiCache publishes metrics per node, never per replication group, so the node ids are derived from the group's
 * settings (IReplicationGroup.nodes), never read from `member_clusters` (known only after apply).
 * Slow commands: a log transformer and a metric filter on the group's slow-log group publish each logged command's
 * duration per node (./slow-log-metric.ts), and every node alarms on it.
 * Thresholds: ./defaults.ts. Alarm names and construct ids are a contract: `alarm_name` forces replacement.
 */
import { Annotations } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { CloudwatchLogMetricFilter } from '@cdktf/provider-aws/lib/cloudwatch-log-metric-filter';
import { CloudwatchLogTransformer } from '@cdktf/provider-aws/lib/cloudwatch-log-transformer';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { EMAIL_PATTERN } from '../facts/aws';
import { CLOUDWATCH_ALARM_LIMITS } from '../facts/cloudwatch';
import { LOG_FORMATS } from '../facts/elasticache';
import { findNodeType, maxclientsOf } from '../elasticache/node-types';
import { ITopic } from '../elasticache/props';
import { IReplicationGroup } from '../elasticache/replication-group-base';
import { Problem, Problems, isUnresolved, literalProblem, problemsOf, validateConstruct } from '../validation';
import { AlarmNodeType, AlarmPlan, AlarmRunbook, SLUG, alarmResourceConfig, planCacheAlarms } from './alarm-plan';
import { AlarmOverrides, AlarmThresholds } from './defaults';
import { dashboardWidgets } from './dashboard';
import { SlowLogSource, slowLogMetricFilterConfig, slowLogTransformerConfig } from './slow-log-metric';
import { checkThresholds, mergeAlarmThresholds } from './thresholds';

const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

function isReplicationGroup(rg: unknown): rg is AlarmTarget {
  const g = rg as AlarmTarget | null | undefined;
  return (
    typeof g === 'object' &&
    g !== null &&
    typeof g.replicationGroupId === 'string' &&
    typeof g.nodeType === 'string' &&
    Array.isArray(g.nodes)
  );
}

/** vCPUs and maxclients of any node type (vCPUs only where the catalog knows the type). */
export function alarmNodeType(name: string): AlarmNodeType {
  return { name, vcpu: findNodeType(name)?.vcpu, maxclients: maxclientsOf(name) };
}

export interface CacheAlarmsProps {
  /**
   * The replication group to watch: a RedisReplicationGroup, or anything that names its member nodes and node type
   * (IReplicationGroup), e.g. a group managed elsewhere.
   */
  readonly replicationGroup: IReplicationGroup;
  /**
   * Prefix of every alarm name and the dashboard's name: letters, digits, `-` and `_`.
   * @default the replication group id (unique in the region, like alarm and dashboard names)
   */
  readonly alarmNamePrefix?: string;
  /**
   * Overrides of the thresholds and windows of DEFAULT_ALARM_THRESHOLDS (./defaults.ts), alarm by alarm and field
   * by field.
   * @default none: DEFAULT_ALARM_THRESHOLDS
   */
  readonly thresholds?: AlarmOverrides;
  /**
   * Topics the alarms notify (alarm and OK actions). Bring your own to route alarms into an existing paging topic.
   * @default the group's `alarmTopic` (RedisReplicationGroup: its encrypted `<rg>-alarms` topic)
   */
  readonly alarmTopics?: readonly ITopic[];
  /**
   * ARNs the alarms notify, as one list that may be known only at deploy time (e.g. AlarmSubscribers.alarmActions:
   * the alarm topic and a Terraform variable's topics). Replaces `alarmTopics` when given.
   * @default the ARNs of `alarmTopics`
   */
  readonly alarmActions?: string[];
  /**
   * E-mail address subscribed to the group's notification topic (the recipient confirms the subscription once).
   * @default none: no subscription
   */
  readonly alarmEmail?: string;
  /**
   * The CloudWatch Logs group ElastiCache delivers the group's slow log to, and its format. CacheAlarms sets a log
   * transformer on it (a log group has at most one) and a metric filter that publishes each logged command's duration
   * per node, and alarms every node on commands above `thresholds.slowCommands`.
   * @default a RedisReplicationGroup's `slowLogGroup` and `logFormat`; none for another IReplicationGroup (then no
   * slow-commands alarm, with a warning: on Redis OSS nothing else sees a stalled engine)
   */
  readonly slowLog?: SlowLogSource;
  /**
   * Create a CloudWatch dashboard named after the prefix, with one widget per metric showing every node.
   * @default true
   */
  readonly dashboard?: boolean;
  /**
   * Where the alarm descriptions send the operator: where the thresholds are set, and what to do when the data really
   * grew. @default DEFAULT_ALARM_RUNBOOK
   */
  readonly runbook?: AlarmRunbook;
}

/** What the alarms need of a group: its nodes and what picks their metrics (a subset of IReplicationGroup). */
export type AlarmTarget = Pick<IReplicationGroup, 'replicationGroupId' | 'nodeType' | 'nodes'> &
  Partial<Pick<IReplicationGroup, 'alarmTopic' | 'engine' | 'engineVersion' | 'slowLog' | 'dependable'>>;

/** Props with defaults applied and every problem checked. */
export interface ResolvedCacheAlarms {
  readonly replicationGroup: AlarmTarget;
  readonly alarmTopics: readonly ITopic[];
  /** ARNs of alarm and OK actions. */
  readonly alarmActions: string[];
  readonly alarmNamePrefix: string;
  readonly thresholds: AlarmThresholds;
  readonly plans: readonly AlarmPlan[];
  readonly alarmEmail?: string;
  readonly dashboard: boolean;
  /** The slow log turned into the slow-commands metric; undefined: no slow-commands alarms. */
  readonly slowLog?: SlowLogSource;
}

/** Apply defaults and validate every prop and threshold. Throws one Error listing every problem; creates nothing. */
export function resolveCacheAlarmsProps(
  props: Omit<CacheAlarmsProps, 'replicationGroup'> & { readonly replicationGroup: AlarmTarget },
  subject = 'CacheAlarms',
): ResolvedCacheAlarms {
  const errors = new Problems(subject);
  const rg = props.replicationGroup;
  const rgOk = isReplicationGroup(rg);
  errors.check(rgOk, 'replicationGroup', 'a RedisReplicationGroup construct or an IReplicationGroup (the object, not its id)', rg);

  const prefix = props.alarmNamePrefix ?? (rgOk ? rg.replicationGroupId : '');
  const L = CLOUDWATCH_ALARM_LIMITS;
  errors.check(
    typeof prefix === 'string' && NAME_PATTERN.test(prefix) && prefix.length <= L.dashboardNameMaxLength,
    'alarmNamePrefix',
    `1–${L.dashboardNameMaxLength} letters, digits, "-" or "_" (it also names the dashboard)`,
    prefix,
  );

  const thresholds = mergeAlarmThresholds(props.thresholds);
  checkThresholds(errors, props.thresholds, thresholds);

  if (props.alarmEmail !== undefined && !isUnresolved(props.alarmEmail)) {
    errors.check(
      typeof props.alarmEmail === 'string' && EMAIL_PATTERN.test(props.alarmEmail),
      'alarmEmail',
      'an e-mail address',
      props.alarmEmail,
    );
  }
  const alarmTopics = props.alarmTopics ?? (rgOk && rg.alarmTopic ? [rg.alarmTopic] : []);
  errors.check(
    props.alarmActions !== undefined ||
      (alarmTopics.length > 0 && alarmTopics.every((t) => typeof (t as ITopic | undefined)?.arn === 'string')),
    'alarmTopics',
    'at least one topic with an arn (the group has no alarmTopic to default to)',
    alarmTopics.length,
  );
  errors.check(props.dashboard === undefined || typeof props.dashboard === 'boolean', 'dashboard', 'true or false', props.dashboard);
  // the runbook's words go into every alarm description: literals only
  for (const [key, text] of Object.entries<unknown>({ ...props.runbook })) {
    const notLiteral = typeof text === 'string' ? literalProblem(text) : 'a string';
    errors.check(notLiteral === undefined && text !== '', `runbook.${key}`, notLiteral ?? 'a non-empty string', text);
  }
  const slowLog = props.slowLog ?? (rgOk ? rg.slowLog : undefined);
  if (props.slowLog !== undefined) {
    const given = props.slowLog as Partial<SlowLogSource> | null;
    const text = (v: unknown) => typeof v === 'string' && v.length > 0;
    errors.check(text(given?.logGroupName), 'slowLog.logGroupName', 'the name of the slow-log group', given?.logGroupName);
    errors.check(text(given?.logGroupArn), 'slowLog.logGroupArn', 'the ARN of the slow-log group', given?.logGroupArn);
    errors.check(
      (LOG_FORMATS as readonly unknown[]).includes(given?.logFormat),
      'slowLog.logFormat',
      `the delivery's log_format, one of ${LOG_FORMATS.join(', ')}`,
      given?.logFormat,
    );
  }

  let plans: AlarmPlan[] = [];
  if (rgOk && !errors.list.length) {
    plans = planCacheAlarms({
      nodes: rg.nodes,
      nodeType: alarmNodeType(rg.nodeType),
      replicationGroupId: rg.replicationGroupId,
      alarmNamePrefix: prefix,
      thresholds,
      engine: rg.engine,
      engineVersion: rg.engineVersion,
      slowLogMetric: slowLog !== undefined,
      runbook: props.runbook,
    });
    for (const p of plans) {
      errors.check(
        p.alarmName.length <= L.alarmNameMaxLength,
        'alarmNamePrefix',
        `short enough for alarm names of at most ${L.alarmNameMaxLength} characters`,
        p.alarmName,
      );
      errors.check(
        p.description.length <= L.alarmDescriptionMaxLength,
        `thresholds.${p.key}`,
        `an alarm description of at most ${L.alarmDescriptionMaxLength} characters`,
        p.description.length,
      );
    }
  }
  errors.throwIfAny();
  return {
    replicationGroup: rg,
    alarmTopics,
    alarmActions: props.alarmActions ?? alarmTopics.map((t) => t.arn),
    alarmNamePrefix: prefix,
    thresholds,
    plans,
    alarmEmail: props.alarmEmail,
    dashboard: props.dashboard ?? true,
    slowLog,
  };
}

export class CacheAlarms extends Construct {
  /** Thresholds in force: DEFAULT_ALARM_THRESHOLDS with the overrides applied. */
  readonly thresholds: AlarmThresholds;
  readonly alarmNamePrefix: string;
  /** What each alarm watches, in creation order (node by node). */
  readonly plans: readonly AlarmPlan[];
  readonly alarms: readonly CloudwatchMetricAlarm[];
  readonly dashboard?: CloudwatchDashboard;
  readonly emailSubscription?: SnsTopicSubscription;
  /** The slow-log group's transformer (parses the records, names the duration) and the metric filter after it. */
  readonly slowLogTransformer?: CloudwatchLogTransformer;
  readonly slowLogMetricFilter?: CloudwatchLogMetricFilter;

  /**
   * Every problem of `props`, as the constructor would throw them, without creating anything; the group needs only the
   * fields alarms read (AlarmTarget), so an app checks its alarms before it builds the group. Empty when valid.
   */
  static validateProps(props: Omit<CacheAlarmsProps, 'replicationGroup'> & { readonly replicationGroup: AlarmTarget }): readonly Problem[] {
    return problemsOf(() => resolveCacheAlarmsProps(props));
  }

  constructor(scope: Construct, id: string, props: CacheAlarmsProps) {
    super(scope, id);
    const r = validateConstruct(this, () => resolveCacheAlarmsProps(props, `${this.node.path} (CacheAlarms)`));
    this.thresholds = r.thresholds;
    this.alarmNamePrefix = r.alarmNamePrefix;
    this.plans = r.plans;
    const topicArns = r.alarmActions;
    const rg = r.replicationGroup.replicationGroupId;

    if (r.slowLog !== undefined) {
      this.slowLogTransformer = new CloudwatchLogTransformer(this, 'slow-log-transformer', {
        logGroupArn: r.slowLog.logGroupArn,
        transformerConfig: slowLogTransformerConfig(r.slowLog.logFormat),
      });
      // apply_on_transformed_logs is refused on a log group without a transformer: created after it
      this.slowLogMetricFilter = new CloudwatchLogMetricFilter(this, 'slow-log-metric-filter', {
        ...slowLogMetricFilterConfig(`${r.alarmNamePrefix}-slow-commands`, r.slowLog),
        dependsOn: [this.slowLogTransformer],
      });
    } else {
      Annotations.of(this).addWarning(
        `${rg}: no slowLog given, so no slow-commands alarms; a stalled engine is seen only by the latency percentiles of Valkey ≥ 7.2`,
      );
    }

    // the heartbeat treats missing data as breaching: created only once the group (and so its nodes) exists
    const group = r.replicationGroup.dependable;
    this.alarms = r.plans.map(
      (p) =>
        new CloudwatchMetricAlarm(this, `${p.node.cacheClusterId.slice(rg.length + 1)}-${SLUG[p.key]}`, {
          ...alarmResourceConfig(p, topicArns),
          ...(p.key === 'nodeDown' && group ? { dependsOn: [group] } : {}),
        }),
    );

    if (r.alarmEmail !== undefined) {
      this.emailSubscription = new SnsTopicSubscription(this, 'alarm-email', {
        topicArn: r.alarmTopics[0]?.arn ?? topicArns[0],
        protocol: 'email',
        endpoint: r.alarmEmail,
      });
    }

    if (r.dashboard) {
      const region = new DataAwsRegion(this, 'region');
      this.dashboard = new CloudwatchDashboard(this, 'dashboard', {
        dashboardName: r.alarmNamePrefix,
        dashboardBody: JSON.stringify({ widgets: dashboardWidgets(r.plans, region.region) }),
      });
    }
  }
}
