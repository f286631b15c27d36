/**
 * Reading a Redis/Valkey ACL access string (ElastiCache RBAC): whether the user is on and whether it may run a
 * command. Rules apply left to right and the last one that matches a command decides, as ACL SETUSER applies them.
 * A user starts with no command. Pure: shared by the construct's validation and the guardrails; no provider imports.
 */
import { COMMAND_CATEGORIES, ELASTICACHE_RESTRICTED_COMMANDS } from '../facts/redis-acl';

export interface AccessString {
  readonly on: boolean;
  /** Rules that grant or deny commands, in order (`+get`, `-@dangerous`, `allcommands`, …). */
  readonly commandRules: readonly string[];
  /** Rules ElastiCache refuses in an access string (`reset`, passwords, restricted commands) or that are not ACL rules. */
  readonly invalid: readonly string[];
}

const KEY_OR_CHANNEL_RULE = /^(~|%R~|%W~|%RW~|&)\S*$|^(allkeys|resetkeys|allchannels|resetchannels)$/i;
const COMMAND_RULE = /^[+-](@[a-z]+|[a-z][a-z0-9-]*(\|[a-z0-9-]+)?)$|^(allcommands|nocommands)$/i;

export function parseAccessString(text: string): AccessString {
  let on = false;
  const commandRules: string[] = [];
  const invalid: string[] = [];
  for (const rule of text.trim().split(/\s+/).filter(Boolean)) {
    const lower = rule.toLowerCase();
    if (lower === 'on' || lower === 'off') on = lower === 'on';
    else if (KEY_OR_CHANNEL_RULE.test(rule)) continue;
    else if (COMMAND_RULE.test(rule)) {
      const name = lower.slice(1).split('|')[0];
      if ((ELASTICACHE_RESTRICTED_COMMANDS as readonly string[]).includes(name)) invalid.push(rule);
      else commandRules.push(lower);
    } else invalid.push(rule); // reset, nopass, >password, #hash, selectors, typos
  }
  return { on, commandRules, invalid };
}

/**
 * Whether the access string lets its user run `command` (a name from ../facts/redis-acl.ts COMMAND_CATEGORIES, whose
 * categories decide `+@cat` / `-@cat` rules). A rule for a subcommand (`+config|get`) does not grant the command.
 */
export function allowsCommand(access: AccessString, command: string): boolean {
  const cmd = command.toLowerCase();
  const categories = COMMAND_CATEGORIES[cmd] ?? ['all'];
  let allowed = false;
  for (const rule of access.commandRules) {
    if (rule === 'allcommands' || rule === 'nocommands') {
      allowed = rule === 'allcommands';
      continue;
    }
    const grant = rule.startsWith('+');
    const target = rule.slice(1);
    const matches = target.startsWith('@') ? categories.includes(target.slice(1)) : target === cmd;
    if (matches) allowed = grant;
  }
  return access.on && allowed;
}
