/**
 * Facts about Redis/Valkey ACL access strings as ElastiCache role-based access control (RBAC) uses them. Sources:
 * ElastiCache User Guide, "Role-Based Access Control (RBAC)" ("Specifying Permissions Using an Access String"; the
 * limits listed there), and the ACL categories Redis OSS 7 and Valkey 7.2+ report for each command (`COMMAND INFO`).
 */

/**
 * ACL categories of the commands the guides' security checklists deny (000 "Security Checklist", 003 "Security
 * Checklist", 004 "Redis Security Checklist": FLUSHDB, FLUSHALL, KEYS, CONFIG). An access string can grant or deny a
 * command by name or by any of its categories; `all` is every command.
 */
export const COMMAND_CATEGORIES: Readonly<Record<string, readonly string[]>> = {
  flushall: ['all', 'keyspace', 'write', 'slow', 'dangerous'],
  flushdb: ['all', 'keyspace', 'write', 'slow', 'dangerous'],
  keys: ['all', 'keyspace', 'read', 'slow', 'dangerous'],
  config: ['all', 'admin', 'slow', 'dangerous'],
};

/**
 * Commands ElastiCache restricts for every user (elasticache-facts.md, "What redis.conf directives become on
 * ElastiCache"). An access string must not name them: "If you specify forbidden or renamed commands, an exception will
 * be thrown" (ElastiCache User Guide, RBAC), so `-config` cannot be written; no user can run CONFIG anyway.
 */
export const ELASTICACHE_RESTRICTED_COMMANDS = [
  'bgrewriteaof',
  'bgsave',
  'config',
  'debug',
  'migrate',
  'psync',
  'replicaof',
  'save',
  'slaveof',
  'shutdown',
  'sync',
] as const;

/**
 * Engine of the RBAC users and user group. ElastiCache: on a Redis OSS cluster only user groups with engine `redis`
 * can be used; on a Valkey cluster both `redis` and `valkey` user groups can. `redis` therefore serves both engines, and
 * a switch redis ↔ valkey changes nothing in the users.
 */
export const RBAC_ENGINE = 'redis';

/**
 * Every user group must contain a user named `default` (DefaultUserRequired); a client that authenticates without a
 * user name, or with an AUTH token, is that user.
 */
export const DEFAULT_USER_NAME = 'default';

/** User and user-group ids: at most 40 characters (the construct's user ids are the replication group id + a suffix). */
export const RBAC_ID_MAX_LENGTH = 40;
