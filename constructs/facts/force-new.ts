/**
 * Which Terraform arguments force a resource to be replaced: the data behind the plan review's replacement
 * warnings of a plan review and the guardrail `create-before-destroy-names`. Nothing here is guessed: every entry is copied from
 * docs/reference/force-new.md (read from the providers' Go source: AWS v6.58.0, random v3.9.0,
 * docker v4.5.0), and the comment above each entry names its section there. The ElastiCache entries were checked
 * against the source of the pinned AWS build (6.47.0, commit 5f2286d6d836: replication_group.go, parameter_group.go,
 * user.go, user_group.go): the same, except `durability`, which 6.47.0 does not have yet.
 *
 * - `attributes`: arguments whose change always replaces the resource. A nested argument is `block.arg`;
 *   when a block itself is listed, any change inside it replaces.
 * - `conditional`: arguments that replace only under a condition (CustomizeDiff / ModifyPlan); the kinds are
 *   evaluated by whoever reads the table (a plan review).
 * - `losesData`: replacing (or deleting) the resource loses the data it holds, unless `unlessSet` was set.
 * - `tags` / `tags_all` never force replacement (force-new.md, introduction).
 * Arguments newer than the library's bindings (AWS 6.25: `durability`, the secret `type`) are kept: harmless.
 */

export type ConditionalReplacement =
  /** Replaces when the value changes, except for the listed in-place transitions, or when `unlessSet` is set. */
  | { readonly kind: 'engine-change'; readonly inPlace: ReadonlyArray<readonly [from: string, to: string]>; readonly unlessSet: string }
  /** Replaces on a version downgrade (upgrades are in place), unless `unlessSet` is set. */
  | { readonly kind: 'version-downgrade'; readonly unlessSet: string }
  /** Replaces when the value changes while the running engine version is below `minInPlaceVersion`. */
  | { readonly kind: 'below-engine-version'; readonly versionAttribute: string; readonly minInPlaceVersion: string }
  /** The replication group's node_group_configuration rules (set emptied/filled, count, ids, replicas, slots, zones). */
  | { readonly kind: 'node-group-configuration' }
  /** Replaces when the rule's source kind (which of `sources` is set) changes. */
  | { readonly kind: 'source-kind-change'; readonly sources: readonly string[] }
  /** random_password `keepers`: replaces unless the difference is only null-valued entries. */
  | { readonly kind: 'map-unless-only-nulls' }
  /** Replaces on any change except `""` → unset. */
  | { readonly kind: 'unless-empty-to-unset' }
  /** Per-resource `region`: replaces unless it goes between unset and the provider's region. */
  | { readonly kind: 'region' };

export interface ForceNewEntry {
  readonly attributes: readonly string[];
  readonly conditional?: Readonly<Record<string, ConditionalReplacement>>;
  readonly losesData?: { readonly unlessSet?: string };
}

/**
 * force-new.md, "A rule that applies to every AWS resource below (6.x)": changing the per-resource `region`
 * replaces, except going between unset and the provider's configured region. Applies to every `aws_*` type.
 */
export const AWS_RESOURCE_CONDITIONAL: Readonly<Record<string, ConditionalReplacement>> = {
  region: { kind: 'region' },
};

/**
 * Guardrail `create-before-destroy-names`: the argument that names a resource, in order of preference (the first
 * ForceNew one the resource sets). `*_prefix` names are generated and never collide.
 */
export const CBD_NAME_ATTRIBUTES = [
  'name',
  'name_prefix',
  'alarm_name',
  'dashboard_name',
  'replication_group_id',
  'user_id',
  'user_group_id',
] as const;

/**
 * Words a ForceNew argument may hold that are not in the name, because they never change (e.g. "parameters" in a
 * parameter group's description). Anything else must be a word of the name.
 */
export const CBD_NAME_FILLER_WORDS = ['parameters', 'parameter', 'group', 'for', 'of', 'the', 'mode', 'cluster'] as const;

export const FORCE_NEW: Readonly<Record<string, ForceNewEntry>> = {
  // force-new.md § aws_elasticache_replication_group: "ForceNew" list and "Conditional replacement (CustomizeDiff)" 1–4.
  // Replacing the group destroys its data; the provider takes `final_snapshot_identifier` on delete.
  aws_elasticache_replication_group: {
    attributes: [
      'at_rest_encryption_enabled',
      'data_tiering_enabled',
      'durability',
      'global_replication_group_id',
      'kms_key_id',
      'network_type',
      'port',
      'replication_group_id',
      'security_group_names',
      'snapshot_arns',
      'snapshot_name',
      'subnet_group_name',
    ],
    conditional: {
      // 1. engine changes replace, except redis → valkey (in place) or in a global replication group
      engine: { kind: 'engine-change', inPlace: [['redis', 'valkey']], unlessSet: 'global_replication_group_id' },
      // 2. engine_version downgrade replaces (6.x read as 6.<max>); upgrades are in place
      engine_version: { kind: 'version-downgrade', unlessSet: 'global_replication_group_id' },
      // 4. transit_encryption_enabled replaces while engine_version_actual < 7.0.5; in place from 7.0.5 up
      transit_encryption_enabled: { kind: 'below-engine-version', versionAttribute: 'engine_version', minInPlaceVersion: '7.0.5' },
      // 3. node_group_configuration (ForceNewIf)
      node_group_configuration: { kind: 'node-group-configuration' },
    },
    losesData: { unlessSet: 'final_snapshot_identifier' },
  },
  // force-new.md § aws_elasticache_parameter_group (the construct sets create_before_destroy on it).
  aws_elasticache_parameter_group: { attributes: ['name', 'family', 'description'] },
  // force-new.md § aws_elasticache_subnet_group
  aws_elasticache_subnet_group: { attributes: ['name'] },
  // force-new.md § aws_elasticache_user
  aws_elasticache_user: { attributes: ['user_id', 'user_name'] },
  // force-new.md § aws_elasticache_user_group (v6.58.0 and the pinned 6.47.0: user_group_id, not engine)
  aws_elasticache_user_group: { attributes: ['user_group_id'] },
  // force-new.md § aws_security_group (nested ingress.* / egress.* are changed in place)
  aws_security_group: { attributes: ['name', 'name_prefix', 'description', 'vpc_id'] },
  // force-new.md § aws_vpc_security_group_ingress_rule / aws_vpc_security_group_egress_rule
  aws_vpc_security_group_ingress_rule: {
    attributes: ['security_group_id'],
    conditional: sourceKindRules(),
  },
  aws_vpc_security_group_egress_rule: {
    attributes: ['security_group_id'],
    conditional: sourceKindRules(),
  },
  // force-new.md § aws_kms_key
  aws_kms_key: { attributes: ['custom_key_store_id', 'customer_master_key_spec', 'key_usage', 'multi_region', 'xks_key_id'] },
  // force-new.md § aws_kms_alias
  aws_kms_alias: { attributes: ['name', 'name_prefix'] },
  // force-new.md § aws_secretsmanager_secret
  aws_secretsmanager_secret: { attributes: ['name', 'name_prefix', 'type'] },
  // force-new.md § aws_secretsmanager_secret_version: secret_id, secret_binary; secret_string replaces when it
  // changes (CustomizeDiff, "config secret_string known, non-empty and different from state"; unknown → replace).
  aws_secretsmanager_secret_version: { attributes: ['secret_id', 'secret_binary', 'secret_string', 'secret_string_wo_version'] },
  // force-new.md § aws_cloudwatch_metric_alarm
  aws_cloudwatch_metric_alarm: { attributes: ['alarm_name'] },
  // force-new.md § aws_cloudwatch_log_group
  aws_cloudwatch_log_group: { attributes: ['name', 'name_prefix', 'log_group_class'] },
  // force-new.md § aws_cloudwatch_dashboard
  aws_cloudwatch_dashboard: { attributes: ['dashboard_name'] },
  // force-new.md § aws_sns_topic
  aws_sns_topic: { attributes: ['name', 'name_prefix', 'fifo_topic'] },
  // force-new.md § aws_sns_topic_subscription
  aws_sns_topic_subscription: { attributes: ['topic_arn', 'protocol', 'endpoint'] },
  // force-new.md § aws_sns_topic_policy
  aws_sns_topic_policy: { attributes: ['arn'] },
  // force-new.md § random_password (RequiresReplace, and the conditional keepers / override_special)
  random_password: {
    attributes: ['length', 'special', 'upper', 'lower', 'number', 'numeric', 'min_numeric', 'min_upper', 'min_lower', 'min_special'],
    conditional: {
      keepers: { kind: 'map-unless-only-nulls' },
      override_special: { kind: 'unless-empty-to-unset' },
    },
  },
  // random_id: not in force-new.md; read from hashicorp/terraform-provider-random internal/provider/resource_id.go
  // @ 04572027: byte_length and prefix RequiresReplace, keepers RequiresReplaceIfValuesNotNull (as random_password).
  // The construct keys the final snapshot's name suffix on it.
  random_id: {
    attributes: ['byte_length', 'prefix'],
    conditional: { keepers: { kind: 'map-unless-only-nulls' } },
  },
  // force-new.md § docker_container: top level and the explicitly flagged nested arguments
  docker_container: {
    attributes: [
      'name',
      'read_only',
      'image',
      'hostname',
      'domainname',
      'command',
      'entrypoint',
      'user',
      'dns',
      'dns_opts',
      'dns_search',
      'publish_all_ports',
      'working_dir',
      'capabilities',
      'security_opts',
      'runtime',
      'platform',
      'stop_signal',
      'stop_timeout',
      'mounts',
      'volumes',
      'ports',
      'host',
      'ulimit',
      'env',
      'privileged',
      'devices',
      'device_requests',
      'labels',
      'shm_size',
      'log_driver',
      'log_opts',
      'network_mode',
      'networks_advanced',
      'pid_mode',
      'userns_mode',
      'upload',
      'sysctls',
      'ipc_mode',
      'group_add',
      'tty',
      'stdin_open',
      'storage_opts',
      'gpus',
      'cpus',
      'cgroupns_mode',
      'cgroup_parent',
      'capabilities.add',
      'capabilities.drop',
      'mounts.volume_options.subpath',
      'mounts.tmpfs_options',
      'volumes.from_container',
      'volumes.container_path',
      'volumes.host_path',
      'volumes.volume_name',
      'volumes.read_only',
      'volumes.selinux_relabel',
      'ports.internal',
      'ports.external',
      'ports.ip',
      'ports.protocol',
      'host.host',
      'host.ip',
      'ulimit.name',
      'ulimit.soft',
      'ulimit.hard',
      'devices.host_path',
      'devices.container_path',
      'devices.permissions',
      'device_requests.driver',
      'device_requests.count',
      'device_requests.device_ids',
      'device_requests.capabilities',
      'device_requests.options',
      'networks_advanced.name',
      'networks_advanced.aliases',
      'networks_advanced.ipv4_address',
      'networks_advanced.ipv6_address',
      'networks_advanced.link_local_ips',
      'networks_advanced.mac_address',
      'networks_advanced.driver_opts',
      'networks_advanced.gw_priority',
      'upload.content',
      'upload.content_base64',
      'upload.file',
      'upload.executable',
      'upload.permissions',
      'upload.source',
      'upload.source_hash',
    ],
  },
  // force-new.md § docker_image: top level, and the flagged arguments inside `build` (the block itself is not)
  docker_image: {
    attributes: [
      'name',
      'pull_triggers',
      'triggers',
      'platform',
      'build.dockerfile',
      'build.context',
      'build.additional_contexts',
      'build.secrets.id',
      'build.secrets.src',
      'build.secrets.env',
      'build.suppress_output',
      'build.remote_context',
      'build.no_cache',
      'build.force_remove',
      'build.pull_parent',
      'build.isolation',
      'build.cpu_set_cpus',
      'build.cpu_set_mems',
      'build.cpu_shares',
      'build.cpu_quota',
      'build.cpu_period',
      'build.memory',
      'build.memory_swap',
      'build.cgroup_parent',
      'build.network_mode',
      'build.shm_size',
      'build.ulimit.name',
      'build.ulimit.hard',
      'build.ulimit.soft',
      'build.build_args',
      'build.labels',
      'build.squash',
      'build.cache_from',
      'build.cache_to',
      'build.security_opt',
      'build.extra_hosts',
      'build.target',
      'build.session_id',
      'build.platform',
      'build.version',
      'build.build_id',
      'build.use_legacy_builder',
      'build.builder',
      'build.build_log_file',
      'build.provenance',
      'build.sbom',
    ],
  },
  // force-new.md § docker_volume; the volume's data goes with it
  docker_volume: {
    attributes: [
      'name',
      'labels',
      'driver',
      'driver_opts',
      'cluster.scope',
      'cluster.sharing',
      'cluster.type',
      'cluster.topology_preferred',
      'cluster.topology_required',
      'cluster.required_bytes',
      'cluster.limit_bytes',
      'cluster.group',
    ],
    losesData: {},
  },
};

/** force-new.md § aws_vpc_security_group_ingress_rule: changing the source kind replaces on the old and new attribute. */
function sourceKindRules(): Record<string, ConditionalReplacement> {
  const sources = ['cidr_ipv4', 'cidr_ipv6', 'prefix_list_id', 'referenced_security_group_id'];
  return Object.fromEntries(sources.map((s) => [s, { kind: 'source-kind-change', sources }]));
}
