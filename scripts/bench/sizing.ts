/**
 * Benchmark 4, sizing cost: per environment and for a 25,000-user profile, the node set the sizing (stacks/sizing.ts
 * planSizing) chooses against the cheapest node set a brute force over the catalog finds for the same tier
 * requirements (./sizing-brute-force.ts); target: the same cost (1.00). Also the saving if each profile ran Valkey
 * instead of Redis OSS (information).
 */
import { PRICE_DATE } from '../../config/node-catalog';
import { planSizing } from '../../stacks/sizing';
import { BenchOutcome, Row, fmt, usd } from './common';
import { nodeSetText, sizingComparisons } from './sizing-brute-force';
import { thousands } from './stats';

export const SIZING_TARGET_RATIO = 1;

export function sizingBench(): BenchOutcome {
  const json = sizingComparisons().map((c) => {
    const redis = planSizing({ ...c.profile, engine: 'redis' }).monthlyCostUsd;
    return {
      name: c.name,
      expectedUsers: c.profile.expectedUsers,
      engine: c.profile.engine,
      tier: c.plan.tier.replication,
      requiredDataGiB: c.plan.requiredDataGiB,
      chosen: nodeSetText(c.plan),
      chosenMonthlyUsd: c.plan.monthlyCostUsd,
      cheapest: nodeSetText(c.cheapest),
      cheapestMonthlyUsd: c.cheapest.monthlyCostUsd,
      ratio: c.ratio,
      redisMonthlyUsd: redis,
      valkeyMonthlyUsd: c.valkeyPlan.monthlyCostUsd,
      valkeySavingUsd: c.valkeySavingUsd,
      valkeySavingPercent: c.valkeySavingPercent,
      priceDate: PRICE_DATE,
    };
  });
  const rows: Row[] = [
    ...json.map((s): Row => ({
      section: 4,
      measurement: `Sizing cost: ${s.name} (${thousands(s.expectedUsers)} users, ${s.engine})`,
      value: `${s.chosen} ${usd(s.chosenMonthlyUsd)}/mo; cheapest ${usd(s.cheapestMonthlyUsd)}/mo`,
      target: '= cheapest',
      ratio: fmt(s.ratio),
      result: s.ratio.toFixed(2) === SIZING_TARGET_RATIO.toFixed(2) ? 'PASS' : 'MISS',
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
