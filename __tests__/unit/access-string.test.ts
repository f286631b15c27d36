/**
 * Reading ACL access strings (constructs/elasticache/access-string.ts) as Redis applies them: left to right, the last
 * matching rule decides, categories count, a user that is off runs nothing.
 */
import { allowsCommand, parseAccessString } from '../../constructs/elasticache/access-string';

const allows = (access: string, command: string) => allowsCommand(parseAccessString(access), command);

describe('access strings', () => {
  it.each<[string, string, boolean]>([
    ['on ~* +@all', 'flushall', true],
    ['on ~* +@all -flushall -flushdb -keys', 'flushall', false],
    ['on ~* +@all -flushall -flushdb -keys', 'flushdb', false],
    ['on ~* +@all -flushall -flushdb -keys', 'keys', false],
    ['on ~* +@all -@dangerous', 'flushdb', false],
    ['on ~* +@all -@keyspace +flushdb', 'flushdb', true], // the later rule wins
    ['on ~* -flushall +@all', 'flushall', true], // +@all after the denial grants it again
    ['on ~* +@read', 'keys', true], // KEYS is a read command
    ['on ~* +@read', 'flushall', false],
    ['on ~* allcommands -@write', 'flushall', false],
    ['on ~* nocommands +get', 'flushall', false],
    ['on ~* +@all -flushall|async', 'flushall', true], // a subcommand rule leaves the command itself
    ['off ~* +@all', 'flushall', false], // a user that is off runs nothing
    ['~* +@all', 'flushall', false], // neither on nor off: ElastiCache makes it off
    ['on ~* +FLUSHALL', 'flushall', true], // command names are case-insensitive
  ])('%s: %s allowed = %s', (access, command, allowed) => {
    expect(allows(access, command)).toBe(allowed);
  });

  it('names what ElastiCache refuses in an access string: reset, passwords, restricted commands', () => {
    expect(parseAccessString('on reset >secret nopass ~* +@all -config -keys').invalid).toEqual(['reset', '>secret', 'nopass', '-config']);
  });

  it('accepts key and channel patterns without treating them as commands', () => {
    expect(parseAccessString('on ~app:* %R~ro:* &events:* resetchannels +@all -keys')).toEqual({
      on: true,
      commandRules: ['+@all', '-keys'],
      invalid: [],
    });
  });
});
