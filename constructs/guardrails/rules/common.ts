/** Helpers the ElastiCache rules share. */
import { TfResource, resourcesOf } from '../../tf-json';
import { RuleContext } from './rule';

export const RG = 'aws_elasticache_replication_group';

export function groups(ctx: RuleContext): TfResource[] {
  return resourcesOf(ctx.json, RG);
}

export const rgName = (r: TfResource) => (typeof r.body.replication_group_id === 'string' ? r.body.replication_group_id : r.name);
