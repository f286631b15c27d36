/**
 * Guardrail `recreatable-names`: a resource whose name stays reserved after its deletion collides when the stack is
 * destroyed and created again within that time. A Secrets Manager secret waits `recovery_window_in_days` (default 30)
 * under its name; creating one of the same name meanwhile fails ("scheduled for deletion").
 *
 * With a window of 0 the provider deletes with ForceDeleteWithoutRecovery, which Secrets Manager completes
 * asynchronously (provider issue #10259): a create right after a destroy can still find the name taken. The provider
 * covers that itself: resourceSecretCreate retries CreateSecret on "scheduled for deletion" / "was deleted" for its
 * propagation timeout of 2 minutes (internal/service/secretsmanager/secret.go in the build the tools run), and the
 * deletion completes within seconds; so a fixed name with window 0 re-creates safely, and the secret keeps the name
 * applications and runbooks know (`<rg>/auth`).
 */
import { isExpression, resourcesOf } from '../../tf-json';
import { GuardrailRule, RuleContext, Violation } from './rule';

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  return resourcesOf(ctx.json, 'aws_secretsmanager_secret').flatMap((r) => {
    const name: unknown = r.body.name;
    const windowDays: unknown = r.body.recovery_window_in_days;
    if (typeof name !== 'string' || isExpression(name) || windowDays === 0) return [];
    return [
      {
        resource: r.address,
        message: `secret ${name} waits ${typeof windowDays === 'number' ? String(windowDays) : 'the default 30'} days under its name after a destroy, so creating the stack again meanwhile fails: set recovery_window_in_days = 0 or a name that changes per generation`,
      },
    ];
  });
}

export const rule: GuardrailRule = {
  id: 'recreatable-names',
  requires: 'no fixed name that stays reserved after a destroy (Secrets Manager recovery window)',
  source:
    'Secrets Manager DeleteSecret (RecoveryWindowInDays 7–30, or ForceDeleteWithoutRecovery, asynchronous); terraform-provider-aws secret.go (CreateSecret retried 2 min on "scheduled for deletion", issue #10259)',
  check,
};
