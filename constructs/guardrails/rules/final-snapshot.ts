/** Guardrail `final-snapshot-unique`: a final snapshot name that no earlier deletion has taken. */
/* eslint-disable @typescript-eslint/no-unsafe-assignment -- synthesized JSON is untyped (tf-json.ts Block); every value is tested (typeof, isSet, isExpression) before it is used */
import { isSet, referencedAddresses } from '../../tf-json';
import { groups, rgName } from './common';
import { GuardrailRule, RuleContext, Violation } from './rule';

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  return groups(ctx).flatMap((r) => {
    const id = r.body.final_snapshot_identifier;
    if (!isSet(id)) return [];
    // only a random resource changes with every generation; a literal or a variable stays the same
    if (referencedAddresses(id).some((a) => a.startsWith('random_'))) return [];
    return [
      {
        resource: r.address,
        message: `${rgName(r)}: final_snapshot_identifier ${JSON.stringify(id)} does not change with every generation: the second destroy or a replacement collides with the first snapshot (SnapshotAlreadyExistsFault, the delete fails); add a suffix drawn per generation (random_id with the group's replacing arguments as keepers)`,
      },
    ];
  });
}

export const rule: GuardrailRule = {
  id: 'final-snapshot-unique',
  requires: 'the final snapshot name changes with every generation of the group (not a fixed literal)',
  source: 'ElastiCache DeleteReplicationGroup: SnapshotAlreadyExistsFault; provider retries only InvalidReplicationGroupState',
  check,
};
