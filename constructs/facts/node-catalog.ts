/**
 * ElastiCache node catalog: the one place for node sizes and prices.
 *
 * Source: elasticache-facts.md, "Node catalog (current generation)" (AWS "Supported node types" and the Price List).
 * Prices are us-east-1 on-demand list prices read from the AWS Price List on PRICE_DATE;
 * refresh them here (and only here) when they change.
 */

import { deepFreeze } from '../freeze';

/** Date the prices below were read; shown wherever a cost is shown. */
export const PRICE_DATE = '2026-10-02';
/** Price region of the catalog. */
export const PRICE_REGION = 'us-east-1';
/** Hours in a billing month (AWS convention). */
export const HOURS_PER_MONTH = 730;

export const GIB = 1024 ** 3;

export interface NodeType {
  /** e.g. `cache.m7g.large` */
  readonly name: string;
  readonly vcpu: number;
  /** Instance memory as AWS lists it, in GiB. */
  readonly memoryGiB: number;
  /** The fixed `maxmemory` parameter of the node type, in bytes. */
  readonly maxmemoryBytes: number;
  /** Fixed `maxclients` of the node type. */
  readonly maxclients: number;
  /** On-demand price per node-hour, Redis OSS engine, USD. */
  readonly redisHourlyUsd: number;
  /** On-demand price per node-hour, Valkey engine, USD. */
  readonly valkeyHourlyUsd: number;
  /** Whether the type has Enhanced I/O (xlarge and up). */
  readonly enhancedIo: boolean;
  /**
   * Burstable performance (the T family): the node runs at a baseline CPU and bursts above it only while it has CPU
   * credits (BURSTABLE_BASELINE_CPU_PERCENT).
   */
  readonly burstable: boolean;
}

/**
 * Baseline CPU of the burstable node types, percent of each vCPU: the EC2 T4g figures (Amazon EC2 T4g instances,
 * "Baseline performance / vCPU"), which the cache.t4g nodes run on. Above the baseline a node spends CPU credits
 * (ElastiCache publishes CPUCreditBalance and CPUCreditUsage for these nodes, "Host-Level Metrics"); with the balance
 * spent, EC2 lowers the CPU to the baseline ("Standard mode for burstable performance instances": "CPU utilization is
 * gradually lowered to the baseline level"). A cache that works above the baseline for hours, a load test above all,
 * measures the credits, not the node (guardrail `no-burstable-nodes`, pack `sustained-load`).
 */
export const BURSTABLE_BASELINE_CPU_PERCENT: Readonly<Record<string, number>> = {
  'cache.t4g.micro': 10,
  'cache.t4g.small': 20,
  'cache.t4g.medium': 20,
};

type Row = [name: string, vcpu: number, memoryGiB: number, maxmemoryBytes: number, redisUsd: number, valkeyUsd: number];

// node type | vCPU | memory GiB | maxmemory (bytes) | Redis OSS $/h | Valkey $/h (0.8 × Redis OSS: "up to 20 % lower cost per node")
const ROWS: Row[] = [
  ['cache.t4g.micro', 2, 0.5, 536870912, 0.016, 0.0128],
  ['cache.t4g.small', 2, 1.37, 1471026299, 0.032, 0.0256],
  ['cache.t4g.medium', 2, 3.09, 3317862236, 0.065, 0.052],
  ['cache.m7g.large', 2, 6.38, 6854542746, 0.158, 0.1264],
  ['cache.m7g.xlarge', 4, 12.93, 13891921715, 0.315, 0.252],
  ['cache.m7g.2xlarge', 8, 26.04, 27966669210, 0.629, 0.5032],
  ['cache.m7g.4xlarge', 16, 52.26, 56116178125, 1.257, 1.0056],
  ['cache.r7g.large', 2, 13.07, 14037181030, 0.219, 0.1752],
  ['cache.r7g.xlarge', 4, 26.32, 28261849702, 0.437, 0.3496],
  ['cache.r7g.2xlarge', 8, 52.82, 56711183565, 0.873, 0.6984],
  ['cache.r7g.4xlarge', 16, 105.81, 113609865216, 1.745, 1.396],
  ['cache.m6g.large', 2, 6.38, 6854542746, 0.149, 0.1192],
  ['cache.r6g.large', 2, 13.07, 14037181030, 0.206, 0.1648],
];

/** The T family (`cache.t2.*`, `cache.t3.*`, `cache.t4g.*`): burstable performance. */
export function isBurstableNodeType(name: string): boolean {
  return /^cache\.t\d/.test(name);
}

/** maxclients is 65000 on most types, 20000 on the micro types. */
export const MICRO_MAXCLIENTS = 20000;
export const DEFAULT_MAXCLIENTS = 65000;

export const NODE_CATALOG: readonly NodeType[] = deepFreeze(
  ROWS.map(([name, vcpu, memoryGiB, maxmemoryBytes, redisHourlyUsd, valkeyHourlyUsd]) => ({
    name,
    vcpu,
    memoryGiB,
    maxmemoryBytes,
    maxclients: name.endsWith('.micro') ? MICRO_MAXCLIENTS : DEFAULT_MAXCLIENTS,
    redisHourlyUsd,
    valkeyHourlyUsd,
    enhancedIo: !name.startsWith('cache.t') && !name.endsWith('.large'),
    burstable: isBurstableNodeType(name),
  })),
);
