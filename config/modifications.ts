/**
 * When ElastiCache applies a modification of a replication group, given the stack's `apply_immediately`: the data
 * behind the review's "refused / deferred" call-outs (scripts/review/diff.ts). Sources (see README "Changes that
 * production can apply"):
 * - ElastiCache "Modifying a cluster" (Clusters.Modify): "The ApplyImmediately parameter applies only to
 *   modifications in node type, engine version, and changing the number of nodes … Other modifications, such as
 *   changing the maintenance window, are applied immediately."
 * - ElastiCache "Log delivery" and API error "To modify the log delivery configuration, set the apply-immediately
 *   parameter to true." (terraform-provider-aws #49842): log delivery changes are refused otherwise.
 * - Provider source (replication_group.go): replica and shard count changes (IncreaseReplicaCount,
 *   DecreaseReplicaCount, ModifyReplicationGroupShardConfiguration) and AUTH token changes are sent with
 *   ApplyImmediately = true whatever the configuration says.
 * - ModifyReplicationGroup TransitEncryptionMode: a two-step preferred → required change; AWS's examples use
 *   --apply-immediately (not verified that it is refused without: treated as refused, to be safe).
 */

export type ModificationTiming =
  /** ElastiCache refuses the request unless ApplyImmediately is true: the apply fails. */
  | 'refused'
  /** Accepted, but applied only in the next maintenance window; until then the plan keeps showing the change. */
  | 'deferred'
  /** Applied at once whatever apply_immediately says. */
  | 'immediate';

export interface ModificationRule {
  /** What happens when the stack's `apply_immediately` is false. */
  readonly withoutApplyImmediately: ModificationTiming;
  /** What the operator does about it. */
  readonly whatToDo: string;
}

const LOG_HOWTO =
  'apply it on its own with apply_immediately = true: set applyImmediately: true for this environment in config/environments.ts for one deploy (then back), after `aws elasticache describe-replication-groups --replication-group-id <rg> --query "ReplicationGroups[0].PendingModifiedValues"` shows nothing pending: apply_immediately also applies every pending modification at once';
const DEFERRED_HOWTO =
  'it waits for the maintenance window (the plan shows it again until then); to apply it now, deploy once with applyImmediately: true (config/environments.ts), which also applies any other pending modification';

/** Arguments of aws_elasticache_replication_group whose timing depends on apply_immediately; any other is immediate. */
export const REPLICATION_GROUP_MODIFICATIONS: Readonly<Record<string, ModificationRule>> = {
  log_delivery_configuration: { withoutApplyImmediately: 'refused', whatToDo: LOG_HOWTO },
  transit_encryption_enabled: {
    withoutApplyImmediately: 'refused',
    whatToDo: LOG_HOWTO.replace('it on its own', 'each step (preferred, then required) on its own'),
  },
  transit_encryption_mode: {
    withoutApplyImmediately: 'refused',
    whatToDo: LOG_HOWTO.replace('it on its own', 'each step (preferred, then required) on its own'),
  },
  engine: { withoutApplyImmediately: 'deferred', whatToDo: DEFERRED_HOWTO },
  engine_version: { withoutApplyImmediately: 'deferred', whatToDo: DEFERRED_HOWTO },
  node_type: { withoutApplyImmediately: 'deferred', whatToDo: DEFERRED_HOWTO },
  // ReplicationGroupPendingModifiedValues has UserGroups: a user group added without ApplyImmediately waits for the
  // maintenance window (the migration from an AUTH token therefore forces apply_immediately, props.ts authTokenMigration)
  user_group_ids: { withoutApplyImmediately: 'deferred', whatToDo: DEFERRED_HOWTO },
  parameter_group_name: {
    withoutApplyImmediately: 'deferred',
    whatToDo:
      'parameters whose "Changes take effect" is "After restart" apply only after a reboot of each node (maintenance window, or `aws elasticache reboot-cache-cluster`); the others at once',
  },
};

/**
 * A parameter group this apply replaces (a new name: another engine family, a cluster-mode step) while the replication
 * group using it switches to the new one. The provider sends the new CacheParameterGroupName in the group's
 * ModifyReplicationGroup with the resource's ApplyImmediately (replication_group.go), and then Terraform deletes the
 * old parameter group. Without ApplyImmediately the group keeps the old one until its maintenance window ("applied
 * as soon as possible … when the ApplyImmediately parameter is specified as true", API ModifyReplicationGroup), and
 * DeleteCacheParameterGroup refuses a group still in use ("You cannot delete a cache parameter group if it is
 * associated with any cache clusters"; the provider retries InvalidCacheParameterGroupState for 3 minutes,
 * parameter_group.go): the apply fails and leaves the old group deposed in the state.
 */
export const PARAMETER_GROUP_SWITCH: ModificationRule = {
  withoutApplyImmediately: 'refused',
  whatToDo: LOG_HOWTO.replace('apply it on its own', 'apply the change that needs the new parameter group on its own'),
};

/** Arguments the provider always sends with ApplyImmediately = true (named in the review as immediate). */
export const ALWAYS_IMMEDIATE = [
  'num_cache_clusters',
  'replicas_per_node_group',
  'num_node_groups',
  'auth_token',
  'auth_token_update_strategy',
] as const;

/** The credential rotation steps as the review names them (README "Rotating credentials"). */
export const ROTATION_STEPS = {
  rotate:
    'AUTH rotation step 1 (ROTATE): a new token is added and the old one stays valid; move every client to the secret\'s new value, then set step "set" (config/environments.ts credentialRotation)',
  set: 'AUTH rotation step 2 (SET): only the current token stays valid; clients still holding the old token fail from this apply on',
  setWithNewToken:
    'AUTH token replaced in ONE step (new version with SET): the old token stops working at once and every client fails until it reads the new secret; rotate in two steps instead (ROTATE, then SET)',
  rotateAgain: 'AUTH strategy back to ROTATE without a new token: nothing changes on the server; the next version raise rotates',
  userRotate:
    'password rotation step 1: a new password is added to the user and the old one stays valid; move every client to the secret\'s new value, then set step "set" (config/environments.ts credentialRotation)',
  userSet: 'password rotation step 2: only the current password stays valid; clients still holding the old one fail from this apply on',
  userReplaced:
    'password replaced in ONE step: the old password stops working at once and every client fails until it reads the new secret; rotate in two steps instead (rotate, then set)',
  rbacMigration:
    'moves the group from its AUTH token to RBAC (in place: ModifyReplicationGroup adds the user group, AUTH strategy DELETE), applied IMMEDIATELY in every environment (apply_immediately is on for this step, so any other change to the group in this apply is applied at once too: deploy the step on its own): from this apply on a client must authenticate as the application user (username and password in the secret); clients still sending the AUTH token work only while the user "default" accepts it (config/environments.ts authTokenMigration: accept-auth-token)',
  rbacMigrationWithoutDelete:
    'REFUSED: the group drops its AUTH token for a user group without auth_token_update_strategy DELETE; the provider then sends the user group without the strategy and a second request with an empty AUTH token, which ElastiCache refuses. Set authTokenMigration: accept-auth-token (config/environments.ts) for this step',
  deleteStrategyRemoved:
    'REFUSED: auth_token_update_strategy DELETE is removed from a group that moved to RBAC; the provider would send an empty AUTH token (ModifyReplicationGroup), which ElastiCache refuses. Keep authTokenMigration: complete for the life of the group',
  authTokenRetired:
    'the user "default" stops accepting the AUTH token (authTokenMigration: complete): clients still sending it fail from this apply on; every client must use the application user first',
  authTokenAccepted:
    'the user "default" accepts the group\'s AUTH token (migration to RBAC, config/environments.ts authTokenMigration: accept-auth-token): clients sending the token authenticate as "default", with the application\'s access string',
} as const;
