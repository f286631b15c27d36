/**
 * AWS regions and the names of their availability zones, as data: stacks/settings.ts checks AWS_REGION,
 * CACHE_STATE_REGION, CACHE_<ENV>_AVAILABILITY_ZONES and the region of alarm topic ARNs against this table.
 *
 * Sources: AWS "Regions and Availability Zones" (https://docs.aws.amazon.com/global-infrastructure/latest/regions/)
 * and "AZ IDs" (…/regions/az-ids.html). A zone's name is `<region><letter>`. In the regions opened before November
 * 2012 the letters are mapped to physical zones per account, and some accounts do not see every letter
 * (us-west-1: each account sees two of a, b, c; ap-northeast-1: b only in old accounts); `zones` lists every
 * letter that exists in some account, `defaultZones` the letters every account has (CACHE_<ENV>_AVAILABILITY_ZONES
 * unset). Where no three letters are common to every account, the variable must be set
 * (`aws ec2 describe-availability-zones --region <region>` lists an account's zones).
 *
 * A region AWS opens after this table was written is refused by name: add a row here (one line).
 */

export type AwsPartition = 'aws' | 'aws-cn' | 'aws-us-gov' | 'aws-eusc';

export interface AwsRegion {
  readonly partition: AwsPartition;
  /** Zone letters that exist in some account. */
  readonly zones: readonly string[];
  /** Zone letters used when CACHE_<ENV>_AVAILABILITY_ZONES is unset; empty: the variable is required. */
  readonly defaultZones: readonly string[];
}

const std = (partition: AwsPartition = 'aws'): AwsRegion => ({ partition, zones: ['a', 'b', 'c'], defaultZones: ['a', 'b', 'c'] });

export const AWS_REGIONS: Readonly<Record<string, AwsRegion>> = {
  'us-east-1': { partition: 'aws', zones: ['a', 'b', 'c', 'd', 'e', 'f'], defaultZones: ['a', 'b', 'c'] },
  'us-east-2': std(),
  'us-west-1': { partition: 'aws', zones: ['a', 'b', 'c'], defaultZones: [] },
  'us-west-2': { partition: 'aws', zones: ['a', 'b', 'c', 'd'], defaultZones: ['a', 'b', 'c'] },
  'af-south-1': std(),
  'ap-east-1': std(),
  'ap-east-2': std(),
  'ap-south-1': std(),
  'ap-south-2': std(),
  'ap-southeast-1': std(),
  'ap-southeast-2': std(),
  'ap-southeast-3': std(),
  'ap-southeast-4': std(),
  'ap-southeast-5': std(),
  'ap-southeast-6': std(),
  'ap-southeast-7': std(),
  'ap-northeast-1': { partition: 'aws', zones: ['a', 'b', 'c', 'd'], defaultZones: ['a', 'c', 'd'] },
  'ap-northeast-2': { partition: 'aws', zones: ['a', 'b', 'c', 'd'], defaultZones: ['a', 'b', 'c'] },
  'ap-northeast-3': std(),
  'ca-central-1': { partition: 'aws', zones: ['a', 'b', 'd'], defaultZones: ['a', 'b', 'd'] },
  'ca-west-1': std(),
  'eu-central-1': std(),
  'eu-central-2': std(),
  'eu-west-1': std(),
  'eu-west-2': std(),
  'eu-west-3': std(),
  'eu-south-1': std(),
  'eu-south-2': std(),
  'eu-north-1': std(),
  'il-central-1': std(),
  'me-south-1': std(),
  'me-central-1': std(),
  'mx-central-1': std(),
  'sa-east-1': std(),
  'us-gov-east-1': std('aws-us-gov'),
  'us-gov-west-1': std('aws-us-gov'),
  'cn-north-1': { partition: 'aws-cn', zones: ['a', 'b', 'd'], defaultZones: ['a', 'b', 'd'] },
  'cn-northwest-1': std('aws-cn'),
  'eusc-de-east-1': std('aws-eusc'),
};

/** The form of a region name, for messages: `<area>-<direction>-<number>`, e.g. us-east-1, ap-southeast-2, us-gov-west-1. */
export const REGION_NAME_PATTERN = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
