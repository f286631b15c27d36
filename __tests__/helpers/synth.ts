import * as fs from 'fs';
import * as path from 'path';
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { RedisReplicationGroupProps } from '../../constructs/elasticache/props';
import { RedisReplicationGroup } from '../../constructs/elasticache/replication-group';
import { resourcesOf as tfResourcesOf } from '../../constructs/tf-json';

/** Synthesized Terraform JSON of a stack: constructs/tf-json's TfJson with the sections tests read made concrete. */
export type TfJson = {
  resource: Record<string, Record<string, Record<string, any>>>;
  data?: Record<string, Record<string, Record<string, any>>>;
  output?: Record<string, Record<string, any>>;
  terraform?: Record<string, any>;
  provider?: Record<string, any>;
};

/** Synthesize a stack, running construct validations, and parse the JSON. */
export function synthJson(stack: TerraformStack): TfJson {
  return JSON.parse(Testing.synth(stack, true));
}

/**
 * A stack as `cdktf synth` writes cdk.tf.json (Testing.fullSynth), with the "//" metadata that `Testing.synth` strips:
 * where a stack declares its guardrail packs and suppressions, which the review and synth read.
 */
export function synthAsWritten(stack: TerraformStack): TfJson {
  const dir = Testing.fullSynth(stack);
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every resource of a type in a synthesized stack (logical ids dropped). */
export function resourcesOf(json: TfJson, type: string): Record<string, any>[] {
  return tfResourcesOf(json, type).map((r) => r.body);
}

/** The only resource of a type; fails if there is not exactly one. */
export function onlyResource(json: TfJson, type: string): Record<string, any> {
  const all = resourcesOf(json, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}

/** Props of a valid group, for tests to vary. */
export const BASE_GROUP_PROPS: RedisReplicationGroupProps = {
  replicationGroupId: 'isl-cache-test',
  description: 'test group',
  nodeType: 'cache.t4g.medium',
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0a1b2c3d', 'subnet-0b2c3d4e'],
  allowedCidrBlocks: ['10.0.0.0/16'],
};

/** A stack with the providers and one RedisReplicationGroup (construct id `cache`). */
export function groupStack(props: Partial<RedisReplicationGroupProps> = {}): { stack: TerraformStack; group: RedisReplicationGroup } {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  new RandomProvider(stack, 'random');
  const group = new RedisReplicationGroup(stack, 'cache', { ...BASE_GROUP_PROPS, ...props });
  return { stack, group };
}

export function emptyScope(): Construct {
  return new TerraformStack(Testing.app(), 'empty');
}
