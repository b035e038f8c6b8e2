import { ValidationError } from '@tolem/core';
import { describe, expect, it } from 'vitest';
import type { Routes, RouteTarget } from '../types.js';
import { requireTargets, targetsFor } from './route-table.js';

const steam: RouteTarget[] = [
  { provider: 'vf-a', serviceId: '7' },
  { provider: 'vf-usd', serviceId: '7', currency: 'USD' },
  { provider: 'vf-b', serviceId: '70' },
];
const routes: Routes = { steam };

describe('route table (pure: which targets a route has for a currency)', () => {
  it('keeps the route order and only the targets paid in the currency (no currency: any)', () => {
    expect(targetsFor(routes, 'steam', 'KZT').map((t) => t.provider)).toEqual(['vf-a', 'vf-b']);
    expect(targetsFor(routes, 'steam', 'USD').map((t) => t.provider)).toEqual(['vf-a', 'vf-usd', 'vf-b']);
  });

  it('knows only the routes it was given, not names inherited by every object', () => {
    for (const name of ['nope', 'toString', '__proto__', 'constructor']) {
      expect(targetsFor(routes, name, 'KZT')).toEqual([]);
      expect(() => requireTargets(routes, name, 'KZT')).toThrow(ValidationError);
    }
  });

  it('names the field when no route or no currency fits', () => {
    const field = (call: () => unknown) => {
      try {
        call();
      } catch (error) {
        return ValidationError.is(error) ? error.field : String(error);
      }
      return 'no error';
    };
    expect(field(() => requireTargets(routes, 'pubg', 'KZT'))).toBe('service');
    expect(field(() => requireTargets({ only: [steam[1]!] }, 'only', 'KZT'))).toBe('currency');
  });
});

it('reads a route with a strategy like a list: its targets, in route order', () => {
  const spec: Routes = {
    games: {
      strategy: 'weighted',
      targets: [
        { provider: 'vf-a', serviceId: '7', weight: 3 },
        { provider: 'vf-usd', serviceId: '7', currency: 'USD' },
        { provider: 'vf-b', serviceId: '70', weight: 1 },
      ],
    },
  };
  expect(targetsFor(spec, 'games', 'KZT').map((t) => t.provider)).toEqual(['vf-a', 'vf-b']);
  expect(requireTargets(spec, 'games', 'USD').map((t) => t.provider)).toEqual(['vf-a', 'vf-usd', 'vf-b']);
});
