/**
 * Declaring guardrails in the construct tree, as cdk-nag does: a stack (or any construct) says which rule packs it is
 * held to, and a construct says which rule does not hold for it and why.
 *
 *   Guardrails.of(stack).applyPack(PROTECTED_PACK);
 *   Guardrails.of(cache).suppress('multi-az', 'single-zone load-test group, destroyed after each run');
 *
 * A pack applied to a stack holds every resource of it; applied to another construct, the resources below it. A
 * suppression on a stack exempts the whole stack from the rule, on a construct the resources below it. The declaration
 * is written into the synthesized JSON, where it stays for every reader (cdktf keeps the "//" metadata in cdk.tf.json):
 * `"//": { "guardrails": { "packs": [{ "id", "description", "rules" }], "suppressions": [{ "rule", "reason" }] } }` in
 * the stack and in each resource concerned. The runner (./runner.ts) reads it from there, or from
 * `Guardrails.declarationOf(stack)` where the JSON has no "//" (`Testing.synth`).
 */
import { Aspects, IAspect, TerraformDataSource, TerraformResource, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { Problems } from '../validation';
import { RulePack, definePack, packProblems } from './packs';
import { GUARDRAIL_RULES } from './rules';
import { GUARDRAILS_METADATA_KEY, GuardrailsDeclaration, GuardrailsScope, Suppression } from './runner';

/** A reason a reviewer can act on: at least this many characters (cdk-nag asks for 10 as well). */
export const MIN_REASON_LENGTH = 10;

interface Declared {
  packs: RulePack[];
  suppressions: Suppression[];
}

const declared = new WeakMap<IConstruct, Declared>();
const writers = new WeakSet<TerraformStack>();

/** The resource or data source address of an element (`type.name`, `data.type.name`), if it is one. */
function addressOf(element: IConstruct): string | undefined {
  if (TerraformResource.isTerraformResource(element)) return `${element.terraformResourceType}.${element.friendlyUniqueId}`;
  if (TerraformDataSource.isTerraformDataSource(element)) return `data.${element.terraformResourceType}.${element.friendlyUniqueId}`;
  return undefined;
}

/** The declarations of a construct and of its ancestors below the stack, nearest last. */
function inherited(element: IConstruct, stack: TerraformStack): Declared {
  const out: Declared = { packs: [], suppressions: [] };
  for (const scope of element.node.scopes) {
    if (scope === stack || TerraformStack.isStack(scope)) continue;
    const d = declared.get(scope);
    if (d) {
      out.packs.push(...d.packs);
      out.suppressions.push(...d.suppressions);
    }
  }
  return out;
}

const asScope = (d: Declared): GuardrailsScope => ({
  packs: [...new Map(d.packs.map((p) => [p.id, p])).values()],
  suppressions: [...new Map(d.suppressions.map((s) => [s.rule, s])).values()],
});

/** Writes the declarations into the JSON of the stack and of each resource concerned, when the stack is synthesized. */
class DeclarationWriter implements IAspect {
  constructor(private readonly stack: TerraformStack) {}

  visit(node: IConstruct): void {
    if (node === this.stack) {
      const own = declared.get(node);
      if (own) this.stack.addOverride(`//.${GUARDRAILS_METADATA_KEY}`, asScope(own));
      return;
    }
    if (!TerraformResource.isTerraformResource(node) && !TerraformDataSource.isTerraformDataSource(node)) return;
    const d = inherited(node, this.stack);
    if (d.packs.length || d.suppressions.length) node.addOverride(`//.${GUARDRAILS_METADATA_KEY}`, asScope(d));
  }
}

export class Guardrails {
  /** The guardrail declarations of a stack or construct. */
  static of(scope: IConstruct): Guardrails {
    return new Guardrails(scope);
  }

  /**
   * What a stack declares, as the runner reads it from the JSON: for tests and tools that synthesize without the "//"
   * metadata (`Testing.synth`): `checkGuardrails(json, { declaration: Guardrails.declarationOf(stack) })`.
   */
  static declarationOf(stack: TerraformStack): GuardrailsDeclaration {
    const resources: Record<string, GuardrailsScope> = {};
    for (const c of stack.node.findAll()) {
      const address = addressOf(c);
      if (address === undefined || TerraformStack.of(c) !== stack) continue;
      const d = inherited(c, stack);
      if (d.packs.length || d.suppressions.length) resources[address] = asScope(d);
    }
    return { ...asScope(declared.get(stack) ?? { packs: [], suppressions: [] }), resources };
  }

  private constructor(private readonly scope: IConstruct) {}

  /** The packs declared on this construct itself (not its ancestors'). */
  get packs(): readonly RulePack[] {
    return [...(declared.get(this.scope)?.packs ?? [])];
  }

  /** The suppressions declared on this construct itself. */
  get suppressions(): readonly Suppression[] {
    return [...(declared.get(this.scope)?.suppressions ?? [])];
  }

  /** Hold the construct (a stack: all of it) to a rule pack, e.g. PROTECTED_PACK. */
  applyPack(pack: RulePack): this {
    packProblems(pack, `${this.path} (Guardrails.applyPack)`).throwIfAny();
    const d = this.declared();
    if (!d.packs.some((p) => p.id === pack.id)) d.packs.push(definePack(pack));
    return this;
  }

  /**
   * Exempt the construct (a stack: all of it) from one rule, saying why: the reason is shown in the synthesized JSON,
   * in synth output and in reviews, beside the violation it exempts.
   */
  suppress(rule: string, reason: string): this {
    const p = new Problems(`${this.path} (Guardrails.suppress)`);
    const known = GUARDRAIL_RULES.map((r) => r.id);
    p.check(known.includes(rule), 'rule', `the id of a rule (${known.join(', ')})`, rule);
    p.check(
      typeof reason === 'string' && reason.trim().length >= MIN_REASON_LENGTH,
      'reason',
      `why the rule does not hold here, at least ${MIN_REASON_LENGTH} characters (synth output and reviews show it)`,
      reason,
    );
    p.throwIfAny();
    const d = this.declared();
    d.suppressions = [...d.suppressions.filter((s) => s.rule !== rule), { rule, reason: reason.trim() }];
    return this;
  }

  private get path(): string {
    return this.scope.node.path || 'app';
  }

  private declared(): Declared {
    const stack = TerraformStack.of(this.scope);
    if (!writers.has(stack)) {
      writers.add(stack);
      Aspects.of(stack).add(new DeclarationWriter(stack));
    }
    let d = declared.get(this.scope);
    if (!d) {
      d = { packs: [], suppressions: [] };
      declared.set(this.scope, d);
    }
    return d;
  }
}
