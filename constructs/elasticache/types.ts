/** The small types the replication group's props, defaults and interface share. */

/** A KMS key brought by the user: anything with an ARN (a `KmsKey`, a `DataAwsKmsKey`, or `{ arn: '…' }`). */
export interface IEncryptionKey {
  readonly arn: string;
}

/** An SNS topic brought by the user (a `SnsTopic`, a `DataAwsSnsTopic`, or `{ arn: '…' }`). */
export interface ITopic {
  readonly arn: string;
}

/**
 * How clients authenticate. `rbac`: ElastiCache role-based access control, a user group holding the application user
 * (its access string, a generated password kept in Secrets Manager) and a user named `default` that is switched off;
 * `auth-token`: one shared AUTH token, which grants every command (FLUSHALL included) to whoever holds it; `none`.
 */
export type Authentication = 'rbac' | 'auth-token' | 'none';

/** Steps of the move from an AUTH token to RBAC (RedisReplicationGroupProps.authTokenMigration). */
export type AuthTokenMigration = 'accept-auth-token' | 'complete';

/**
 * How a change of the credential (`credentialVersion`) is applied: `ROTATE` adds the new password or token beside the
 * old one (both valid), `SET` (only after a ROTATE, for the credential last rotated) keeps only the new one. For the
 * AUTH token this is `auth_token_update_strategy`; for the application user, its one or two passwords.
 */
export type CredentialUpdateStrategy = 'ROTATE' | 'SET';
