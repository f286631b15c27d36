/**
 * Settings from environment variables (stacks/settings.ts): every variable is checked against its real form, and
 * each problem names the variable, the stacks it affects, the allowed form and the value given.
 */
import { ValidationError, problemText } from '../../constructs';
import { deploymentSettings, localSettings, parseDeploymentSettings, parseLocalSettings } from '../../stacks/settings';

const AWS = ['pilot', 'staging', 'production'] as const;
const problemsOf = (env: Record<string, string>) => parseDeploymentSettings(AWS, env).problems.map(problemText);

describe('AWS settings: defaults', () => {
  it('needs no variable at all: us-east-1, zones a–c, lookups by tag, local state', () => {
    const { settings, problems } = parseDeploymentSettings(AWS, {});
    expect(problems).toEqual([]);
    expect(settings.production).toEqual({
      region: 'us-east-1',
      regionFromEnvironment: false,
      stateBucket: undefined,
      stateRegion: 'us-east-1',
      stateLockTable: undefined,
      vpcId: undefined,
      vpcTag: { key: 'Environment', value: 'production' },
      subnetIds: undefined,
      subnetTag: { key: 'Tier', value: 'private' },
      availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      clientSecurityGroupIds: [],
      clientCidrs: [],
      alarmEmails: [],
      alarmHttpsEndpoints: [],
      alarmHttpsEndpointsAutoConfirm: [],
      credentialReaderRoles: [],
      alarmTopicArns: [],
    });
  });

  it("takes the region's default zones where a, b, c is wrong: Tokyo's a, c, d", () => {
    expect(parseDeploymentSettings(AWS, { AWS_REGION: 'ap-northeast-1' }).settings.pilot.availabilityZones).toEqual([
      'ap-northeast-1a',
      'ap-northeast-1c',
      'ap-northeast-1d',
    ]);
  });

  it('accepts well-formed values of every variable', () => {
    const env = {
      AWS_REGION: 'eu-west-1',
      CACHE_STATE_BUCKET: 'acme-terraform-state.eu',
      CACHE_STATE_REGION: 'eu-central-1',
      CACHE_STATE_LOCK_TABLE: 'tf-locks',
      CACHE_PRODUCTION_VPC_ID: 'vpc-0123456789abcdef0',
      CACHE_PRODUCTION_VPC_TAG: 'Name=main',
      CACHE_PRODUCTION_SUBNET_IDS: 'subnet-0a1b2c3d, subnet-0123456789abcdef0',
      CACHE_PRODUCTION_SUBNET_TAG: 'Tier=data',
      CACHE_PRODUCTION_AVAILABILITY_ZONES: 'eu-west-1a,eu-west-1b',
      CACHE_PRODUCTION_CLIENT_SECURITY_GROUP_IDS: 'sg-0a1b2c3d',
      CACHE_PRODUCTION_CLIENT_CIDRS: '10.20.0.0/16',
      CACHE_PRODUCTION_ALARM_EMAIL: 'ops@example.com',
      CACHE_PRODUCTION_ALARM_EMAILS: 'ops@example.com,oncall+cache@example.co.uk',
      CACHE_PRODUCTION_ALARM_HTTPS_ENDPOINTS: 'https://hooks.example.com/sns',
      CACHE_PRODUCTION_ALARM_HTTPS_ENDPOINTS_AUTO_CONFIRM: 'https://events.pagerduty.com/integration/abc/enqueue',
      CACHE_PRODUCTION_ALARM_TOPIC_ARNS: 'arn:aws:sns:eu-west-1:123456789012:chatops',
      CACHE_PRODUCTION_CREDENTIAL_READER_ROLES: 'orders-api-task, orders-worker',
    };
    const { settings, problems } = parseDeploymentSettings(AWS, env);
    expect(problems).toEqual([]);
    expect(settings.production).toMatchObject({
      region: 'eu-west-1',
      stateRegion: 'eu-central-1',
      subnetIds: ['subnet-0a1b2c3d', 'subnet-0123456789abcdef0'],
      vpcTag: { key: 'Name', value: 'main' },
      alarmEmails: ['ops@example.com', 'oncall+cache@example.co.uk'],
      alarmHttpsEndpoints: ['https://hooks.example.com/sns'],
      alarmHttpsEndpointsAutoConfirm: ['https://events.pagerduty.com/integration/abc/enqueue'],
      credentialReaderRoles: ['orders-api-task', 'orders-worker'],
    });
    expect(settings.pilot.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
  });
});

describe('AWS settings: every bad value is named with its stacks, its form and the value', () => {
  const ALL = '(stacks pilot, staging, production)';
  it.each<[string, Record<string, string>, string]>([
    [
      'a region that does not exist',
      { AWS_REGION: 'mars-1' },
      `AWS_REGION: an AWS region name such as us-east-1 or eu-west-1 (config/aws-regions.ts lists them), got "mars-1" ${ALL}`,
    ],
    [
      'a region shaped right but unknown',
      { AWS_REGION: 'us-east-7' },
      `AWS_REGION: a region listed in config/aws-regions.ts (this one is shaped like a region name but is not listed; if AWS has opened it, add it there), got "us-east-7" ${ALL}`,
    ],
    [
      'not a region at all',
      { AWS_REGION: 'not-a-region' },
      `AWS_REGION: an AWS region name such as us-east-1 or eu-west-1 (config/aws-regions.ts lists them), got "not-a-region" ${ALL}`,
    ],
    [
      'an S3 bucket name S3 refuses',
      { CACHE_STATE_BUCKET: 'My_Bucket..Name' },
      `CACHE_STATE_BUCKET: an S3 bucket name (3–63 lower-case letters, digits, "." or "-", starting and ending with a letter or digit, no "..", not an IP address, no prefix xn--/sthree-/amzn-s3-demo-), got "My_Bucket..Name" ${ALL}`,
    ],
    ['a bucket named like an IP address', { CACHE_STATE_BUCKET: '192.168.5.4' }, 'CACHE_STATE_BUCKET: an S3 bucket name'],
    ['a bucket with a reserved suffix', { CACHE_STATE_BUCKET: 'state-s3alias' }, 'got "state-s3alias"'],
    [
      'a state region that does not exist',
      { CACHE_STATE_BUCKET: 'state', CACHE_STATE_REGION: 'eu-west' },
      `CACHE_STATE_REGION: an AWS region name such as us-east-1 or eu-west-1 (config/aws-regions.ts lists them), got "eu-west" ${ALL}`,
    ],
    [
      'a lock table without a bucket',
      { CACHE_STATE_LOCK_TABLE: 'tf-locks' },
      `CACHE_STATE_LOCK_TABLE: set only together with CACHE_STATE_BUCKET, got "tf-locks" ${ALL}`,
    ],
    [
      'a lock table name DynamoDB refuses',
      { CACHE_STATE_BUCKET: 'state', CACHE_STATE_LOCK_TABLE: 'tf locks' },
      `CACHE_STATE_LOCK_TABLE: a DynamoDB table name (3–255 of a-z A-Z 0-9 _ - .), got "tf locks" ${ALL}`,
    ],
    [
      'a VPC id that is not one',
      { CACHE_PRODUCTION_VPC_ID: 'garbage' },
      'CACHE_PRODUCTION_VPC_ID: a VPC id ("vpc-" and 8 or 17 lower-case hex digits), got "garbage" (stack production)',
    ],
    ['a VPC id with 12 digits', { CACHE_PILOT_VPC_ID: 'vpc-0123456789ab' }, 'CACHE_PILOT_VPC_ID: a VPC id'],
    [
      'a subnet id of the wrong kind',
      { CACHE_STAGING_SUBNET_IDS: 'subnet-0a1b2c3d,sg-0a1b2c3d' },
      'CACHE_STAGING_SUBNET_IDS: subnet ids ("subnet-" and 8 or 17 lower-case hex digits), got "sg-0a1b2c3d" (stack staging)',
    ],
    [
      'a security group id that is not one',
      { CACHE_PRODUCTION_CLIENT_SECURITY_GROUP_IDS: 'sg-bad' },
      'CACHE_PRODUCTION_CLIENT_SECURITY_GROUP_IDS: security group ids ("sg-" and 8 or 17 lower-case hex digits), got "sg-bad" (stack production)',
    ],
    [
      'a zone of another planet',
      { CACHE_PRODUCTION_AVAILABILITY_ZONES: 'us-east-1a,mars-1z' },
      'CACHE_PRODUCTION_AVAILABILITY_ZONES: zones of us-east-1: us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f, got "mars-1z" (stack production)',
    ],
    [
      'a zone of another region',
      { AWS_REGION: 'eu-west-1', CACHE_STAGING_AVAILABILITY_ZONES: 'us-east-1a' },
      'CACHE_STAGING_AVAILABILITY_ZONES: zones of eu-west-1: eu-west-1a, eu-west-1b, eu-west-1c, got "us-east-1a" (stack staging)',
    ],
    [
      'a zone letter the region does not have',
      { AWS_REGION: 'eu-west-1', CACHE_STAGING_AVAILABILITY_ZONES: 'eu-west-1a,eu-west-1d' },
      'got "eu-west-1d" (stack staging)',
    ],
    [
      'the same zone twice',
      { CACHE_PRODUCTION_AVAILABILITY_ZONES: 'us-east-1a,us-east-1a' },
      'CACHE_PRODUCTION_AVAILABILITY_ZONES: distinct zones, got ["us-east-1a", "us-east-1a"] (stack production)',
    ],
    [
      'no zones in a region whose zone names differ per account',
      {
        AWS_REGION: 'us-west-1',
        CACHE_STAGING_AVAILABILITY_ZONES: 'us-west-1b',
        CACHE_PRODUCTION_AVAILABILITY_ZONES: 'us-west-1b,us-west-1c',
      },
      'CACHE_PILOT_AVAILABILITY_ZONES: required in us-west-1, where the zone names differ per account (aws ec2 describe-availability-zones --region us-west-1 lists yours), but it is unset (stack pilot)',
    ],
    [
      'a public client range',
      { CACHE_PRODUCTION_CLIENT_CIDRS: '0.0.0.0/0' },
      'CACHE_PRODUCTION_CLIENT_CIDRS: private IPv4 networks in CIDR form (within 10/8, 172.16/12, 192.168/16 or 100.64/10; no host bits, no leading zeros), got "0.0.0.0/0" (not within a private range) (stack production)',
    ],
    [
      'a client address with host bits set, not a network',
      { CACHE_PRODUCTION_CLIENT_CIDRS: '10.0.0.1/24' },
      'CACHE_PRODUCTION_CLIENT_CIDRS: private IPv4 networks in CIDR form (within 10/8, 172.16/12, 192.168/16 or 100.64/10; no host bits, no leading zeros), got "10.0.0.1/24" (host bits set: the network is 10.0.0.0/24) (stack production)',
    ],
    [
      'a client range with a leading zero (read as octal by some parsers)',
      { CACHE_STAGING_CLIENT_CIDRS: '010.0.0.0/8' },
      'CACHE_STAGING_CLIENT_CIDRS: private IPv4 networks in CIDR form (within 10/8, 172.16/12, 192.168/16 or 100.64/10; no host bits, no leading zeros), got "010.0.0.0/8" (an octet with a leading zero) (stack staging)',
    ],
    [
      'a prefix length with a leading zero',
      { CACHE_PILOT_CLIENT_CIDRS: '10.0.0.0/08' },
      'got "10.0.0.0/08" (a prefix length with a leading zero) (stack pilot)',
    ],
    ['a prefix length above 32', { CACHE_PILOT_CLIENT_CIDRS: '10.0.0.0/33' }, 'got "10.0.0.0/33" (a prefix length above 32) (stack pilot)'],
    ['an octet above 255', { CACHE_PILOT_CLIENT_CIDRS: '10.0.0.256/32' }, 'got "10.0.0.256/32" (not an IPv4 address) (stack pilot)'],
    [
      'a tag filter without "="',
      { CACHE_STAGING_VPC_TAG: 'no-equals-sign' },
      'CACHE_STAGING_VPC_TAG: "Key=Value", got "no-equals-sign" (stack staging)',
    ],
    [
      'an e-mail address without a domain',
      { CACHE_PRODUCTION_ALARM_EMAILS: 'ops@example.com,oncall' },
      'CACHE_PRODUCTION_ALARM_EMAILS: e-mail addresses (name@example.com), got "oncall" (stack production)',
    ],
    [
      'the single-address variable, wrong too',
      { CACHE_PILOT_ALARM_EMAIL: 'ops at example.com' },
      'CACHE_PILOT_ALARM_EMAIL: e-mail addresses (name@example.com), got "ops at example.com" (stack pilot)',
    ],
    [
      'a role ARN where a role name belongs',
      { CACHE_STAGING_CREDENTIAL_READER_ROLES: 'arn:aws:iam::123456789012:role/orders' },
      'CACHE_STAGING_CREDENTIAL_READER_ROLES: IAM role names (1-64 of letters, digits and + = , . @ _ -), not ARNs, got "arn:aws:iam::123456789012:role/orders" (stack staging)',
    ],
    [
      'an endpoint named as self-confirming and not',
      {
        CACHE_PRODUCTION_ALARM_HTTPS_ENDPOINTS: 'https://hooks.example.com/x',
        CACHE_PRODUCTION_ALARM_HTTPS_ENDPOINTS_AUTO_CONFIRM: 'https://hooks.example.com/x',
      },
      'CACHE_PRODUCTION_ALARM_HTTPS_ENDPOINTS_AUTO_CONFIRM: endpoints not also in CACHE_PRODUCTION_ALARM_HTTPS_ENDPOINTS (name each once), got "https://hooks.example.com" (path not shown) (stack production)',
    ],
    [
      'an endpoint over plain HTTP',
      { CACHE_PRODUCTION_ALARM_HTTPS_ENDPOINTS: 'http://hooks.example.com/x' },
      'CACHE_PRODUCTION_ALARM_HTTPS_ENDPOINTS: https:// URLs without user:password (a credential in the URL would be stored in the JSON and the state), got "http://hooks.example.com" (path not shown) (stack production)',
    ],
    [
      'an endpoint with a password in it (shown without the password and the path)',
      { CACHE_PRODUCTION_ALARM_HTTPS_ENDPOINTS: 'https://user:secret@hooks.example.com/x' },
      'got "https://hooks.example.com" (user:password and path not shown) (stack production)',
    ],
    [
      'a topic ARN in another region',
      { CACHE_PRODUCTION_ALARM_TOPIC_ARNS: 'arn:aws:sns:eu-west-1:123456789012:chatops' },
      `CACHE_PRODUCTION_ALARM_TOPIC_ARNS: SNS topic ARNs in the stacks' region, arn:aws:sns:us-east-1:<12-digit account>:<topic name> (CloudWatch alarms notify topics in their own region), got "arn:aws:sns:eu-west-1:123456789012:chatops" (stack production)`,
    ],
    [
      'a topic ARN that is a queue',
      { CACHE_PRODUCTION_ALARM_TOPIC_ARNS: 'arn:aws:sqs:us-east-1:123456789012:q' },
      'got "arn:aws:sqs:us-east-1:123456789012:q" (stack production)',
    ],
    [
      'a typo in the environment name',
      { CACHE_PRODUCTON_VPC_ID: 'vpc-0a1b2c3d' },
      `CACHE_PRODUCTON_VPC_ID: a variable of a known environment (CACHE_PILOT_…, CACHE_STAGING_…, CACHE_PRODUCTION_…), got "vpc-0a1b2c3d" ${ALL}`,
    ],
    [
      'a typo in the variable name',
      { CACHE_PRODUCTION_SUBNETS: 'subnet-0a1b2c3d' },
      `CACHE_PRODUCTION_SUBNETS: a variable this project reads (config/deployment.ts lists them), got "subnet-0a1b2c3d" ${ALL}`,
    ],
  ])('%s', (_, env, message) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it('ignores CACHE_* variables of other tools', () => {
    expect(problemsOf({ CACHE_DIR: '/tmp/x', CACHE_GUARDRAILS: 'warn' })).toEqual([]);
  });

  it('reports every bad variable of one run, each once', () => {
    const problems = problemsOf({
      AWS_REGION: 'mars-1',
      CACHE_STATE_BUCKET: 'My_Bucket..Name',
      CACHE_PRODUCTION_VPC_ID: 'garbage',
      CACHE_PRODUCTION_CLIENT_SECURITY_GROUP_IDS: 'sg-bad',
      CACHE_STAGING_SUBNET_IDS: 'subnet-zz',
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'AWS_REGION',
      'CACHE_STATE_BUCKET',
      'CACHE_STAGING_SUBNET_IDS',
      'CACHE_PRODUCTION_VPC_ID',
      'CACHE_PRODUCTION_CLIENT_SECURITY_GROUP_IDS',
    ]);
  });

  it('deploymentSettings(one environment) throws one ValidationError with all of its problems', () => {
    let error: unknown;
    try {
      deploymentSettings('production', { AWS_REGION: 'mars-1', CACHE_PRODUCTION_VPC_ID: 'garbage' });
    } catch (e) {
      error = e;
    }
    expect(ValidationError.isValidationError(error)).toBe(true);
    expect((error as ValidationError).problems).toHaveLength(2);
    expect((error as ValidationError).message).toMatch(/^environment variables: 2 problems:\n {2}- AWS_REGION: /);
  });
});

describe('local settings (LOCAL_REDIS_*)', () => {
  it('are all optional', () => {
    expect(localSettings({})).toEqual({});
  });

  it('reads engine, decimal port, TLS and its directory', () => {
    expect(
      localSettings({ LOCAL_REDIS_ENGINE: 'valkey', LOCAL_REDIS_PORT: '6380', LOCAL_REDIS_TLS: '1', LOCAL_REDIS_TLS_DIR: 'certs' }),
    ).toEqual({
      engine: 'valkey',
      port: 6380,
      tls: true,
      tlsDir: 'certs',
    });
  });

  it('drops the TLS directory while TLS is off', () => {
    expect(localSettings({ LOCAL_REDIS_TLS: '0', LOCAL_REDIS_TLS_DIR: 'certs' })).toEqual({ tls: false });
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'a hexadecimal port',
      { LOCAL_REDIS_PORT: '0x18EB' },
      'LOCAL_REDIS_PORT: a decimal port number from 1 to 65535, got "0x18EB" (stack local)',
    ],
    ['port 0', { LOCAL_REDIS_PORT: '0' }, 'LOCAL_REDIS_PORT: a decimal port number from 1 to 65535, got "0" (stack local)'],
    ['port 65536', { LOCAL_REDIS_PORT: '65536' }, 'got "65536" (stack local)'],
    ['a port in exponent notation', { LOCAL_REDIS_PORT: '6.379e3' }, 'got "6.379e3" (stack local)'],
    ['an unknown engine', { LOCAL_REDIS_ENGINE: 'memcached' }, 'LOCAL_REDIS_ENGINE: one of redis, valkey, got "memcached" (stack local)'],
    ['TLS as a word', { LOCAL_REDIS_TLS: 'yes' }, 'LOCAL_REDIS_TLS: 0 or 1, got "yes" (stack local)'],
  ])('refuses %s', (_, env, message) => {
    const problems = parseLocalSettings(env).problems.map(problemText);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it('reports every bad LOCAL_REDIS_* variable at once', () => {
    expect(() => localSettings({ LOCAL_REDIS_PORT: '0x18EB', LOCAL_REDIS_ENGINE: 'memcached', LOCAL_REDIS_TLS: 'true' })).toThrow(
      /3 problems/,
    );
  });
});
