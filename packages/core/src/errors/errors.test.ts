import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  addDuplicateIssues,
  HeadroomError,
  isHeadroomError,
  parseConfig,
  parseInput,
  requireNumber,
} from '@headroom/core';

describe('HeadroomError', () => {
  it('carries code, path, value and limit, and says them in its message', () => {
    const error = new HeadroomError({
      code: 'invalid_config',
      message: 'must be > 0',
      path: ['signals', 2, 'target'],
      value: Number.NaN,
      limit: '> 0',
    });
    expect(error.message).toBe('invalid_config at signals[2].target: must be > 0 (got NaN)');
    expect(error.code).toBe('invalid_config');
    expect(error.path).toEqual(['signals', 2, 'target']);
    expect(error.limit).toBe('> 0');
    expect(error).toBeInstanceOf(Error);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({
      code: 'invalid_config',
      value: 'NaN',
    });
  });

  it('is recognised by the guard, with and without a code', () => {
    const error = new HeadroomError({ code: 'conflict', message: 'resourceVersion changed' });
    expect(isHeadroomError(error)).toBe(true);
    expect(isHeadroomError(error, 'conflict')).toBe(true);
    expect(isHeadroomError(error, 'timeout')).toBe(false);
    expect(isHeadroomError(new Error('x'))).toBe(false);
    expect(isHeadroomError({ code: 'conflict' })).toBe(false);
    expect(isHeadroomError(null)).toBe(false);
  });

  it('is recognised when it comes from another copy of the package (brand, not instanceof)', () => {
    // A second copy of @headroom/core defines its own class but brands with the same registered symbol.
    class OtherCopyError extends Error {
      readonly code = 'timeout';
      constructor() {
        super('timeout: deadline exceeded');
        Object.defineProperty(this, Symbol.for('@headroom/core/HeadroomError'), { value: true });
      }
    }
    const foreign = new OtherCopyError();
    expect(foreign instanceof HeadroomError).toBe(false);
    expect(isHeadroomError(foreign, 'timeout')).toBe(true);
  });

  it('keeps the cause', () => {
    const cause = new Error('socket hang up');
    expect(new HeadroomError({ code: 'unavailable', message: 'API down', cause }).cause).toBe(
      cause,
    );
  });
});

describe('parseConfig', () => {
  const Schema = z.object({
    cooldownMs: z.number().int().min(0).default(60_000),
    targets: z.array(z.object({ utilization: z.number().gt(0).max(1) })).default([]),
  });

  it('fills defaults and freezes the result', () => {
    const config = parseConfig(Schema, {});
    expect(config).toEqual({ cooldownMs: 60_000, targets: [] });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.targets)).toBe(true);
  });

  it.each([
    [{ cooldownMs: -5 }, ['scaler', 'cooldownMs'], '>= 0', -5],
    [{ cooldownMs: Number.NaN }, ['scaler', 'cooldownMs'], 'type number', Number.NaN],
    [
      { cooldownMs: Number.POSITIVE_INFINITY },
      ['scaler', 'cooldownMs'],
      'type number',
      Number.POSITIVE_INFINITY,
    ],
    [
      { targets: [{ utilization: 0.5 }, { utilization: 1.5 }] },
      ['scaler', 'targets', 1, 'utilization'],
      '<= 1',
      1.5,
    ],
  ])('rejects %o naming path, bound and value', (input, path, limit, value) => {
    let thrown: unknown;
    try {
      parseConfig(Schema, input, ['scaler']);
    } catch (error) {
      thrown = error;
    }
    expect(isHeadroomError(thrown, 'invalid_config')).toBe(true);
    const error = thrown as HeadroomError;
    expect(error.path).toEqual(path);
    expect(error.limit).toBe(limit);
    expect(Object.is(error.value, value)).toBe(true);
    expect(error.message).toContain(String(value));
    expect(error.message).toContain(limit);
  });

  it('takes the bound of a refinement from its params.limit', () => {
    const Ordered = z.object({ min: z.number(), max: z.number() }).superRefine((v, ctx) => {
      if (v.max < v.min)
        ctx.addIssue({
          code: 'custom',
          message: 'max must be >= min',
          path: ['max'],
          input: v.max,
          params: { limit: `>= ${v.min}` },
        });
    });
    let thrown: unknown;
    try {
      parseConfig(Ordered, { min: 5, max: 2 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({
      code: 'invalid_config',
      path: ['max'],
      limit: '>= 5',
      value: 2,
    });
  });

  it('parseInput returns a failed result instead of throwing', () => {
    const result = parseInput(Schema, { cooldownMs: 'soon' }, ['input']);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('invalid_input');
      expect(result.error.path).toEqual(['input', 'cooldownMs']);
    }
    expect(parseInput(Schema, { cooldownMs: 1 })).toEqual({
      ok: true,
      value: { cooldownMs: 1, targets: [] },
    });
  });
});

describe('addDuplicateIssues', () => {
  const Schema = z
    .object({ models: z.array(z.object({ id: z.string() })) })
    .superRefine((input, ctx) => {
      addDuplicateIssues(
        ctx,
        input.models,
        (m) => m.id,
        (i) => ['models', i, 'id'],
        'model id',
      );
    });

  it('names the second occurrence of a repeated key, with the key as the value', () => {
    expect(() => parseConfig(Schema, { models: [{ id: 'a' }, { id: 'b' }, { id: 'a' }] })).toThrow(
      'invalid_config at models[2].id: duplicate model id (got "a")',
    );
  });

  it('accepts unique keys and returns them', () => {
    const issues: unknown[] = [];
    const keys = addDuplicateIssues(
      { addIssue: (issue) => issues.push(issue) },
      ['x', 'y'],
      (k) => k,
      (i) => [i],
      'name',
    );
    expect([...keys]).toEqual(['x', 'y']);
    expect(issues).toEqual([]);
  });
});

describe('requireNumber', () => {
  it('returns good values and names bounds for bad ones', () => {
    expect(requireNumber(3, ['x'], { integer: true, min: 1 })).toBe(3);
    expect(() => requireNumber(0.5, ['replicas'], { integer: true, min: 1 })).toThrow(
      'invalid_argument at replicas: must be finite, integer, >= 1 (got 0.5)',
    );
    expect(() => requireNumber(Number.NEGATIVE_INFINITY, ['x'])).toThrow('(got -Infinity)');
    expect(() => requireNumber('1', ['x'])).toThrow('(got "1")');
    expect(() => requireNumber(1, ['x'], { max: 1, maxExclusive: true })).toThrow('< 1');
  });
});
