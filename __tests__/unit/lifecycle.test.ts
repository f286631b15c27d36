/**
 * The life of each environment's cache, change by change: every environment is synthesized before and after a change
 * an operator makes over the years, and the review's verdict is the specification: what is replaced (and under which
 * name), what loses data, what ElastiCache refuses or defers under the stack's apply_immediately, which AUTH rotation
 * step runs, and that two destroy-and-recreate cycles never reuse a final snapshot name. The environments are fixtures
 * (../helpers/environments.ts): changing an environment in config/ changes none of these.
 */
import { Testing } from 'cdktf';
import { AWS_ENVIRONMENTS, AwsEnvironmentName, EnvironmentConfig } from '../../config/environments';
import { TfJson } from '../../constructs/tf-json';
import { ResourceChange } from '../../scripts/review/diff';
import { planDiff } from '../../scripts/review/plan-diff';
import { PlanJson } from '../../scripts/review/read-plan';
import { StackReview, review } from '../../scripts/review/review';
import { CacheEnvironmentStack } from '../../stacks/environment-stack';
import { deploymentSettings } from '../../stacks/settings';
import { FIXED_ENVIRONMENTS } from '../helpers/environments';

const RG = 'aws_elasticache_replication_group';
const PG = 'aws_elasticache_parameter_group';

const synthCache = new Map<string, TfJson>();
function synth(env: EnvironmentConfig): TfJson {
  const key = JSON.stringify(env);
  let json = synthCache.get(key);
  if (!json) {
    const stack = new CacheEnvironmentStack(Testing.app(), env.name, { environment: env, deployment: deploymentSettings(env.name, {}) });
    json = JSON.parse(Testing.synth(stack)) as TfJson;
    synthCache.set(key, json);
  }
  return json;
}

/** The review of one environment changed from `before` to `after` (config overrides). */
function change(name: AwsEnvironmentName, before: Partial<EnvironmentConfig>, after: Partial<EnvironmentConfig>): StackReview {
  const base = synth({ ...FIXED_ENVIRONMENTS[name], ...before });
  const head = synth({ ...FIXED_ENVIRONMENTS[name], ...after });
  return review({ [name]: head }, { [name]: base }).stacks[0];
}

const ofType = (r: StackReview, type: string): ResourceChange[] => r.resources.filter((x) => x.type === type);
const onlyOf = (r: StackReview, type: string): ResourceChange | undefined => {
  const all = ofType(r, type);
  if (all.length > 1) throw new Error(`several ${type} changed`);
  return all[0];
};
const attr = (c: ResourceChange | undefined, name: string) => c?.attributes.find((a) => a.attribute === name);

/** No replacement with create_before_destroy keeps its name (the new one would collide with the old one). */
function expectNoNameCollision(r: StackReview): void {
  for (const x of r.resources.filter((y) => y.createBeforeDestroy)) {
    const name = attr(x, 'name');
    expect({ resource: x.resource, nameChanges: name !== undefined && name.before !== name.after }).toEqual({
      resource: x.resource,
      nameChanges: true,
    });
  }
}

/** Production applies in its maintenance window; pilot and staging at once (the fixture's applyImmediately). */
const DEFERS: Record<AwsEnvironmentName, boolean> = { pilot: false, staging: false, production: true };

/**
 * The same switch read from a real plan's JSON (the shape `terraform show -json` gives for a create_before_destroy
 * replacement and an in-place update; moto cannot hold a parameter group, so no engine makes this plan here).
 */
describe('a plan that replaces the parameter group the group uses', () => {
  const plan = (applyImmediately: boolean): PlanJson => ({
    format_version: '1.2',
    resource_changes: [
      {
        address: 'aws_elasticache_parameter_group.cache_parameters_40CE81C8',
        mode: 'managed',
        type: PG,
        name: 'cache_parameters_40CE81C8',
        action_reason: 'replace_because_cannot_update',
        change: {
          actions: ['create', 'delete'],
          before: { name: 'isl-cache-production-redis7', family: 'redis7' },
          after: { name: 'isl-cache-production-valkey8', family: 'valkey8' },
          replace_paths: [['family'], ['name']],
        },
      },
      {
        address: 'aws_elasticache_replication_group.cache_replication-group_FA5C54CF',
        mode: 'managed',
        type: RG,
        name: 'cache_replication-group_FA5C54CF',
        change: {
          actions: ['update'],
          before: {
            replication_group_id: 'isl-cache-production',
            engine: 'redis',
            parameter_group_name: 'isl-cache-production-redis7',
            apply_immediately: applyImmediately,
            maintenance_window: 'sun:05:00-sun:06:00',
          },
          after: {
            replication_group_id: 'isl-cache-production',
            engine: 'valkey',
            parameter_group_name: 'isl-cache-production-valkey8',
            apply_immediately: applyImmediately,
            maintenance_window: 'sun:05:00-sun:06:00',
          },
        },
      },
    ],
  });

  it('without apply_immediately: the switch is refused, and the replacement is not called safe', () => {
    const d = planDiff(plan(false), 'production');
    const rg = d.resources.find((r) => r.type === RG);
    expect(rg?.attributes.map((a) => [a.attribute, a.timing])).toEqual([
      ['engine', 'deferred'],
      ['parameter_group_name', 'refused'],
    ]);
    expect(d.warnings.filter((w) => w.includes('REFUSED'))).toEqual([
      expect.stringMatching(
        /^aws_elasticache_replication_group\.cache_replication-group_FA5C54CF \(isl-cache-production\): REFUSED without apply_immediately: this apply deletes the parameter group "isl-cache-production-redis7", which the group keeps using until its maintenance window sun:05:00-sun:06:00 UTC/,
      ),
    ]);
    expect(d.resources.find((r) => r.type === PG)?.notes).toEqual([
      'replaced: the provider cannot update it in place',
      'create_before_destroy creates the new one first, but NOT safe in this apply: deleting the old one fails while aws_elasticache_replication_group.cache_replication-group_FA5C54CF still uses it (see its REFUSED note)',
    ]);
  });

  it('with apply_immediately: the switch happens at once, and the old group is deleted after it', () => {
    const d = planDiff(plan(true), 'production');
    expect(d.resources.find((r) => r.type === RG)?.attributes.map((a) => [a.attribute, a.timing])).toEqual([
      ['engine', 'immediate'],
      ['parameter_group_name', 'immediate'],
    ]);
    expect(d.warnings.filter((w) => w.includes('REFUSED'))).toEqual([]);
    expect(d.resources.find((r) => r.type === PG)?.notes).toEqual([
      'replaced: the provider cannot update it in place',
      'expected and safe: create_before_destroy creates the new one first, and what uses it switches over in place',
    ]);
  });
});

describe.each(AWS_ENVIRONMENTS)('the %s cache over its life', (name) => {
  const defers = DEFERS[name];

  it('engine minor upgrade redis 7.0 → 7.1: in place, the parameter group stays (same family, same name)', () => {
    const r = change(name, { engine: 'redis', engineVersion: '7.0' }, { engine: 'redis', engineVersion: '7.1' });
    const rg = onlyOf(r, RG);
    expect(rg?.action).toBe('update');
    expect(attr(rg, 'engine_version')).toMatchObject({
      before: '7.0',
      after: '7.1',
      replaces: false,
      timing: defers ? 'deferred' : 'immediate',
    });
    expect(ofType(r, PG)).toEqual([]);
    expect(r.resources.some((x) => x.dataLoss)).toBe(false);
    const deferred = r.warnings.filter((w) => w.includes('DEFERRED to the maintenance window sun:05:00-sun:06:00 UTC: engine_version'));
    expect(deferred).toHaveLength(defers ? 1 : 0);
    expect(r.violations).toEqual([]);
  });

  it('engine minor upgrade valkey 8.0 → 8.1: in place, no parameter group change', () => {
    const r = change(name, { engine: 'valkey', engineVersion: '8.0' }, { engine: 'valkey', engineVersion: '8.1' });
    expect(onlyOf(r, RG)?.action).toBe('update');
    expect(ofType(r, PG)).toEqual([]);
    expectNoNameCollision(r);
  });

  it('redis 7.1 → valkey 8.1: the group is upgraded in place; a new parameter group under a new name is created first', () => {
    const r = change(name, { engine: 'redis' }, { engine: 'valkey' });
    const rg = onlyOf(r, RG);
    expect(rg?.action).toBe('update');
    expect(attr(rg, 'engine')).toMatchObject({
      before: 'redis',
      after: 'valkey',
      replaces: false,
      timing: defers ? 'deferred' : 'immediate',
    });
    const pg = onlyOf(r, PG);
    expect(pg).toMatchObject({ action: 'replace', createBeforeDestroy: true });
    expect(attr(pg, 'name')).toMatchObject({ before: `isl-cache-${name}-redis7`, after: `isl-cache-${name}-valkey8` });
    expectNoNameCollision(r);
    expect(r.resources.some((x) => x.dataLoss)).toBe(false);
    // the group switches to the new parameter group in the same apply that deletes the old one
    expect(attr(rg, 'parameter_group_name')).toMatchObject({
      before: `isl-cache-${name}-redis7`,
      after: `isl-cache-${name}-valkey8`,
      replaces: false,
      timing: defers ? 'refused' : 'immediate',
    });
  });

  it('redis 7.1 → valkey 8.1 without apply_immediately is refused: the old parameter group cannot be deleted while the group, waiting for its window, still uses it', () => {
    const r = change(name, { engine: 'redis' }, { engine: 'valkey' });
    const rg = onlyOf(r, RG)?.resource ?? '';
    expect(r.refusals).toEqual(defers ? [`${rg}: parameter_group_name is refused without apply_immediately`] : []);
    const refused = r.warnings.filter((w) => w.includes('REFUSED'));
    expect(refused).toEqual(
      defers
        ? [
            `${rg} (isl-cache-production): REFUSED without apply_immediately: this apply deletes the parameter group "isl-cache-production-redis7", ` +
              'which the group keeps using until its maintenance window sun:05:00-sun:06:00 UTC (apply_immediately is false); ElastiCache refuses ' +
              'to delete a parameter group in use (InvalidCacheParameterGroupState) and the apply fails; apply the change that needs the new ' +
              'parameter group on its own with apply_immediately = true: set applyImmediately: true for this environment in config/environments.ts ' +
              'for one deploy (then back), after `aws elasticache describe-replication-groups --replication-group-id <rg> --query ' +
              '"ReplicationGroups[0].PendingModifiedValues"` shows nothing pending: apply_immediately also applies every pending modification at once',
          ]
        : [],
    );
    expect(onlyOf(r, PG)?.notes).toEqual([
      defers
        ? `create_before_destroy creates the new one first, but NOT safe in this apply: deleting the old one fails while ${rg} still uses it (see its REFUSED note)`
        : 'expected and safe: create_before_destroy creates the new one first, and what uses it switches over in place',
    ]);
    // the way out the message names: the same change with apply_immediately is accepted in one apply
    const now = change(name, { engine: 'redis' }, { engine: 'valkey', applyImmediately: true });
    expect(now.refusals).toEqual([]);
    expect(attr(onlyOf(now, RG), 'parameter_group_name')?.timing).toBe('immediate');
  });

  it('valkey 8.1 → redis 7.1: the group is replaced (data loss and outage); its final snapshot is taken under its generation name, and the new group gets a new one', () => {
    const r = change(name, { engine: 'valkey' }, { engine: 'redis' });
    const rg = onlyOf(r, RG);
    expect(rg?.action).toBe('replace');
    expect(attr(rg, 'engine')).toMatchObject({ replaces: true, reason: 'engine valkey → redis replaces the group' });
    expect(rg).toMatchObject({ dataLoss: true, outage: true });
    expect(r.callouts).toEqual([
      expect.stringMatching(
        new RegExp(
          `\\(isl-cache-${name}\\) is REPLACED: DATA LOSS AND OUTAGE\\. .* the new group starts EMPTY\\. The current data is kept in the final snapshot isl-cache-${name}-final-<random hex from random_id\\.\\S+, new per group generation>\\. ElastiCache restores a snapshot only into the same or a newer engine version`,
        ),
      ),
    ]);
    // the suffix is drawn anew for the new group (keepers: engine and version), so its own final snapshot never collides
    expect(onlyOf(r, 'random_id')?.action).toBe('replace');
    expectNoNameCollision(r);
  });

  it('node type change: in place; deferred to the maintenance window where apply_immediately is false', () => {
    const r = change(name, {}, { memoryFloorGiB: 48 });
    const rg = onlyOf(r, RG);
    const nodeType = attr(rg, 'node_type');
    expect(nodeType).toMatchObject({ replaces: false, timing: defers ? 'deferred' : 'immediate' });
    expect(nodeType?.before).not.toBe(nodeType?.after);
    expect(r.resources.some((x) => x.dataLoss)).toBe(false);
  });

  it('log format json → text: refused by ElastiCache without apply_immediately, and the review says how to apply it', () => {
    const r = change(name, { logFormat: 'json' }, { logFormat: 'text' });
    const logs = attr(onlyOf(r, RG), 'log_delivery_configuration');
    expect(logs).toMatchObject({ replaces: false, timing: defers ? 'refused' : 'immediate' });
    const refused = r.warnings.filter((w) => w.includes('REFUSED without apply_immediately'));
    // where the change defers, one warning that names the refusal, the way to apply it, and where ElastiCache holds it
    expect(
      refused.map((w) => ({
        refusal: /ElastiCache rejects the log_delivery_configuration change \(apply_immediately is false\)/.test(w),
        howToApply: /set applyImmediately: true for this environment in config\/environments\.ts for one deploy/.test(w),
        pending: /PendingModifiedValues/.test(w),
      })),
    ).toEqual(defers ? [{ refusal: true, howToApply: true, pending: true }] : []);
  });

  it('password rotation step 1 (version 1 → 2, rotate): a second password beside the first, in place', () => {
    const r = change(name, { credentialRotation: { version: 1, step: 'rotate' } }, { credentialRotation: { version: 2, step: 'rotate' } });
    expect(r.rotations.map((x) => x.step)).toEqual(['rotate']);
    expect(r.rotations[0].message).toMatch(
      new RegExp(
        `^password rotation step 1: a new password is added to the user and the old one stays valid.*\\(user isl-cache-${name}-app\\)$`,
      ),
    );
    expect(ofType(r, 'random_password').map((x) => x.action)).toEqual(['create']);
    expect(onlyOf(r, 'aws_elasticache_user')).toMatchObject({ action: 'update' });
    expect(onlyOf(r, RG)).toBeUndefined();
    expect(r.resources.some((x) => x.dataLoss)).toBe(false);
  });

  it('password rotation step 2 (version 2, rotate → set): only the new password stays valid', () => {
    const r = change(name, { credentialRotation: { version: 2, step: 'rotate' } }, { credentialRotation: { version: 2, step: 'set' } });
    expect(r.rotations.map((x) => x.step)).toEqual(['set']);
    expect(r.rotations[0].message).toMatch(/^password rotation step 2: only the current password stays valid/);
    expect(onlyOf(r, 'aws_elasticache_user')).toMatchObject({ action: 'update' });
    expect(ofType(r, 'random_password')).toEqual([]);
  });

  it('a new password with set in one step is called out: every client fails until it reads the new secret', () => {
    const r = change(name, { credentialRotation: { version: 2, step: 'set' } }, { credentialRotation: { version: 3, step: 'set' } });
    expect(r.rotations.map((x) => x.step)).toEqual(['set-with-new-token']);
    expect(r.rotations[0].message).toMatch(/^password replaced in ONE step/);
  });

  it('AUTH token → RBAC, step 1 (accept-auth-token): the user group is added in place and at once, the token keeps working as "default"', () => {
    const r = change(name, { authentication: 'auth-token' }, { authTokenMigration: 'accept-auth-token' });
    expect(r.rotations.map((x) => x.step).sort()).toEqual(['auth-token-accepted', 'rbac-migration']);
    expect(r.rotations.find((x) => x.step === 'rbac-migration')?.message).toMatch(
      /applied IMMEDIATELY in every environment \(apply_immediately is on for this step, so any other change to the group in this apply is applied at once too: deploy the step on its own\)/,
    );
    const rg = onlyOf(r, RG);
    expect(rg?.action).toBe('update');
    expect(attr(rg, 'user_group_ids')?.after).toEqual([expect.stringMatching(/^\$\{aws_elasticache_user_group\./)]);
    // ElastiCache would hold the user group until the maintenance window (PendingModifiedValues.UserGroups): the step
    // forces apply_immediately, also in production
    expect(attr(rg, 'user_group_ids')?.timing).toBe('immediate');
    expect(attr(rg, 'apply_immediately')).toEqual(
      name === 'production' ? expect.objectContaining({ before: false, after: true }) : undefined,
    );
    expect(r.warnings.filter((w) => /DEFERRED|REFUSED/.test(w))).toEqual([]);
    expect(attr(rg, 'auth_token_update_strategy')).toMatchObject({ before: 'ROTATE', after: 'DELETE' });
    // the token itself (random_password auth-token) is kept: the user "default" now accepts it
    expect(ofType(r, 'random_password').map((x) => x.action)).toEqual(['create']);
    expect(r.resources.some((x) => x.dataLoss)).toBe(false);
    expect(r.refusals).toEqual([]);
  });

  it('AUTH token → RBAC, step 3 (complete): "default" is switched off, the token is dropped, the group keeps strategy DELETE', () => {
    const r = change(name, { authTokenMigration: 'accept-auth-token' }, { authTokenMigration: 'complete' });
    expect(r.rotations.map((x) => x.step)).toEqual(['auth-token-retired']);
    const rg = onlyOf(r, RG);
    // the group itself: only apply_immediately goes back to the environment's own value (no request to ElastiCache)
    expect(rg === undefined ? [] : rg.attributes.map((a) => a.attribute)).toEqual(name === 'production' ? ['apply_immediately'] : []);
    expect(
      ofType(r, 'random_password')
        .map((x) => `${x.action} ${x.resource.split('.')[1].split('_')[1]}`)
        .sort(),
    ).toEqual(['create default-user-password', 'delete auth-token']);
    expect(r.refusals).toEqual([]);
  });

  it('moving without the migration step (user group, no DELETE strategy) is refused: the provider would send an empty AUTH token', () => {
    const r = change(name, { authentication: 'auth-token' }, {});
    expect(r.rotations.map((x) => x.step)).toEqual(['refused']);
    expect(r.refusals).toEqual([expect.stringMatching(/^aws_elasticache_replication_group\.\S+: REFUSED: the group drops its AUTH token/)]);
  });

  it('dropping the migration setting after it completed is refused: the provider would send an empty AUTH token', () => {
    const r = change(name, { authTokenMigration: 'complete' }, {});
    expect(r.refusals).toEqual([
      expect.stringMatching(
        /: REFUSED: auth_token_update_strategy DELETE is removed from a group that moved to RBAC; .*Keep authTokenMigration: complete/,
      ),
    ]);
  });

  it('restore from a snapshot: the group is replaced, restored from it, under a new final snapshot name', () => {
    const snapshot = `isl-cache-${name}-before-upgrade`;
    const r = change(name, {}, { restoreFromSnapshot: snapshot });
    const rg = onlyOf(r, RG);
    // still data loss and an outage for the gate: the writes since the snapshot are only in the final snapshot
    expect(rg).toMatchObject({ action: 'replace', dataLoss: true, outage: true });
    expect(attr(rg, 'snapshot_name')).toMatchObject({ before: undefined, after: snapshot, replaces: true });
    expect(r.callouts.join('\n')).toMatch(
      new RegExp(
        `the new group starts from snapshot ${snapshot} \\(that snapshot's data, not the current group's; the snapshot is encrypted with the KMS key of the group that took it, which must be enabled for the restore \\(.*README "Restoring a final snapshot"\\)\\)\\. The current data is kept in the final snapshot isl-cache-${name}-final-<random hex .*>\\.$`,
      ),
    );
    expect(ofType(r, 'random_id').map((x) => x.action)).toEqual(['replace']);
  });

  it('a re-created stack restoring its final snapshot: the review says the old key must be enabled first', () => {
    const snapshot = `isl-cache-${name}-final-0a1b2c3d`;
    const recreated = review({ [name]: synth({ ...FIXED_ENVIRONMENTS[name], restoreFromSnapshot: snapshot }) }, {}).stacks[0];
    expect(onlyOf(recreated, RG)?.notes).toEqual([
      `created from snapshot ${snapshot}: the snapshot is encrypted with the KMS key of the group that took it, which must be enabled for the restore (a destroyed stack's key waits 30 days for deletion: \`aws kms cancel-key-deletion\` and \`aws kms enable-key\` on the key \`aws elasticache describe-snapshots --snapshot-name <name>\` names; README "Restoring a final snapshot")`,
    ]);
  });

  it('removing the restore setting later replaces the group again, and it starts empty', () => {
    const r = change(name, { restoreFromSnapshot: `isl-cache-${name}-before-upgrade` }, {});
    expect(r.callouts.join('\n')).toMatch(
      /is REPLACED: DATA LOSS AND OUTAGE\. .*the new group starts EMPTY \(the restore source snapshot isl-cache-\S+-before-upgrade is removed\)\./,
    );
  });

  it('destroy and re-create, twice: each generation takes its final snapshot under a name no earlier one used', () => {
    const json = synth(FIXED_ENVIRONMENTS[name]);
    const rg = Object.values(json.resource![RG])[0];
    const [suffix] = Object.keys(json.resource!.random_id);
    // the name holds a random_id of the same stack: destroyed with the group, drawn anew when the stack is re-created
    expect(rg.final_snapshot_identifier).toBe(`isl-cache-${name}-final-\${random_id.${suffix}.hex}`);
    for (let generation = 1; generation <= 2; generation++) {
      const destroyed = review({}, { [name]: json }).stacks[0];
      expect(destroyed.status).toBe('removed');
      const rgDeleted = onlyOf(destroyed, RG);
      expect(rgDeleted).toMatchObject({ action: 'delete', dataLoss: true, outage: true });
      expect(ofType(destroyed, 'random_id').map((x) => x.action)).toEqual(['delete']);
      expect(destroyed.callouts.join('\n')).toMatch(/encrypted with the KMS key aws_kms_key\.\S+, which is scheduled for deletion with it/);
      const recreated = review({ [name]: json }, {}).stacks[0];
      expect(recreated.status).toBe('added');
      expect(ofType(recreated, 'random_id').map((x) => x.action)).toEqual(['create']);
      expect(recreated.violations.filter((v) => v.rule === 'final-snapshot-unique')).toEqual([]);
    }
  });
});
