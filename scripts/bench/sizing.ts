/**
 * Benchmark 4, sizing cost: per environment and for a 25,000-user cluster, the node set the sizing (stacks/sizing.ts
 * planSizing) chooses against the cheapest node sets an independent brute force finds from the guides' figures
 * (./sizing-brute-force.ts); target: the same cost (1.00) and no difference in tier, data space or price. Also the
 * saving if each profile ran Valkey instead of Redis OSS (information).
 */
import { PRICE_DATE } from '../../constructs/facts/node-catalog';
import { BenchOutcome, Row, fmt, usd } from './common';
import { nodeSetText, productionSizing, sizingChecks } from './sizing-brute-force';
import { thousands } from './stats';

export const SIZING_TARGET_RATIO = 1;

export function sizingBench(): BenchOutcome {
  const json = sizingChecks().map((c) => {
    const redis = productionSizing({ ...c.environment, engine: 'redis' }).monthlyCostUsd;
    const valkey = productionSizing({ ...c.environment, engine: 'valkey' }).monthlyCostUsd;
    const saving = Math.round((redis - valkey) * 100) / 100;
    return {
      name: c.name,
      expectedUsers: c.environment.expectedUsers,
      engine: c.environment.engine,
      guideRow: c.bruteForce.tier.row,
      requiredDataGiB: c.plan.requiredDataGiB,
      chosen: nodeSetText({ ...c.plan, node: c.plan.nodeType }),
      chosenMonthlyUsd: c.plan.monthlyCostUsd,
      cheapest: c.bruteForce.cheapest.map(nodeSetText),
      cheapestMonthlyUsd: c.bruteForce.cheapest[0].monthlyCostUsd,
      ratio: c.ratio,
      differences: c.differences,
      redisMonthlyUsd: redis,
      valkeyMonthlyUsd: valkey,
      valkeySavingUsd: saving,
      valkeySavingPercent: redis > 0 ? (saving / redis) * 100 : 0,
      priceDate: PRICE_DATE,
    };
  });
  const rows: Row[] = [
    ...json.map((s): Row => ({
      section: 4,
      measurement: `Sizing cost: ${s.name} (${thousands(s.expectedUsers)} users, ${s.engine})`,
      value:
        `${s.chosen} ${usd(s.chosenMonthlyUsd)}/mo; cheapest ${usd(s.cheapestMonthlyUsd)}/mo` +
        (s.differences.length ? `; ${s.differences.join('; ')}` : ''),
      target: '= cheapest, guide 000 tier',
      ratio: fmt(s.ratio),
      result: s.ratio.toFixed(2) === SIZING_TARGET_RATIO.toFixed(2) && s.differences.length === 0 ? 'PASS' : 'MISS',
    })),
    ...json.map((s): Row => ({
      section: 4,
      measurement: `Valkey saving: ${s.name}`,
      value: `${usd(s.valkeySavingUsd)}/mo (${fmt(s.valkeySavingPercent, 1)} %): ${usd(s.valkeyMonthlyUsd)} instead of ${usd(s.redisMonthlyUsd)}`,
      target: '—',
      ratio: fmt(s.valkeyMonthlyUsd / s.redisMonthlyUsd),
      result: 'info',
    })),
  ];
  return { rows, json, notes: [] };
}
