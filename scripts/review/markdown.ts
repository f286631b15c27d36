/** The review as markdown, for the terminal and for a pull-request comment. */
import { HOURS_PER_MONTH } from '../../constructs/facts/node-catalog';
import { describeRules } from '../../constructs/guardrails/runner';
import { PROJECT_RULES } from '../../stacks/guardrails';
import { Action, AttributeChange, ResourceChange } from './diff';
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
      ? `unknown: ${c.nodeType} / ${c.engine} is not in constructs/facts/node-catalog.ts`
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

/** A note that the stack's warnings above already say in full, shortened in the row. */
function rowNote(n: string): string {
  if (n.startsWith('DEFERRED')) return 'DEFERRED to the maintenance window (see above)';
  if (n.startsWith('REFUSED')) return 'REFUSED without apply_immediately (see above)';
  return n;
}

function attributeText(a: AttributeChange): string {
  const mark = a.replaces ? ` **forces replacement**${a.reason ? ` (${a.reason})` : ''}` : a.reason ? ` (${a.reason})` : '';
  const change = a.sensitive ? '(sensitive value changed; not shown)' : valueChange(a.before, a.after);
  return `\`${a.attribute}\`: ${change}${mark}`;
}

function changeRow(r: ResourceChange): string {
  const what =
    r.action === 'create'
      ? 'created'
      : r.action === 'delete'
        ? r.forget
          ? 'removed from the state (the object stays)'
          : 'deleted'
        : r.attributes.map(attributeText).join('<br>');
  const notes = r.notes.length ? `<br>${r.notes.map((n) => `_${rowNote(n)}_`).join('<br>')}` : '';
  return `| \`${r.resource}\` | ${r.action === 'replace' || r.action === 'delete' ? `**${r.action}**` : r.action} | ${cell(what)}${cell(notes)} |`;
}

/** A node type change of the stack's replication group: the text every alarm description names changes with it. */
interface NodeTypeChange {
  readonly before: string;
  readonly after: string;
}

function nodeTypeChangeOf(s: StackReview): NodeTypeChange | undefined {
  for (const r of s.resources) {
    const a = r.attributes.find((x) => x.attribute === 'node_type');
    if (a && typeof a.before === 'string' && typeof a.after === 'string' && a.before !== a.after)
      return { before: a.before, after: a.after };
  }
  return undefined;
}

/** Every change of the group is the node type's name in a text (alarm descriptions name the node type). */
function causedByNodeType(g: readonly ResourceChange[], nt: NodeTypeChange | undefined): boolean {
  if (!nt || g[0].action !== 'update') return false;
  return g.every((r) =>
    r.attributes.every(
      (a) =>
        typeof a.before === 'string' &&
        typeof a.after === 'string' &&
        a.before.includes(nt.before) &&
        a.before.split(nt.before).join(nt.after) === a.after,
    ),
  );
}

function groupRow(g: readonly ResourceChange[], nt?: NodeTypeChange): string {
  const { type, action } = g[0];
  const names = g
    .slice(0, GROUP_ROWS_ABOVE)
    .map((r) => r.resource.slice(type.length + 1))
    .join(', ');
  const which = `${names}${g.length > GROUP_ROWS_ABOVE ? ` and ${g.length - GROUP_ROWS_ABOVE} more` : ''}`;
  const args = g[0].attributes.map((a) => `\`${a.attribute}\``).join(', ');
  const what =
    action === 'create'
      ? 'created'
      : action === 'delete'
        ? 'deleted'
        : nt && causedByNodeType(g, nt)
          ? `${args} updated in place only because ${g.length === 1 ? 'it names' : 'they name'} the node type (${nt.before} → ${nt.after})`
          : `${args} changed in place, e.g. ${g[0].attributes.map((a) => (a.sensitive ? '(sensitive)' : valueChange(a.before, a.after))).join('; ')}`;
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
  const nt = nodeTypeChangeOf(s);
  const lines = rows.flatMap((x) =>
    !Array.isArray(x) ? [changeRow(x)] : x.length > GROUP_ROWS_ABOVE || causedByNodeType(x, nt) ? [groupRow(x, nt)] : x.map(changeRow),
  );
  return ['| resource | action | change |', '|---|---|---|', ...lines].join('\n');
}

function driftSection(s: StackReview): string {
  const drift = s.plan?.drift ?? [];
  if (!drift.length) return '';
  const lines = drift.map((d) => {
    const topics = d.topics.length ? `⚠️ **${d.topics.join(', ')}** ` : '';
    const what =
      d.action === 'delete'
        ? 'deleted outside Terraform'
        : `changed outside Terraform: ${d.attributes.map((a) => attributeText(a)).join('; ')}`;
    return `- ${topics}\`${d.resource}\` ${what}; ${d.thisApply}`;
  });
  return [`**Drift** (what the plan's refresh found changed outside Terraform; ${plural(drift.length, 'resource')}):`, '', ...lines].join(
    '\n',
  );
}

function predictionSection(s: StackReview): string {
  const p = s.plan?.prediction;
  if (!p) return '';
  const parts = [
    `**Offline prediction held to this plan:** agrees on ${plural(p.agreed.length, 'changed resource')}`,
    p.differs.length
      ? `; **differs on ${p.differs.length}**: ${p.differs.map((d) => `\`${d.resource}\` predicted ${d.predicted}, planned ${d.planned}`).join('; ')}`
      : '; differs on none',
    p.unproven.length
      ? `; ${p.unproven.length} not provable from this state (${p.unproven
          .slice(0, 5)
          .map((u) => `\`${u.resource}\` ${u.predicted}`)
          .join(', ')}${p.unproven.length > 5 ? ` and ${p.unproven.length - 5} more` : ''}: ${p.unproven[0].why})`
      : '',
  ];
  return `${parts.join('')}.`;
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
  const g = s.guardrails;
  const packs = g.packs.length ? ` (packs ${g.packs.join(', ')})` : '';
  out.push(
    [
      s.violations.length
        ? `**Guardrails${packs}: ${s.violations.length} violation${s.violations.length === 1 ? '' : 's'}**\n\n${s.violations.map((v) => `- ❌ \`${v.rule}\` ${v.resource}: ${v.message}`).join('\n')}`
        : `**Guardrails${packs}:** ✅ all pass`,
      ...g.warnings.map((v) => `- ⚠️ warning \`${v.rule}\` ${v.resource}: ${v.message}`),
      ...g.suppressed.map((v) => `- 🔕 suppressed \`${v.rule}\` ${v.resource}: ${v.message} — **reason:** ${v.reason}`),
    ].join('\n'),
  );
  if (s.source === 'plan' || r.base !== null) {
    const delta =
      s.costDeltaUsd === null
        ? ''
        : `Cost: ${usd(s.baseMonthlyCostUsd ?? 0)} → ${usd(s.monthlyCostUsd)} per month (${signedUsd(s.costDeltaUsd)}).`;
    const from =
      s.source === 'plan' && s.plan
        ? `**From the plan** \`${s.plan.file}\` (${s.plan.engine}, format ${s.plan.formatVersion}):`
        : '**Against base** (offline prediction):';
    const planNotes = (s.plan?.notes ?? []).map((n) => `> ${n}`).join('\n');
    const first = s.callouts.length ? `> ⛔ ${plural(s.callouts.length, 'data-loss call-out')} at the top of this review.` : '';
    if (!s.resources.length) {
      out.push([`${from} no change. ${delta}`, planNotes].filter(Boolean).join('\n\n'));
    } else {
      const warn = s.warnings.map((w) => `> ⚠️ ${w}`).join('\n');
      out.push([`${from} ${countActions(s)}. ${delta}`, planNotes, first, warn, changesTable(s)].filter(Boolean).join('\n\n'));
    }
    const drift = driftSection(s);
    if (drift) out.push(drift);
    const prediction = predictionSection(s);
    if (prediction) out.push(prediction);
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
  const changes = r.base !== null || r.plans;
  const callouts = r.stacks.flatMap((s) => s.callouts.map((c) => `> ⛔ **${s.stack}:** ${c}`));
  const notices = r.stacks.flatMap((s) => s.notices.map((n) => `- ${s.stack}: ${n}`));
  const refusals = r.refusalCount ? ` **${plural(r.refusalCount, 'change')} the apply would fail on (REFUSED): the review fails.**` : '';
  const head = [
    '# Plan review',
    '',
    ...(callouts.length ? [callouts.join('\n>\n'), ''] : []),
    `Costs: on-demand ${r.priceRegion} prices of ${r.priceDate} (constructs/facts/node-catalog.ts), 730 h/month.${r.base !== null ? ` Compared with \`${r.base}\`.` : ''}`,
    '',
    `| stack | environment | monthly cost |${changes ? ' vs base | changes | from |' : ''} guardrails |`,
    `|---|---|---|${changes ? '---|---|---|' : ''}---|`,
    ...r.stacks.map((s) => {
      const dataLoss = s.resources.some((x) => x.dataLoss)
        ? ` ⛔ **data loss${s.resources.some((x) => x.outage) ? ' and outage' : ''}**`
        : '';
      const from = s.source === 'plan' ? 'plan' : r.base !== null ? 'offline prediction' : '—';
      const base = changes
        ? ` ${s.costDeltaUsd === null ? '' : signedUsd(s.costDeltaUsd)} | ${s.status === 'removed' ? 'stack removed' : s.status === 'added' ? 'new stack' : s.status === 'no base' ? '—' : countActions(s)}${dataLoss} | ${from} |`
        : '';
      return `| ${s.stack} | ${s.environment} | ${usd(s.monthlyCostUsd)} |${base} ${s.violations.length ? `❌ ${s.violations.length}` : '✅'} |`;
    }),
    '',
    `${r.violationCount === 0 ? 'All guardrails pass.' : `**${r.violationCount} guardrail violation${r.violationCount === 1 ? '' : 's'}: the review fails.**`}${refusals}`,
    ...(notices.length
      ? ['', `**Standing warnings** (what the head deploys, until it is fixed; ${plural(notices.length, 'warning')}):`, '', ...notices]
      : []),
  ].join('\n');
  const rules = [
    '<details><summary>Guardrails checked</summary>',
    '',
    'Every stack is held to the pack `baseline`; a stack declares the others it is held to (this project: config/guardrails.ts).',
    '',
    '| rule | requires | packs | source |',
    '|---|---|---|---|',
    ...describeRules({ rules: PROJECT_RULES }).map((d) => `| \`${d.rule}\` | ${cell(d.requires)} | ${d.packs} | ${cell(d.source)} |`),
    '',
    '</details>',
  ].join('\n');
  return [head, ...r.stacks.map((s) => stackSection(s, r)), rules].join('\n\n') + '\n';
}
