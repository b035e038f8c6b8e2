import { ValidationError } from '@tolem/core';
import { describe, expect, it } from 'vitest';
import type { Routes } from '../types.js';
import { nextTarget, type ProviderFacts, requireTargets, targetsFor } from './route-table.js';

const routes: Routes = {
  steam: [
    { provider: 'vf-a', serviceId: '7' },
    { provider: 'vf-usd', serviceId: '7', currency: 'USD' },
    { provider: 'vf-b', serviceId: '70' },
  ],
};

const everyone = new Set(['vf-a', 'vf-b', 'vf-usd']);
const facts = (admitting: Iterable<string>, known: ReadonlySet<string> = everyone): ProviderFacts => ({
  known,
  admitting: new Set(admitting),
});
const payment = (attempts: string[] = [], currency = 'KZT') => ({
  service: 'steam',
  currency,
  attempts: attempts.map((provider) => ({ provider })) as never,
});

describe('route table (pure: routes and facts in, a choice out)', () => {
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
    expect(field(() => requireTargets({ only: [routes.steam![1]!] }, 'only', 'KZT'))).toBe('currency');
  });

  it('picks the first target that takes a call now and has no attempt yet', () => {
    expect(nextTarget(routes, payment(), facts(everyone))).toEqual({
      target: routes.steam![0],
      bypassed: [],
    });
    expect(nextTarget(routes, payment(['vf-a']), facts(everyone)).target?.provider).toBe('vf-b');
    expect(nextTarget(routes, payment(['vf-a', 'vf-b']), facts(everyone))).toEqual({
      target: null,
      bypassed: [],
    });
  });

  it('passes over targets that take no call now, and says which', () => {
    const pick = nextTarget(routes, payment(), facts(['vf-b']));
    expect(pick.target?.provider).toBe('vf-b');
    expect(pick.bypassed.map((t) => t.provider)).toEqual(['vf-a']);
    expect(nextTarget(routes, payment(), facts([]))).toEqual({
      target: null,
      bypassed: [routes.steam![0], routes.steam![2]],
    });
  });

  it('skips a target the router does not have without calling it bypassed', () => {
    const pick = nextTarget(routes, payment(), facts(everyone, new Set(['vf-b'])));
    expect(pick).toEqual({ target: routes.steam![2], bypassed: [] });
  });

  it('answers from its arguments alone: the same facts give the same choice, and nothing is changed', () => {
    const before = JSON.stringify(routes);
    const input = facts(['vf-b']);
    const first = nextTarget(routes, payment(), input);
    expect(nextTarget(routes, payment(), input)).toEqual(first);
    expect(JSON.stringify(routes)).toBe(before);
    expect([...input.admitting]).toEqual(['vf-b']);
  });
});
