/**
 * What the review (scripts/review/) reads and calls out, as data: the fields of a synthesized stack it checks before it
 * trusts them, the plan formats it reads (`terraform show -json` / `tofu show -json` of a plan file), what each
 * `action_reason` of a plan means, and which drift (changes made outside Terraform) it calls out.
 */

/** Messages quote a value of the input at most this long; longer ones are cut with "…" and their length. */
export const MESSAGE_VALUE_MAX_CHARS = 120;

/**
 * The kind each field the review reads must have in a synthesized stack, per resource type: anything else is malformed
 * input (exit 2, naming the file and the field). A `${…}` expression is accepted for every field (Terraform computes
 * it). Ranges are the API's (docs/reference/elasticache-facts.md "Validation rules"), so a value outside them is
 * not a stack cdktf synthesized from this project.
 */
export type FieldKind =
  | { readonly kind: 'string' }
  | { readonly kind: 'boolean' }
  /** Terraform's bools in AWS 6.x string-typed arguments: true, false, "true" or "false". */
  | { readonly kind: 'bool-string' }
  | { readonly kind: 'number' }
  | { readonly kind: 'integer'; readonly min: number; readonly max?: number };

const S = { kind: 'string' } as const;
const B = { kind: 'boolean' } as const;
const int = (min: number, max?: number): FieldKind => ({ kind: 'integer', min, max });

export const STACK_FIELD_KINDS: Readonly<Record<string, Readonly<Record<string, FieldKind>>>> = {
  aws_elasticache_replication_group: {
    replication_group_id: S,
    description: S,
    node_type: S,
    engine: S,
    engine_version: S,
    num_cache_clusters: int(1, 6),
    num_node_groups: int(1, 500),
    replicas_per_node_group: int(0, 5),
    port: int(1, 65535),
    snapshot_retention_limit: int(0, 35),
    snapshot_window: S,
    maintenance_window: S,
    final_snapshot_identifier: S,
    snapshot_name: S,
    apply_immediately: B,
    multi_az_enabled: B,
    automatic_failover_enabled: B,
    transit_encryption_enabled: B,
    transit_encryption_mode: S,
    at_rest_encryption_enabled: { kind: 'bool-string' },
    auth_token_update_strategy: S,
  },
  aws_cloudwatch_metric_alarm: {
    alarm_name: S,
    comparison_operator: S,
    threshold: { kind: 'number' },
    period: int(1),
    evaluation_periods: int(1),
  },
  aws_elasticache_parameter_group: { name: S, family: S },
  aws_sns_topic: { name: S },
  docker_container: { name: S, memory: int(0), image: S },
};

/** The plan formats read: `format_version` major 1 (Terraform ≥ 1.0 and every OpenTofu release write 1.x). */
export const PLAN_FORMAT_MAJOR = 1;

/** Actions a plan's `change.actions` may hold (Terraform and OpenTofu docs, "Change Representation"). */
export const PLAN_ACTIONS = ['no-op', 'create', 'read', 'update', 'delete', 'forget'] as const;

/** `action_reason` of a resource change, in words (Terraform/OpenTofu "Plan Representation"); unknown reasons are shown as they are. */
export const ACTION_REASONS: Readonly<Record<string, string>> = {
  replace_because_tainted: 'the object is tainted in the state',
  replace_because_cannot_update: 'the provider cannot update it in place',
  replace_by_request: 'replacement requested (-replace)',
  replace_by_triggers: 'a replace_triggered_by reference changed',
  delete_because_no_resource_config: 'no longer in the configuration',
  delete_because_no_module: 'its module is no longer in the configuration',
  delete_because_wrong_repetition: 'its instance key does not fit count/for_each',
  delete_because_count_index: 'its index is beyond count',
  delete_because_each_key: 'its key is no longer in for_each',
  delete_because_no_move_target: 'a moved block names it, but nothing is configured there',
};

/** Topics of drift that the review calls out above the rest: a change made outside Terraform to one of these. */
export type DriftTopic = 'node type' | 'engine' | 'security' | 'backups' | 'subscribers';

/**
 * Which drifted arguments fall under each topic, per resource type; `*` is any argument, and the drift of a resource
 * that was deleted outside Terraform. A type not listed is shown as drift without a call-out. Drift in an argument that
 * is neither called out, nor set by the configuration, nor changed by the plan (a computed value catching up, such as
 * a topic's policy set by aws_sns_topic_policy) is counted, not listed; a change between null and empty is no drift.
 */
export const DRIFT_CALLOUTS: Readonly<Record<string, Readonly<Partial<Record<DriftTopic, readonly string[]>>>>> = {
  aws_elasticache_replication_group: {
    'node type': ['node_type', 'num_cache_clusters', 'num_node_groups', 'replicas_per_node_group'],
    engine: ['engine', 'engine_version', 'parameter_group_name'],
    security: [
      'security_group_ids',
      'transit_encryption_enabled',
      'transit_encryption_mode',
      'at_rest_encryption_enabled',
      'kms_key_id',
      'auth_token',
      'auth_token_update_strategy',
      'user_group_ids',
    ],
    backups: ['snapshot_retention_limit', 'snapshot_window', 'final_snapshot_identifier'],
    subscribers: ['notification_topic_arn'],
  },
  aws_elasticache_parameter_group: { engine: ['*'] },
  aws_elasticache_user: { security: ['*'] },
  aws_elasticache_user_group: { security: ['*'] },
  aws_security_group: { security: ['*'] },
  aws_vpc_security_group_ingress_rule: { security: ['*'] },
  aws_vpc_security_group_egress_rule: { security: ['*'] },
  aws_kms_key: { security: ['*'] },
  aws_kms_alias: { security: ['*'] },
  aws_secretsmanager_secret: { security: ['*'] },
  aws_secretsmanager_secret_version: { security: ['*'] },
  aws_sns_topic_subscription: { subscribers: ['*'] },
  // not `policy`: aws_sns_topic_policy sets it, and the topic's own state catches up with it on the first refresh
  aws_sns_topic: { subscribers: ['kms_master_key_id'] },
  aws_sns_topic_policy: { subscribers: ['*'] },
  aws_cloudwatch_metric_alarm: { subscribers: ['alarm_actions', 'ok_actions', 'actions_enabled'] },
  docker_container: { security: ['ports', 'upload', 'env'] },
};

/**
 * The pull-request label that accepts a data-loss change in CI (scripts/ci/review-pr.sh,
 * .github/workflows/review.yml): with it the review still reports the data loss, but does not fail the check.
 */
export const ACCEPT_DATA_LOSS_LABEL = 'accept-data-loss';
