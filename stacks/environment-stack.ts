/**
 * One AWS environment (pilot, staging or production): provider, state, network lookups and the cache, sized from the
 * scaling tables, held to the guardrail packs of config/guardrails.ts.
 */
import { Annotations, Fn, LocalBackend, S3Backend, TerraformOutput, TerraformStack, TerraformVariable, Token, ref } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { DataAwsSubnets } from '@cdktf/provider-aws/lib/data-aws-subnets';
import { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc';
import { DataAwsVpcs } from '@cdktf/provider-aws/lib/data-aws-vpcs';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { CLUSTER_MODE_OUTPUT, CLUSTER_MODE_STEP_SPECS, nextClusterModeStep } from '../config/cluster-mode';
import { EnvironmentConfig, PROJECT } from '../config/environments';
import { PROTECTED_ENVIRONMENTS } from '../config/scaling';
import { AlarmSubscribers, CacheAlarms, RedisReplicationGroup, pinVerifiedProviders } from '../constructs';
import { NetworkRefs, environmentProps } from './environment-props';
import { declareEnvironmentPacks } from './guardrails';
import { DeploymentSettings, localStatePath } from './settings';
import { SizingPlan, planSizing, sizingProfileOf } from './sizing';

/** Key of an environment's state in the state bucket. */
export function stateKey(environment: string): string {
  return `${PROJECT}/${environment}.tfstate`;
}

export interface CacheEnvironmentStackProps {
  readonly environment: EnvironmentConfig;
  readonly deployment: DeploymentSettings;
  /** The environment's sizing, planned once by the synth app (./preflight.ts). @default planned here from `environment` */
  readonly plan?: SizingPlan;
}

export class CacheEnvironmentStack extends TerraformStack {
  readonly plan: SizingPlan;
  readonly cache: RedisReplicationGroup;
  /** Alarms on every cache node and the environment's dashboard. */
  readonly alarms: CacheAlarms;
  /** The `alarm_subscribers` variable and the subscriptions it drives. */
  readonly subscribers: AlarmSubscribers;
  /** Staging and production (config/scaling.ts PROTECTED_ENVIRONMENTS): clients and subscribers are required. */
  readonly protectedEnvironment: boolean;

  constructor(scope: Construct, id: string, props: CacheEnvironmentStackProps) {
    super(scope, id);
    const { environment: env, deployment: dep } = props;
    this.protectedEnvironment = PROTECTED_ENVIRONMENTS.includes(env.name);

    this.plan = props.plan ?? planSizing(sizingProfileOf(env), `config/environments.ts ${env.name}`);
    // the rule packs this environment is held to, declared as any stack declares them (config/guardrails.ts)
    declareEnvironmentPacks(this, env.name);

    new AwsProvider(this, 'aws', {
      region: dep.region,
      defaultTags: [{ tags: { environment: env.name, project: PROJECT, 'managed-by': 'cdktf' } }],
    });
    new RandomProvider(this, 'random');
    pinVerifiedProviders(this);

    this.deploymentTarget(env, dep);

    if (dep.stateBucket) {
      new S3Backend(this, {
        bucket: dep.stateBucket,
        key: stateKey(env.name),
        region: dep.stateRegion,
        encrypt: true,
        dynamodbTable: dep.stateLockTable,
      });
      // S3 native state locking (Terraform ≥ 1.10) unless a DynamoDB lock table is named
      if (!dep.stateLockTable) this.addOverride('terraform.backend.s3.use_lockfile', true);
    } else {
      new LocalBackend(this, { path: localStatePath(env.name) });
    }

    const net = this.network(env, dep);
    const built = environmentProps(env, dep, this.plan, net);
    this.cache = new RedisReplicationGroup(this, 'cache', built.group);

    // --- who receives the alarms: a plan-time requirement in protected environments
    const P = `CACHE_${env.name.toUpperCase()}_`;
    this.subscribers = new AlarmSubscribers(this, 'alarm-subscribers', {
      alarmTopic: this.cache.alarmTopic,
      otherTopics: [this.cache.notificationTopic],
      emails: dep.alarmEmails,
      httpsEndpoints: dep.alarmHttpsEndpoints,
      autoConfirmingHttpsEndpoints: dep.alarmHttpsEndpointsAutoConfirm,
      topicArns: dep.alarmTopicArns,
      required: this.protectedEnvironment,
      howToFix: `${env.name} needs at least one: set ${P}ALARM_EMAILS, ${P}ALARM_HTTPS_ENDPOINTS, ${P}ALARM_HTTPS_ENDPOINTS_AUTO_CONFIRM or ${P}ALARM_TOPIC_ARNS (comma-separated) and synthesize again, or pass -var 'alarm_subscribers={emails=["oncall@example.com"], https_endpoints=[], topic_arns=[]}' to cdktf deploy.`,
    });
    this.alarms = new CacheAlarms(this, 'alarms', {
      replicationGroup: this.cache,
      ...built.alarms,
      alarmActions: this.subscribers.alarmActions,
    });

    const c = this.cache;
    new TerraformOutput(this, 'primary_endpoint', {
      value: c.primaryEndpointAddress,
      description: 'Primary endpoint (cluster mode disabled)',
    });
    new TerraformOutput(this, 'reader_endpoint', {
      value: c.readerEndpointAddress,
      description: 'Reader endpoint (cluster mode disabled)',
    });
    new TerraformOutput(this, 'configuration_endpoint', {
      value: c.configurationEndpointAddress,
      description: 'Configuration endpoint (cluster mode enabled)',
    });
    new TerraformOutput(this, 'port', { value: c.port });
    new TerraformOutput(this, 'auth_secret_arn', {
      value: c.authSecret?.arn ?? '',
      description: 'Secrets Manager secret: username, password, host, reader_host, port, tls, url, reader_url',
    });
    new TerraformOutput(this, 'auth_secret_kms_key_arn', {
      value: c.encryptionKey.arn,
      description: 'KMS key the secret is encrypted with: a reader needs kms:Decrypt on it besides secretsmanager:GetSecretValue',
    });
    // the application roles named in CACHE_<ENV>_CREDENTIAL_READER_ROLES read the secret (and decrypt it)
    for (const role of dep.credentialReaderRoles) c.grantReadCredentials(role);
    new TerraformOutput(this, 'security_group_id', { value: c.securityGroup.id, description: 'Security group of the cache nodes' });
    new TerraformOutput(this, 'notification_topic_arn', {
      value: c.notificationTopic.arn,
      description: 'ElastiCache events (unencrypted topic; e-mail and HTTPS subscribers)',
    });
    new TerraformOutput(this, 'alarm_topic_arn', {
      value: c.alarmTopic.arn,
      description: 'CloudWatch alarm and OK notifications (encrypted topic)',
    });
    // where the environment is in the move to cluster mode, while one is needed or underway (the review reads it)
    const move = clusterModeMove(this.plan);
    if (move) {
      new TerraformOutput(this, CLUSTER_MODE_OUTPUT, {
        value: move,
        description: 'The move to cluster mode: the current step, the next one and what must come first (README "Moving to cluster mode")',
      });
      Annotations.of(this).addWarning(
        `${env.name}: cluster mode step ${move.step}${move.next ? `; next: ${move.next} (${move.next_does}); before it: ${move.before_next}` : ''}`,
      );
    }
    if (this.alarms.dashboard) {
      new TerraformOutput(this, 'alarm_dashboard_name', {
        value: this.alarms.dashboard.dashboardName,
        description: 'CloudWatch dashboard of the cache nodes',
      });
    }
  }

  /**
   * The variable `deployment_target`: where the stack deploys, fixed at synth (region from AWS_REGION or the default,
   * state in S3 or a local file), for the review and the operator to read. In a protected environment its validation
   * stops the plan when either was left to its default: production on a local state file (passwords included) or in
   * us-east-1 by accident is refused before anything is read or created. Passing the variable changes neither.
   */
  private deploymentTarget(env: EnvironmentConfig, dep: DeploymentSettings): void {
    const state = dep.stateBucket
      ? `s3://${dep.stateBucket}/${stateKey(env.name)}`
      : `local file ${localStatePath(env.name).replace(/^(\.\.\/)+/, '')}`;
    const missing = [...(dep.regionFromEnvironment ? [] : ['AWS_REGION']), ...(dep.stateBucket ? [] : ['CACHE_STATE_BUCKET'])];
    const v = new TerraformVariable(this, 'deployment_target', {
      type: 'object({ region = string, region_from = string, state = string })',
      nullable: false,
      description: `Where this stack deploys, fixed at synth from AWS_REGION and CACHE_STATE_BUCKET (passing this variable changes neither)`,
      default: { region: dep.region, region_from: dep.regionFromEnvironment ? 'AWS_REGION' : 'default', state },
      validation: this.protectedEnvironment
        ? [
            {
              condition: '${var.deployment_target.region_from == "AWS_REGION" && startswith(var.deployment_target.state, "s3://")}',
              errorMessage: `${env.name} is protected: it is never deployed onto a local state file or a default region. Set ${missing.join(' and ') || 'AWS_REGION and CACHE_STATE_BUCKET'} and synthesize again (README "Deploying to AWS").`,
            },
          ]
        : [],
    });
    v.overrideLogicalId('deployment_target');
  }

  /**
   * Network lookups that fail early, each with a message naming the setting to fix: the zones must exist in the
   * region; the VPC (by id, or exactly one by tag); in each zone the nodes use, at least one private subnet. In
   * protected environments the clients come from the `client_access` variable, which refuses an empty list at plan.
   */
  private network(env: EnvironmentConfig, dep: DeploymentSettings): NetworkRefs {
    const P = `CACHE_${env.name.toUpperCase()}_`;
    const zones = dep.availabilityZones;
    new DataAwsAvailabilityZones(this, 'zones', {
      state: 'available',
      // only the zones named: a zone AWS adds later never enters the result (checkov CKV_AWS_394)
      filter: [{ name: 'zone-name', values: [...zones] }],
      lifecycle: {
        postcondition: [
          {
            condition: `\${alltrue([for z in ${JSON.stringify(zones)} : contains(self.names, z)])}`,
            errorMessage: `${env.name}: ${P}AVAILABILITY_ZONES (${zones.join(',')}) names a zone that is not available in region ${dep.region} for this account; pick zones from \`aws ec2 describe-availability-zones\`.`,
          },
        ],
      },
    });

    let vpc: DataAwsVpc;
    if (dep.vpcId) {
      vpc = new DataAwsVpc(this, 'vpc', { id: dep.vpcId });
    } else {
      const tag = `${dep.vpcTag.key}=${dep.vpcTag.value}`;
      const vpcs = new DataAwsVpcs(this, 'vpcs', {
        tags: { [dep.vpcTag.key]: dep.vpcTag.value },
        lifecycle: {
          postcondition: [
            {
              condition: '${length(self.ids) == 1}',
              errorMessage: `${env.name}: exactly one VPC tagged ${tag} is needed to place the cache; set ${P}VPC_ID, or ${P}VPC_TAG to a tag only that VPC has.`,
            },
          ],
        },
      });
      vpc = new DataAwsVpc(this, 'vpc', { id: Token.asString(Fn.one(vpcs.ids)) });
    }

    const explicit = dep.subnetIds;
    // the zones the nodes are placed in, each of which must have a private subnet: without cluster mode the first
    // zone per node (preferred_cache_cluster_azs: pilot's one node needs only the first); in cluster mode every zone
    // (ElastiCache spreads each shard's nodes over the subnet group's zones)
    const placed = this.plan.clusterModeEnabled ? zones : zones.slice(0, Math.min(zones.length, this.plan.totalNodes));
    const perZone = placed.map(
      (zone) =>
        new DataAwsSubnets(this, `private-subnets-${zone}`, {
          filter: [
            { name: 'vpc-id', values: [vpc.id] },
            { name: 'availability-zone', values: [zone] },
            explicit ? { name: 'subnet-id', values: explicit } : { name: `tag:${dep.subnetTag.key}`, values: [dep.subnetTag.value] },
          ],
          lifecycle: {
            postcondition: [
              {
                condition: '${length(self.ids) > 0}',
                errorMessage: explicit
                  ? `${env.name}: none of ${P}SUBNET_IDS (${explicit.join(',')}) is in zone ${zone} of the VPC, where a cache node is placed; add a subnet of ${zone} or change ${P}AVAILABILITY_ZONES.`
                  : `${env.name}: no subnet tagged ${dep.subnetTag.key}=${dep.subnetTag.value} in zone ${zone} of the VPC, where a cache node is placed; tag one, or set ${P}SUBNET_IDS (or ${P}SUBNET_TAG, ${P}AVAILABILITY_ZONES).`,
              },
            ],
          },
        }),
    );
    if (explicit) {
      new DataAwsSubnets(this, 'private-subnets', {
        filter: [
          { name: 'vpc-id', values: [vpc.id] },
          { name: 'subnet-id', values: explicit },
        ],
        lifecycle: {
          postcondition: [
            {
              condition: `\${length(self.ids) == ${explicit.length}}`,
              errorMessage: `${env.name}: every subnet of ${P}SUBNET_IDS (${explicit.join(',')}) must exist in the cache's VPC.`,
            },
          ],
        },
      });
    }
    const subnetIds = explicit ?? Token.asList(Fn.flatten(perZone.map((s) => s.ids)));

    if (!this.protectedEnvironment) return { vpcId: vpc.id, vpcCidrBlock: vpc.cidrBlock, subnetIds };

    // protected: the clients, as a variable whose validation stops the plan when none is named
    const access = new TerraformVariable(this, 'client_access', {
      type: 'object({ security_group_ids = list(string), cidrs = list(string) })',
      nullable: false,
      description: 'Who may connect to the cache port: client security groups and private CIDR ranges (never the whole VPC)',
      default: { security_group_ids: [...dep.clientSecurityGroupIds], cidrs: [...dep.clientCidrs] },
      validation: [
        {
          condition: '${length(var.client_access.security_group_ids) + length(var.client_access.cidrs) > 0}',
          errorMessage: `${env.name}: no client named: only the application may reach its cache (guide 001). Set ${P}CLIENT_SECURITY_GROUP_IDS (e.g. sg-0123456789abcdef0) or ${P}CLIENT_CIDRS (e.g. 10.0.32.0/20) and synthesize again, or pass -var 'client_access={security_group_ids=["sg-…"], cidrs=[]}' to cdktf deploy.`,
        },
        {
          condition: '${alltrue([for c in var.client_access.cidrs : can(cidrhost(c, 0)) && !endswith(c, "/0")])}',
          errorMessage: `${env.name}: client_access.cidrs must be CIDR ranges, none of them /0.`,
        },
        {
          condition: '${alltrue([for g in var.client_access.security_group_ids : startswith(g, "sg-")])}',
          errorMessage: `${env.name}: client_access.security_group_ids must be security group ids (sg-…).`,
        },
      ],
    });
    access.overrideLogicalId('client_access');
    return {
      vpcId: vpc.id,
      vpcCidrBlock: vpc.cidrBlock,
      subnetIds,
      clientAccess: {
        securityGroupIds: Token.asList(ref('var.client_access.security_group_ids', this)),
        cidrs: Token.asList(ref('var.client_access.cidrs', this)),
      },
    };
  }
}

/** `3 shards × (1 + 2) cache.m7g.xlarge` */
export function layoutText(p: SizingPlan): string {
  return `${p.shards} shard${p.shards === 1 ? '' : 's'} × (1 + ${p.replicasPerShard}) ${p.nodeType.name}`;
}

/**
 * The stack output `cluster_mode_move` (config/cluster-mode.ts CLUSTER_MODE_OUTPUT): the step, the next one, what it
 * does and what must come first, the layout now and at the end of the move. Undefined when no move is needed or
 * underway (a group that stays with one shard, or a group created in cluster mode).
 */
export function clusterModeMove(plan: SizingPlan): Record<string, string> | undefined {
  const step = plan.clusterModeStep;
  if (!plan.clusterModeNeeded && (step === 'single-shard' || step === 'resharded')) return undefined;
  const next = nextClusterModeStep(step);
  const spec = CLUSTER_MODE_STEP_SPECS[step];
  return {
    step,
    step_number: `${spec.number} of ${Object.keys(CLUSTER_MODE_STEP_SPECS).length}`,
    now: layoutText(plan),
    target: plan.target ? layoutText(plan.target) : layoutText(plan),
    secret: spec.secret,
    next: next ?? '',
    next_does: next ? CLUSTER_MODE_STEP_SPECS[next].does : '',
    before_next: next ? CLUSTER_MODE_STEP_SPECS[next].before : '',
    next_secret: next ? CLUSTER_MODE_STEP_SPECS[next].secret : '',
  };
}
