/**
 * A compact summary of a synthesized stack for snapshots: one line per block (its address and a few key arguments; for
 * an alarm its name, metric, threshold and evaluation), no descriptions, policy texts or dashboard bodies. Literal
 * assertions in the tests specify those; the summary detects a change in what is deployed and under which address.
 */
import { TfJson } from './synth';

type Block = Record<string, any>;

/** Arguments shown per resource type; a type not listed shows its `name`, if any. */
const KEY_ARGUMENTS: Record<string, readonly string[]> = {
  aws_cloudwatch_dashboard: ['dashboard_name'],
  aws_cloudwatch_log_group: ['name', 'retention_in_days', 'kms_key_id'],
  aws_elasticache_parameter_group: ['name', 'family', 'parameter', 'lifecycle'],
  aws_elasticache_replication_group: [
    'replication_group_id',
    'engine',
    'engine_version',
    'node_type',
    'cluster_mode',
    'num_cache_clusters',
    'num_node_groups',
    'replicas_per_node_group',
    'preferred_cache_cluster_azs',
    'multi_az_enabled',
    'automatic_failover_enabled',
    'port',
    'transit_encryption_mode',
    'at_rest_encryption_enabled',
    'auth_token_update_strategy',
    'snapshot_retention_limit',
    'snapshot_window',
    'maintenance_window',
    'apply_immediately',
  ],
  aws_elasticache_subnet_group: ['name'],
  aws_kms_alias: ['name'],
  aws_kms_key: ['deletion_window_in_days', 'enable_key_rotation'],
  aws_secretsmanager_secret: ['name', 'recovery_window_in_days'],
  aws_secretsmanager_secret_version: [],
  aws_security_group: ['name', 'egress'],
  aws_sns_topic: ['name', 'kms_master_key_id'],
  aws_sns_topic_policy: ['arn'],
  aws_sns_topic_subscription: ['protocol', 'for_each', 'topic_arn'],
  aws_vpc_security_group_ingress_rule: ['for_each', 'ip_protocol', 'from_port', 'to_port'],
  random_id: ['byte_length'],
  random_password: ['length', 'special', 'keepers'],
};

const COMPARISON: Readonly<Partial<Record<string, string>>> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '≥',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
};

function value(v: unknown): string {
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) return `[${v.join(',')}]`;
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

function argumentsOf(type: string, body: Block): string {
  const shown = pick(body, KEY_ARGUMENTS[type] ?? ['name']);
  if (type === 'aws_elasticache_parameter_group') {
    shown.parameter = `[${((body.parameter ?? []) as Block[]).map((p) => `${p.name}=${p.value}`).join(',')}]`;
  }
  if (type === 'aws_cloudwatch_dashboard')
    shown.widgets = (JSON.parse(String(body.dashboard_body)) as { widgets: unknown[] }).widgets.length;
  return Object.entries(shown)
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
}

function pick(body: Block, keys: readonly string[]): Block {
  return Object.fromEntries(keys.filter((k) => body[k] !== undefined).map((k) => [k, body[k]]));
}

/** `<name> <metric> <statistic> <comparison> <threshold> <datapoints>/<periods> × <period> s, missing data <treatment>` */
function alarmLine(a: Block): string {
  const queries = (a.metric_query ?? []) as Block[];
  const inputs = queries.filter((q) => q.metric).map((q) => q.metric as Block);
  const output = queries.find((q) => q.return_data === true)?.id ?? 'metric math';
  const metric =
    a.metric_name !== undefined
      ? `${a.metric_name} ${a.statistic ?? a.extended_statistic}`
      : `${output} of ${inputs.map((m) => `${m.metric_name} ${m.stat}`).join(', ')}`;
  const period = a.period ?? inputs[0]?.period;
  const compare = COMPARISON[a.comparison_operator] ?? a.comparison_operator;
  return `${a.alarm_name}: ${metric} ${compare} ${a.threshold}, ${a.datapoints_to_alarm}/${a.evaluation_periods} × ${period} s, missing data ${a.treat_missing_data}`;
}

export interface StackSummary {
  readonly terraform: string[];
  readonly providers: string[];
  readonly variables: string[];
  readonly data: string[];
  /** Alarms as `<address> <alarm name>: <metric> <statistic> <comparison> <threshold>, <evaluation>`. */
  readonly resources: string[];
  readonly outputs: string[];
}

/** The compact summary of a synthesized stack. */
export function summarizeStack(json: TfJson & { variable?: Record<string, Block> }): StackSummary {
  const tf = json.terraform ?? {};
  const entries = (section: Record<string, Record<string, Block>> | undefined) =>
    Object.entries(section ?? {})
      .flatMap(([type, blocks]) => Object.entries(blocks).map(([id, body]) => ({ type, id, body })))
      .sort((a, b) => (`${a.type}.${a.id}` < `${b.type}.${b.id}` ? -1 : 1));
  return {
    terraform: [
      ...Object.entries((tf.backend ?? {}) as Block).map(([kind, b]) => `backend ${kind} ${value(b)}`),
      ...Object.entries((tf.required_providers ?? {}) as Block).map(([name, p]) => `provider ${name} ${p.source} ${p.version}`),
    ],
    providers: Object.entries(json.provider ?? {}).map(([name, blocks]) => `${name} ${value(blocks)}`),
    variables: Object.entries(json.variable ?? {}).map(
      ([name, v]) => `${name}: ${v.type}, ${(v.validation ?? []).length} validation(s), default ${value(v.default)}`,
    ),
    data: entries(json.data).map((d) => `data.${d.type}.${d.id}`),
    resources: entries(json.resource).map(({ type, id, body }) =>
      `${type}.${id} ${type === 'aws_cloudwatch_metric_alarm' ? alarmLine(body) : argumentsOf(type, body)}`.trimEnd(),
    ),
    outputs: Object.entries(json.output ?? {}).map(([name, o]) => `${name} = ${value(o.value)}${o.sensitive ? ' (sensitive)' : ''}`),
  };
}
