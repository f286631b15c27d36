/** Guardrail `final-snapshot-unique`: a final snapshot name that no earlier deletion has taken. */
/* eslint-disable @typescript-eslint/no-unsafe-assignment -- synthesized JSON is untyped (tf-json.ts Block); every value is tested (typeof, isSet, isExpression) before it is used */
import { isExpression, isSet } from '../tf-json';
import { groups, rgName } from './common';
import { GuardrailRule, RuleContext, Violation } from './rule';

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  return groups(ctx).flatMap((r) => {
    const id = r.body.final_snapshot_identifier;
    if (!isSet(id) || isExpression(id)) return [];
    return [
      {
        resource: r.address,
        message: `${rgName(r)}: final_snapshot_identifier is the fixed ${JSON.stringify(id)}: the second destroy or a replacement collides with the first snapshot (SnapshotAlreadyExistsFault, the delete fails); add a suffix that changes per generation (random_id)`,
      },
    ];
  });
}

export const rule: GuardrailRule = {
  id: 'final-snapshot-unique',
  requires: 'the final snapshot name changes with every generation of the group (not a fixed literal)',
  scope: 'all',
  source: 'ElastiCache DeleteReplicationGroup: SnapshotAlreadyExistsFault; provider retries only InvalidReplicationGroupState',
  check,
};
