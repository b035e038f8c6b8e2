import { Dec, type ServiceInfo } from '@tolem/core';
import { ceilHundredths, floorHundredths, rateKey } from '../routing/amount-keys.js';
import type { ServiceFacts } from '../routing/provider-facts.js';

function decimal(text: string | null): Dec | null {
  if (text === null) return null;
  try {
    const value = new Dec(text);
    return value.isFinite() ? value : null;
  } catch {
    return null;
  }
}

/**
 * A provider's service list (VectraFin GetSettingServices, protocol §7.6) as routing reads it: limits
 * per contract currency and the agent's rate, by the provider's own service id. A limit whose bounds
 * do not read as decimals, or whose minimum is above its maximum, is left out (no limit known) rather
 * than guessed.
 */
export function serviceFacts(services: readonly ServiceInfo[]): Map<string, ServiceFacts> {
  const byId = new Map<string, ServiceFacts>();
  for (const service of services) {
    const limits = new Map<string, { min: bigint; max: bigint }>();
    for (const limit of service.limits) {
      const min = decimal(limit.minAmount);
      const max = decimal(limit.maxAmount);
      if (min === null || max === null || min.greaterThan(max)) continue;
      limits.set(limit.currency, { min: ceilHundredths(min), max: floorHundredths(max) });
    }
    const rate = decimal(service.rate);
    byId.set(service.id, { limits, rate: rate === null ? null : rateKey(rate) });
  }
  return byId;
}
