/**
 * Node types: any valid ElastiCache node type is accepted by its pattern (../facts/elasticache.ts NODE_TYPE_PATTERN);
 * the catalog (../facts/node-catalog.ts) adds vCPUs, maxmemory and prices where it knows the type. A type outside the
 * catalog is deployable, only unpriced (the construct warns).
 */
import { DEFAULT_RESERVED_MEMORY_PERCENT, Engine, NODE_TYPE_PATTERN } from '../facts/elasticache';
import { DEFAULT_MAXCLIENTS, HOURS_PER_MONTH, MICRO_MAXCLIENTS, NODE_CATALOG, NodeType } from '../facts/node-catalog';

export type { NodeType };

/** The catalog entry of a node type, if the catalog has it. */
export function findNodeType(name: string): NodeType | undefined {
  return NODE_CATALOG.find((n) => n.name === name);
}

export function isValidNodeTypeName(name: unknown): name is string {
  return typeof name === 'string' && NODE_TYPE_PATTERN.test(name);
}

/** maxclients of any node type: fixed by AWS, 20000 on the micro types, 65000 otherwise. */
export function maxclientsOf(name: string): number {
  return findNodeType(name)?.maxclients ?? (name.endsWith('.micro') ? MICRO_MAXCLIENTS : DEFAULT_MAXCLIENTS);
}

/** Bytes a node can hold as data after reserved memory: maxmemory × (1 − reserved/100). */
export function dataSpaceBytes(node: NodeType, reservedMemoryPercent = DEFAULT_RESERVED_MEMORY_PERCENT): number {
  return Math.floor(node.maxmemoryBytes * (1 - reservedMemoryPercent / 100));
}

export function hourlyPriceUsd(node: NodeType, engine: Engine): number {
  return engine === 'valkey' ? node.valkeyHourlyUsd : node.redisHourlyUsd;
}

/** Monthly on-demand cost of `nodes` nodes of a type, USD, rounded to cents. */
export function monthlyCostUsd(node: NodeType, engine: Engine, nodes: number): number {
  return Math.round(hourlyPriceUsd(node, engine) * HOURS_PER_MONTH * nodes * 100) / 100;
}
