/** Names and addresses AWS accepts, where the constructs (and an app's settings) check them before AWS would. */

/** E-mail addresses SNS can subscribe: local part, `@`, a domain of dot-separated labels. */
export const EMAIL_PATTERN =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/**
 * IAM role names (IAM User Guide, "IAM object quotas" and CreateRole RoleName): 1–64 characters of letters, digits and
 * `+ = , . @ _ -`. What grantReadCredentials accepts (an app's own settings may name roles too).
 */
export const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** KMS key ids that are AWS-managed keys (`alias/aws/…`), not customer-managed ones. */
export const AWS_MANAGED_KEY = /(^|:)alias\/aws\//;
