/**
 * Guardrail `plain-text`: descriptions and display names that the AWS APIs accept. The ElastiCache API documents no
 * character set for a replication group's description, so a sign such as `×` is a gamble on every CreateReplicationGroup;
 * EC2 documents a narrow one for security groups and their rules (../data.ts PLAIN_TEXT). Expressions
 * (`${…}`) are checked around their literal parts only.
 */
import { PLAIN_TEXT } from '../data';
import { resourcesOf } from '../../tf-json';
import { GuardrailRule, RuleContext, Violation } from './rule';

/** The literal parts of a string that may hold `${…}` expressions. */
const literalParts = (s: string): string => s.replace(/\$\{[^}]*\}/g, '');

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  const out: Array<Omit<Violation, 'rule'>> = [];
  for (const r of resourcesOf(ctx.json)) {
    for (const attribute of PLAIN_TEXT.attributes) {
      const value: unknown = r.body[attribute];
      if (typeof value !== 'string') continue;
      const text = literalParts(value);
      const ec2 = (PLAIN_TEXT.ec2Types as readonly string[]).includes(r.type) && attribute === 'description';
      const ok = ec2 ? PLAIN_TEXT.ec2Description.test(text) : PLAIN_TEXT.printableAscii.test(text);
      if (ok) continue;
      const bad = [...new Set(Array.from(text).filter((c) => !(ec2 ? PLAIN_TEXT.ec2Description : PLAIN_TEXT.printableAscii).test(c)))];
      out.push({
        resource: r.address,
        message: `${attribute} has ${bad.map((c) => JSON.stringify(c)).join(', ')}; allowed: ${ec2 ? PLAIN_TEXT.ec2Form : 'printable ASCII'}`,
      });
    }
  }
  return out;
}

export const rule: GuardrailRule = {
  id: 'plain-text',
  requires: 'descriptions and display names in printable ASCII (security groups: the EC2 character set)',
  source: 'EC2 CreateSecurityGroup / IpPermission Description character set; ElastiCache CreateReplicationGroup documents none',
  check,
};
