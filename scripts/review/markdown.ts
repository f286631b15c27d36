/** The review as markdown, for the terminal and for a pull-request comment. */
import { FORCE_NEW, ForceNewEntry } from '../../config/force-new';
import { HOURS_PER_MONTH } from '../../config/node-catalog';
import { describeRules } from '../../constructs/guardrails/runner';
import { Action, ResourceChange } from './diff';
import { canonical } from './replacement';
import { Review, StackReview } from './review';
import { CacheSummary, ClientSummary, NotificationSummary } from './summary';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Who receives what, without printing an address or a URL path. */
function notificationText(n: NotificationSummary): string {
  const who = [
    plural(n.emails, 'e-mail address', 'e-mail addresses'),
    `${plural(n.httpsHosts.length, 'HTTPS endpoint')}${n.httpsHosts.length ? ` (${[...new Set(n.httpsHosts)].join(', ')})` : ''}`,
    `${plural(n.topicArns.length, 'existing topic')}${n.topicArns.length ? ` (${n.topicArns.join(', ')})` : ''}`,
  ].join(', ');
  const source = n.variable ? ` from variable \`${n.variable}\` (synthesized default)` : '';
  const rule = n.requiredAtPlan ? '; an empty list fails the plan' : n.total === 0 ? '; **nobody is paged**' : '';
  const events = n.eventsTopic
    ? `events → ${n.eventsTopic.name}${n.eventsTopic.encrypted ? ' **(encrypted: ElastiCache cannot publish)**' : ' (unencrypted)'}, to the e-mail and HTTPS subscribers`
    : 'events → **no topic**';
  return `alarms → ${n.alarmTopics.join(', ') || '**no topic**'}; ${events}. Subscribers${source}: ${who}${rule}`;
}

function clientText(c: ClientSummary): string {
  if (c.wholeVpc) return `**the whole VPC range**${c.securityGroups ? ` and ${plural(c.securityGroups, 'security group')}` : ''}`;
  const named = `${plural(c.securityGroups, 'security group')}, ${plural(c.cidrs.length, 'CIDR range')}${c.cidrs.length ? ` (${c.cidrs.join(', ')})` : ''}`;
  return `${named}${c.variable ? ` from variable \`${c.variable}\` (synthesized default)` : ''}${c.requiredAtPlan ? '; none fails the plan' : ''}`;
}

const usd = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const signedUsd = (n: number) => (n > 0 ? `+${usd(n)}` : n < 0 ? `−${usd(-n)}` : usd(0));
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const onOff = (b: boolean) => (b ? 'on' : '**off**');

const MAX_VALUE = 60;

function shortValue(v: unknown): string {
  if (v === undefined || v === null) return '(unset)';
  const s = typeof v === 'string' ? JSON.stringify(v) : canonical(v);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

/** `before → after`, long values cut around where they first differ, so the difference stays visible. */
function valueChange(before: unknown, after: unknown): string {
  const b = before === undefined || before === null ? undefined : typeof before === 'string' ? JSON.stringify(before) : canonical(before);
  const a = after === undefined || after === null ? undefined : typeof after === 'string' ? JSON.stringify(after) : canonical(after);
  if (b === undefined || a === undefined || (b.length <= MAX_VALUE && a.length <= MAX_VALUE))
    return `${shortValue(before)} → ${shortValue(after)}`;
  let i = 0;
  while (i < b.length && i < a.length && b[i] === a[i]) i++;
  const start = Math.max(0, i - 20);
  const cut = (x: string) => `${start > 0 ? '…' : ''}${x.slice(start, start + MAX_VALUE)}${x.length > start + MAX_VALUE ? '…' : ''}`;
  return `${cut(b)} → ${cut(a)}`;
}

function cacheTable(c: CacheSummary, priceDate: string, priceRegion: string): string {
  const nodes =
    c.totalNodes === null
      ? 'unknown at synth time'
      : `${c.shards} shard${c.shards === 1 ? '' : 's'} × ${c.nodesPerShard} node${c.nodesPerShard === 1 ? '' : 's'} (${c.totalNodes} in all; cluster mode ${c.clusterMode ? 'enabled' : 'disabled'})`;
  const alarms = c.alarms.length
    ? c.alarms
        .map(
          (a) =>
            `${a.metric} ${a.comparison} ${a.thresholdText} (${a.nodes} node${a.nodes === 1 ? '' : 's'}${a.withActions < a.nodes ? `, ${a.nodes - a.withActions} without actions` : ''})`,
        )
        .join('; ')
    : '**none**';
  const cost =
    c.monthlyCostUsd === null
      ? `unknown: ${c.nodeType} / ${c.engine} is not in config/node-catalog.ts`
      : `${usd(c.monthlyCostUsd)} / month on demand (${c.totalNodes} × ${c.nodeType} at $${c.hourlyUsdPerNode}/h × ${HOURS_PER_MONTH} h; ${priceRegion} prices of ${priceDate})`;
  const rows: Array<[string, string]> = [
    ['Engine', `${c.engine} ${c.engineVersion}`],
    ['Node type', `${c.nodeType}${c.vcpu !== null ? ` (${c.vcpu} vCPU, ${c.memoryGiB} GiB)` : ''}`],
    ['Shards × nodes', nodes],
    ['Cluster mode move', c.clusterModeStep?.text ?? 'unknown at synth time'],
    [
      'Data memory',
      c.dataGiB === null ? 'unknown' : `${c.dataGiB.toFixed(2)} GiB (after reserved-memory-percent ${c.reservedMemoryPercent})`,
    ],
    [
      'Encryption at rest',
      c.encryptionAtRest.enabled
        ? `on, ${c.encryptionAtRest.customerManaged ? 'customer-managed KMS key' : '**not a customer-managed key**'}`
        : '**off**',
    ],
    ['Encryption in transit', c.encryptionInTransit.enabled ? `on, mode ${c.encryptionInTransit.mode ?? '(unset)'}` : '**off**'],
    ['Authentication', c.authentication],
    ['Multi-AZ', `${onOff(c.multiAz)} (automatic failover ${onOff(c.automaticFailover)})`],
    [
      'Backups',
      c.backups.retentionDays > 0
        ? `${c.backups.retentionDays} day${c.backups.retentionDays === 1 ? '' : 's'}, window ${c.backups.window ?? '(AWS default)'} UTC; final snapshot ${c.backups.finalSnapshot ?? '**none**'}`
        : `**off**; final snapshot ${c.backups.finalSnapshot ?? '**none**'}`,
    ],
    ['Maintenance window', c.maintenanceWindow ? `${c.maintenanceWindow} UTC` : '(AWS default)'],
    ['Clients (cache port)', clientText(c.clients)],
    ['Who receives what', notificationText(c.notifications)],
    ['Alarms (metric → threshold)', alarms],
    ['Monthly cost', cost],
  ];
  return [`| \`${c.replicationGroupId}\` | |`, '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`)].join('\n');
}

/** Changes of one kind to more resources than this are one row in the markdown (the JSON lists each). */
const GROUP_ROWS_ABOVE = 3;

function changeRow(r: ResourceChange): string {
  const what =
    r.action === 'create'
      ? 'created'
      : r.action === 'delete'
        ? 'deleted'
        : r.attributes
            .map((a) => {
              const mark = a.replaces ? ` **forces replacement**${a.reason ? ` (${a.reason})` : ''}` : a.reason ? ` (${a.reason})` : '';
              return `\`${a.attribute}\`: ${valueChange(a.before, a.after)}${mark}`;
            })
            .join('<br>');
  const notes = r.notes.length ? `<br>${r.notes.map((n) => `_${n}_`).join('<br>')}` : '';
  return `| \`${r.resource}\` | ${r.action === 'replace' || r.action === 'delete' ? `**${r.action}**` : r.action} | ${cell(what)}${cell(notes)} |`;
}

function groupRow(g: readonly ResourceChange[]): string {
  const { type, action } = g[0];
  const names = g
    .slice(0, GROUP_ROWS_ABOVE)
    .map((r) => r.resource.slice(type.length + 1))
    .join(', ');
  const which = `${names}${g.length > GROUP_ROWS_ABOVE ? ` and ${g.length - GROUP_ROWS_ABOVE} more` : ''}`;
  const what =
    action === 'create'
      ? 'created'
      : action === 'delete'
        ? 'deleted'
        : `${g[0].attributes.map((a) => `\`${a.attribute}\``).join(', ')} changed in place, e.g. ${g[0].attributes.map((a) => valueChange(a.before, a.after)).join('; ')}`;
  return `| ${g.length} × \`${type}\` | ${action === 'delete' ? '**delete**' : action} | ${cell(`${what} (${which})`)} |`;
}

function changesTable(s: StackReview): string {
  // replacements and anything with a note stand alone; other changes of one type and one set of arguments are grouped
  const rows: Array<ResourceChange | ResourceChange[]> = [];
  const groups = new Map<string, ResourceChange[]>();
  for (const r of s.resources) {
    if (r.action === 'replace' || r.notes.length) {
      rows.push(r);
      continue;
    }
    const key = `${r.action}|${r.type}|${r.attributes.map((a) => a.attribute).join(',')}`;
    let group = groups.get(key);
    if (!group) {
      group = [];
      groups.set(key, group);
      rows.push(group);
    }
    group.push(r);
  }
  const lines = rows.flatMap((x) => (!Array.isArray(x) ? [changeRow(x)] : x.length > GROUP_ROWS_ABOVE ? [groupRow(x)] : x.map(changeRow)));
  return ['| resource | action | change |', '|---|---|---|', ...lines].join('\n');
}

function stackSection(s: StackReview, r: Review): string {
  const out: string[] = [`## ${s.stack}${s.environment !== s.stack ? ` (${s.environment})` : ''}`];
  if (s.status === 'removed') out.push('**This stack is removed**: everything it deploys is destroyed.');
  const t = s.summary.deploymentTarget;
  if (t) {
    out.push(
      `Deploys to **${t.region}** (${t.regionFrom === 'AWS_REGION' ? 'AWS_REGION' : 'default: AWS_REGION unset'}); state: ${t.state}${t.state.startsWith('s3://') ? '' : ' (CACHE_STATE_BUCKET unset)'}.`,
    );
  }
  if (s.summary.caches.length) {
    for (const c of s.summary.caches) out.push(cacheTable(c, r.priceDate, r.priceRegion));
  } else {
    const counts = Object.entries(s.summary.resourceCounts)
      .map(([t, n]) => `${n} × ${t}`)
      .join(', ');
    out.push(`No ElastiCache replication group (nothing priced). Resources: ${counts || 'none'}.`);
  }
  out.push(
    s.violations.length
      ? `**Guardrails: ${s.violations.length} violation${s.violations.length === 1 ? '' : 's'}**\n\n${s.violations.map((v) => `- ❌ \`${v.rule}\` ${v.resource}: ${v.message}`).join('\n')}`
      : '**Guardrails:** ✅ all pass',
  );
  if (s.notices.length) out.push(s.notices.map((n) => `> ⚠️ ${n}`).join('\n'));
  if (r.base !== null) {
    const delta =
      s.costDeltaUsd === null
        ? ''
        : `Cost: ${usd(s.baseMonthlyCostUsd ?? 0)} → ${usd(s.monthlyCostUsd)} per month (${signedUsd(s.costDeltaUsd)}).`;
    if (!s.resources.length) {
      out.push(`**Against base:** no change. ${delta}`);
    } else {
      const warn = s.warnings.map((w) => `> ⚠️ ${w}`).join('\n');
      out.push([`**Against base:** ${countActions(s)}. ${delta}`, warn, changesTable(s)].filter(Boolean).join('\n\n'));
    }
  }
  return out.join('\n\n');
}

function countActions(s: StackReview): string {
  const n = (a: Action) => s.resources.filter((r) => r.action === a).length;
  const cbd = s.resources.filter((r) => r.createBeforeDestroy).length;
  const parts = (
    [
      ['replace', 'replaced'],
      ['delete', 'deleted'],
      ['update', 'updated'],
      ['create', 'created'],
    ] as Array<[Action, string]>
  )
    .filter(([a]) => n(a))
    .map(([a, word]) => `${n(a)} ${word}${a === 'replace' && cbd ? ` (${cbd === n(a) ? '' : `${cbd} `}create-before-destroy)` : ''}`);
  return parts.join(', ') || 'no change';
}

/** The review as markdown, for the terminal and for a pull-request comment. */
export function renderMarkdown(r: Review): string {
  const head = [
    '# Plan review',
    '',
    `Costs: on-demand ${r.priceRegion} prices of ${r.priceDate} (config/node-catalog.ts), 730 h/month.${r.base !== null ? ` Compared with \`${r.base}\`.` : ''}`,
    '',
    `| stack | environment | monthly cost |${r.base !== null ? ' vs base | changes |' : ''} guardrails |`,
    `|---|---|---|${r.base !== null ? '---|---|' : ''}---|`,
    ...r.stacks.map((s) => {
      const dataLoss = s.resources.some((x) => x.dataLoss)
        ? ' ⚠️ **data loss**'
        : s.resources.some((x) => x.action === 'replace' && (FORCE_NEW[x.type] as ForceNewEntry | undefined)?.losesData)
          ? ' ⚠️ data store replaced'
          : '';
      const base =
        r.base !== null
          ? ` ${s.costDeltaUsd === null ? '' : signedUsd(s.costDeltaUsd)} | ${s.status === 'removed' ? 'stack removed' : s.status === 'added' ? 'new stack' : countActions(s)}${dataLoss} |`
          : '';
      return `| ${s.stack} | ${s.environment} | ${usd(s.monthlyCostUsd)} |${base} ${s.violations.length ? `❌ ${s.violations.length}` : '✅'} |`;
    }),
    '',
    r.ok ? 'All guardrails pass.' : `**${r.violationCount} guardrail violation${r.violationCount === 1 ? '' : 's'}: the review fails.**`,
  ].join('\n');
  const rules = [
    '<details><summary>Guardrails checked</summary>',
    '',
    '| rule | requires | applies to | source |',
    '|---|---|---|---|',
    ...describeRules().map((d) => `| \`${d.rule}\` | ${cell(d.requires)} | ${d.scope} | ${cell(d.source)} |`),
    '',
    '</details>',
  ].join('\n');
  return [head, ...r.stacks.map((s) => stackSection(s, r)), rules].join('\n\n') + '\n';
}
