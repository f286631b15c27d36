/**
 * What replacing or deleting a data store means, shared by the offline review (diff.ts: two syntheses) and the plan
 * review (plan-diff.ts: the engine's plan). The data-loss gate (`--fail-on-data-loss`) means what a reviewer thinks it
 * means: a replication group that is replaced or deleted is DATA LOSS AND AN OUTAGE whatever its final snapshot (the
 * cache is down between delete and create, and the new group starts empty unless restored); the call-out says so
 * first, then what keeps the data and how to restore it.
 */
import { FORCE_NEW, ForceNewEntry } from '../../constructs/facts/force-new';
import { Block, isSet } from '../../constructs/tf-json';
import { olderEngine } from './replacement';
import { RG, describeSnapshotName } from './summary';

export interface DataStoreChange {
  readonly type: string;
  /** The resource's address (`type.name`, with an instance key in a plan). */
  readonly address: string;
  readonly action: 'replace' | 'delete';
  /** Its configuration (offline) or values (plan) before the change. */
  readonly base: Block;
  /** After the change (replace only). */
  readonly head?: Block;
  /** The environment, for the restore instructions (config/environments.ts). */
  readonly environment: string;
  /** Why it is replaced, e.g. `engine_version "7.1" → "7.0" (downgrade 7.1 → 7.0 replaces the group)`. */
  readonly why?: string;
  /** A KMS key of the group deleted in the same change (its address): the final snapshot then has 30 days. */
  readonly keyDeleted?: string;
}

export interface DataStoreVerdict {
  /** Short notes for the resource's row. */
  readonly notes: readonly string[];
  /** The gate's verdict: the data the resource serves is lost (replaced or deleted data store). */
  readonly dataLoss: boolean;
  /** The data store is unavailable between the delete and the create (or for good). */
  readonly outage: boolean;
  /** The call-out printed first in the review, when there is data loss. */
  readonly callout?: string;
}

/**
 * What restoring from an ElastiCache snapshot needs (AWS "At-Rest Encryption in ElastiCache": a final or automatic
 * backup is encrypted with the group's customer managed key; "Restoring from a backup allows you to choose from
 * available encryption options", so the new group may use a new key, but the snapshot is read with its own).
 */
export const SNAPSHOT_KEY_NOTE =
  'the snapshot is encrypted with the KMS key of the group that took it, which must be enabled for the restore (a destroyed stack\'s key waits 30 days for deletion: `aws kms cancel-key-deletion` and `aws kms enable-key` on the key `aws elasticache describe-snapshots --snapshot-name <name>` names; README "Restoring a final snapshot")';

/** Where the new group's data comes from: the snapshot or RDB files it is created from, or nothing. */
function source(b: Block | undefined): string | undefined {
  if (!b) return undefined;
  if (isSet(b.snapshot_name)) return `snapshot ${String(b.snapshot_name)}`;
  if (isSet(b.snapshot_arns)) return `RDB files ${([] as unknown[]).concat(b.snapshot_arns).map(String).join(', ')}`;
  return undefined;
}

function replicationGroupVerdict(c: DataStoreChange): DataStoreVerdict {
  const id = String(c.base.replication_group_id);
  const label = `${c.address} (${id})`;
  const final = isSet(c.base.final_snapshot_identifier) ? describeSnapshotName(c.base.final_snapshot_identifier) : undefined;
  const kept = final
    ? `The current data is kept in the final snapshot ${final}${
        c.keyDeleted
          ? `, encrypted with the KMS key ${c.keyDeleted}, which is scheduled for deletion with it: the snapshot cannot be restored unless someone runs \`aws kms cancel-key-deletion\` and \`aws kms enable-key\` within the key's deletion window (30 days), after which it is lost`
          : ''
      }.`
    : 'No final snapshot is taken: the current data is gone for good.';
  const restoreDoc = 'README "Restoring from a snapshot"';
  if (c.action === 'delete') {
    return {
      notes: [`DATA LOSS AND OUTAGE: deleted${final ? `; final snapshot ${final} is taken` : ', no final snapshot'}`],
      dataLoss: true,
      outage: true,
      callout: `${label} is DELETED: DATA LOSS AND OUTAGE: the cache and the data it serves are gone. ${kept}${final ? ` To bring it back: restoreFromSnapshot: '<the final snapshot>' for ${c.environment} (${restoreDoc}).` : ''}`,
    };
  }
  const now = source(c.head);
  const before = source(c.base);
  const keyNote = isSet(c.head?.snapshot_name) ? `; ${SNAPSHOT_KEY_NOTE}` : '';
  const starts =
    now && now !== before
      ? `starts from ${now} (that snapshot's data, not the current group's${keyNote})`
      : now
        ? `starts from ${now} again (the writes since it are not in the new group)`
        : before
          ? `starts EMPTY (the restore source ${before} is removed)`
          : 'starts EMPTY';
  const older = c.head ? olderEngine(c.base, c.head) : undefined;
  const howTo = now
    ? ''
    : older
      ? ` ElastiCache restores a snapshot only into the same or a newer engine version, and this change goes to an older one (${older}): no snapshot of the current group can seed the new one; reload the data from its source.`
      : ` To keep serving the data, take a snapshot first (\`aws elasticache create-snapshot --replication-group-id ${id} --snapshot-name ${id}-before-change\`) and set restoreFromSnapshot: '${id}-before-change' for ${c.environment} (config/environments.ts) in this change; writes after the snapshot are only in the final snapshot (${restoreDoc}).`;
  return {
    notes: [`DATA LOSS AND OUTAGE: replaced; the new group ${starts}${final ? `; final snapshot ${final} is taken` : ''}`],
    dataLoss: true,
    outage: true,
    callout: `${label} is REPLACED: DATA LOSS AND OUTAGE. The group is deleted and created again${c.why ? ` (${c.why})` : ''}: the cache is down from the delete until the new group is available, and the new group ${starts}. ${kept}${howTo}`,
  };
}

/** The verdict on replacing or deleting a resource; nothing for resources that hold no data (constructs/facts/force-new.ts losesData). */
export function dataStoreVerdict(c: DataStoreChange): DataStoreVerdict {
  const entry = FORCE_NEW[c.type] as ForceNewEntry | undefined;
  if (!entry?.losesData) return { notes: [], dataLoss: false, outage: false };
  if (c.type === RG) return replicationGroupVerdict(c);
  const keep = entry.losesData.unlessSet;
  const what = c.action === 'replace' ? 'replaced' : 'deleted';
  if (keep && isSet(c.base[keep])) {
    return { notes: [`${what}; ${keep} ${describeSnapshotName(c.base[keep])} keeps its data`], dataLoss: false, outage: false };
  }
  const note = `DATA LOSS: ${what} without ${keep ? `a ${keep}` : 'keeping its data'}`;
  return { notes: [note], dataLoss: true, outage: false, callout: `${c.address}: ${note}` };
}
