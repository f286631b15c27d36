/**
 * From an environment's configuration (config/environments.ts), its deployment settings (./settings.ts) and its
 * sizing plan (./sizing.ts) to the props of its constructs: a pure function, so the whole data flow
 * config → settings + sizing → construct props can be tested without building a stack.
 */
import { ALARM_RUNBOOK } from '../config/alarms';
import { CLUSTER_MODE_STEP_SPECS, CONFIGURATION_ENDPOINT_HOW_TO_FIX, ClusterModeStep } from '../config/cluster-mode';
import { EnvironmentConfig, PROJECT } from '../config/environments';
import { MAXMEMORY_POLICY } from '../config/scaling';
import type { CacheAlarmsProps, RedisReplicationGroupProps } from '../constructs';
import { DeploymentSettings } from './settings';
import { SizingPlan } from './sizing';

/** What the network lookups of the stack resolve to (Terraform expressions, or the ids given in the settings). */
export interface NetworkRefs {
  readonly vpcId: string;
  readonly vpcCidrBlock: string;
  readonly subnetIds: string[];
  /**
   * Protected environments: the clients from the stack's `client_access` variable (lists known at deploy time),
   * used as they are, never widened to the VPC range.
   */
  readonly clientAccess?: { readonly securityGroupIds: string[]; readonly cidrs: string[] };
}

export type GroupProps = RedisReplicationGroupProps;
export type AlarmProps = Omit<CacheAlarmsProps, 'replicationGroup'>;

/** Steps whose deploy changes the group's cluster mode (config/cluster-mode.ts). */
const CLUSTER_MODE_CHANGING_STEPS: readonly ClusterModeStep[] = ['compatible', 'cluster'];

export function replicationGroupId(env: EnvironmentConfig): string {
  return `${PROJECT}-${env.name}`;
}

export function environmentProps(
  env: EnvironmentConfig,
  dep: DeploymentSettings,
  plan: SizingPlan,
  net: NetworkRefs,
): { group: GroupProps; alarms: AlarmProps } {
  // who may connect: protected environments only the clients of the `client_access` variable; pilot the named client
  // security groups and ranges, or with neither the VPC's own range (the review warns)
  const clientSgs = net.clientAccess?.securityGroupIds ?? dep.clientSecurityGroupIds;
  const clientCidrs =
    net.clientAccess?.cidrs ?? (dep.clientCidrs.length || dep.clientSecurityGroupIds.length ? dep.clientCidrs : [net.vpcCidrBlock]);
  const group: GroupProps = {
    replicationGroupId: replicationGroupId(env),
    description: `${PROJECT} ${env.name} cache: ${plan.totalNodes} x ${plan.nodeType.name}, ${plan.shards} shard(s) of 1 primary + ${plan.replicasPerShard} replica(s)`,
    engine: env.engine,
    engineVersion: env.engineVersion,
    nodeType: plan.nodeType.name,
    numNodeGroups: plan.shards,
    replicasPerNodeGroup: plan.replicasPerShard,
    clusterMode: plan.clusterMode,
    configurationEndpointInSecret: CLUSTER_MODE_STEP_SPECS[plan.clusterModeStep].secretHasConfigurationEndpoint,
    movedFromClusterModeDisabled: plan.clusterMode !== 'disabled' && !env.createdInClusterMode,
    maxmemoryPolicy: MAXMEMORY_POLICY,
    reservedMemoryPercent: plan.reservedMemoryPercent,
    availabilityZones: plan.clusterMode === 'disabled' ? dep.availabilityZones : undefined,
    vpcId: net.vpcId,
    subnetIds: net.subnetIds,
    allowedSecurityGroupIds: clientSgs,
    allowedCidrBlocks: clientCidrs,
    snapshotRetentionLimitDays: env.snapshotRetentionLimitDays,
    snapshotWindow: env.snapshotWindow,
    maintenanceWindow: env.maintenanceWindow,
    logRetentionInDays: env.logRetentionDays,
    authentication: env.authentication ?? 'rbac',
    authTokenMigration: env.authTokenMigration,
    credentialVersion: env.credentialRotation.version,
    credentialUpdateStrategy: env.credentialRotation.step === 'set' ? 'SET' : 'ROTATE',
    snapshotName: env.restoreFromSnapshot,
    logFormat: env.logFormat,
    // the steps that change the cluster mode are applied at once (config/environments.ts clusterModeStep): held as a
    // pending modification, the next step (the secret reading the configuration endpoint) would run ahead of it
    applyImmediately: env.applyImmediately || CLUSTER_MODE_CHANGING_STEPS.includes(plan.clusterModeStep),
    configurationEndpointHowToFix: CONFIGURATION_ENDPOINT_HOW_TO_FIX,
  };
  // subscribers (AlarmSubscribers, created by the stack) deliver; the alarms need their thresholds and where their
  // descriptions send the operator (this project's alarm and scaling choices)
  const alarms: AlarmProps = { thresholds: env.alarms, runbook: ALARM_RUNBOOK };
  return { group, alarms };
}
