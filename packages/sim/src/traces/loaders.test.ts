import { type HeadroomError } from '@headroom/core';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { thrownError } from '../../../../tools/test-utils.js';
import {
  parseAzureTrace,
  parseBurstGptTrace,
  parseGenericCsv,
  parseMooncakeTrace,
  parseTraceTimestampMs,
  traceStats,
  validateTrace,
  type Trace,
} from './index.js';

function shared(name: string): string {
  return readFileSync(
    new URL(`../../../../../shared/data/traces/${name}`, import.meta.url),
    'utf8',
  );
}

/** Runs `fn`, expecting an invalid_input HeadroomError, and returns it. */
const inputError = (fn: () => unknown): HeadroomError => thrownError(fn, 'invalid_input');

function expectSorted(trace: Trace): void {
  for (let i = 1; i < trace.requests.length; i++) {
    expect(trace.requests[i]!.arrivalMs).toBeGreaterThanOrEqual(trace.requests[i - 1]!.arrivalMs);
  }
}

describe('parseTraceTimestampMs', () => {
  it('reads the Azure form to epoch ms, keeping 100 ns', () => {
    expect(parseTraceTimestampMs('2023-11-16 18:17:03.9799600')).toBeCloseTo(
      Date.UTC(2023, 10, 16, 18, 17, 3, 979) + 0.96,
      3,
    );
    expect(parseTraceTimestampMs('2023-11-16T18:17:03Z')).toBe(Date.UTC(2023, 10, 16, 18, 17, 3));
    expect(parseTraceTimestampMs('2024-02-29 00:00:00.5')).toBe(Date.UTC(2024, 1, 29) + 500);
  });

  it('returns NaN for anything else, impossible dates included', () => {
    for (const bad of [
      '',
      'abc',
      '2023-11-16',
      '2023/11/16 18:17:03',
      '2023-13-01 00:00:00',
      '2023-04-31 00:00:00',
      '2023-02-29 00:00:00',
      '2023-11-16 24:00:00',
      '2023-11-16 18:17:60',
      '2023-11-16 18:17:03.',
      '2023-11-16 18:17:03.12x',
    ]) {
      expect(parseTraceTimestampMs(bad), bad).toBeNaN();
    }
  });
});

describe('parseAzureTrace', () => {
  const code = parseAzureTrace(shared('AzureLLMInferenceTrace_code.csv'), {
    file: 'AzureLLMInferenceTrace_code.csv',
  });
  const conv = parseAzureTrace(shared('AzureLLMInferenceTrace_conv.csv'), {
    file: 'AzureLLMInferenceTrace_conv.csv',
  });

  it('reads every row of the real code and conversation traces', () => {
    expect(code.requests).toHaveLength(8819);
    expect(conv.requests).toHaveLength(19_366);
    expect(code.name).toBe('azure-code');
    expect(conv.name).toBe('azure-conv');
    expect(code.source).toBe('AzureLLMInferenceTrace_code.csv');
    expect(() => validateTrace(code)).not.toThrow();
    expect(() => validateTrace(conv)).not.toThrow();
    expectSorted(code);
  });

  it('measures arrivals from the first timestamp, which becomes startEpochMs', () => {
    expect(code.requests[0]).toEqual({ arrivalMs: 0, promptTokens: 4808, outputTokens: 10 });
    // Second row: 2023-11-16 18:17:04.0319600, 52 ms after the first.
    expect(code.requests[1]!.arrivalMs).toBeCloseTo(52, 6);
    expect(code.startEpochMs).toBeCloseTo(parseTraceTimestampMs('2023-11-16 18:17:03.9799600'), 3);
    // Last row: 2023-11-16 19:14:19.9280160; duration is the last arrival + 1 ms.
    expect(code.durationMs).toBeCloseTo(3_435_948.056 + 1, 3);
  });

  it('matches the published character of the traces (SOURCES.md)', () => {
    const codeStats = traceStats(code);
    expect(codeStats.meanRatePerSec).toBeCloseTo(2.57, 2);
    expect(codeStats.peakRatePerSec).toBe(67);
    expect(codeStats.emptyWindowFraction).toBeCloseTo(0.73, 2);
    const convStats = traceStats(conv);
    expect(convStats.meanRatePerSec).toBeCloseTo(5.53, 2);
    expect(convStats.peakRatePerSec).toBe(16);
    expect(convStats.promptTokens.p50).toBe(1020);
    expect(convStats.outputTokens.p50).toBe(129);
  });

  it('sorts unsorted rows stably and tolerates CRLF, blank lines and reordered columns', () => {
    const text = [
      'GeneratedTokens,TIMESTAMP,ContextTokens',
      '5,2023-11-16 18:00:02.0000000,10',
      '',
      '6,2023-11-16 18:00:01.0000000,20',
      '7,2023-11-16 18:00:02.0000000,30',
      '0,2023-11-16 18:00:03.5000000,40',
      '',
    ].join('\r\n');
    const trace = parseAzureTrace(text, { file: 'x.csv', name: 'mine' });
    expect(trace.name).toBe('mine');
    expect(trace.requests).toEqual([
      { arrivalMs: 0, promptTokens: 20, outputTokens: 6 },
      { arrivalMs: 1000, promptTokens: 10, outputTokens: 5 },
      { arrivalMs: 1000, promptTokens: 30, outputTokens: 7 },
      { arrivalMs: 2500, promptTokens: 40, outputTokens: 1 }, // 0 generated tokens read as 1
    ]);
    expect(trace.startEpochMs).toBe(Date.UTC(2023, 10, 16, 18, 0, 1));
    const dropped = parseAzureTrace(text, { file: 'x.csv', zeroOutputTokens: 'drop' });
    expect(dropped.requests).toHaveLength(3);
  });

  it('names file, line, column and column name for a bad token count', () => {
    const lines = shared('AzureLLMInferenceTrace_code.csv').split('\n');
    lines[16] = '2023-11-16 18:17:06.0000000,abc,12';
    const error = inputError(() =>
      parseAzureTrace(lines.join('\n'), { file: 'AzureLLMInferenceTrace_code.csv' }),
    );
    expect(error.path).toEqual(['AzureLLMInferenceTrace_code.csv', 17, 2]);
    expect(error.message).toContain(
      'AzureLLMInferenceTrace_code.csv:17:2 (ContextTokens): expected a non-negative integer (got "abc")',
    );
  });

  it('names the column for a bad timestamp, a negative count and a short row', () => {
    const header = 'TIMESTAMP,ContextTokens,GeneratedTokens\n';
    const ts = inputError(() =>
      parseAzureTrace(`${header}2023-11-16 18:17:03.1,1,1\n2023-11-16 25:00:00,1,1\n`, {
        file: 'a.csv',
      }),
    );
    expect(ts.path).toEqual(['a.csv', 3, 1]);
    expect(ts.message).toContain('a.csv:3:1 (TIMESTAMP): expected a UTC timestamp');
    const negative = inputError(() =>
      parseAzureTrace(`${header}2023-11-16 18:17:03.1,1,-4\n`, { file: 'a.csv' }),
    );
    expect(negative.path).toEqual(['a.csv', 2, 3]);
    expect(negative.message).toContain('(GeneratedTokens)');
    const short = inputError(() =>
      parseAzureTrace(`${header}2023-11-16 18:17:03.1,1\n`, { file: 'a.csv' }),
    );
    expect(short.path).toEqual(['a.csv', 2, 3]);
    expect(short.message).toContain(
      'a.csv:2:3 (GeneratedTokens): missing value (the row has 2 fields)',
    );
  });

  it('checks the header', () => {
    const missing = inputError(() =>
      parseAzureTrace('TIMESTAMP,ContextTokens\n2023-11-16 18:17:03.1,1\n', { file: 'h.csv' }),
    );
    expect(missing.path).toEqual(['h.csv', 1]);
    expect(missing.message).toContain('h.csv:1 (header): missing column "GeneratedTokens"');
    const empty = inputError(() => parseAzureTrace('', { file: 'e.csv' }));
    expect(empty.message).toContain('e.csv:1 (header)');
    const headerOnly = parseAzureTrace('TIMESTAMP,ContextTokens,GeneratedTokens\n', {
      file: 'h.csv',
    });
    expect(headerOnly.requests).toHaveLength(0);
    expect(headerOnly.durationMs).toBe(0);
  });
});

describe('parser options', () => {
  it('reject a missing file name or an unknown zeroOutputTokens with invalid_argument', () => {
    expect(() => parseAzureTrace('', { file: '' })).toThrow(/invalid_argument at options\.file/);
    expect(() =>
      parseMooncakeTrace('', { file: 'm.jsonl', zeroOutputTokens: 'keep' as 'one' }),
    ).toThrow(/options\.zeroOutputTokens/);
    expect(() => parseBurstGptTrace('', { file: 'b.csv', name: '' })).toThrow(/options\.name/);
  });
});

describe('parseMooncakeTrace', () => {
  const trace = parseMooncakeTrace(shared('mooncake_conversation_trace.jsonl'), {
    file: 'mooncake_conversation_trace.jsonl',
  });

  it('reads every line of the real trace with its prefix block hashes', () => {
    expect(trace.requests).toHaveLength(12_031);
    expect(trace.name).toBe('mooncake_conversation_trace');
    expect(trace.requests[0]).toEqual({
      arrivalMs: 0,
      promptTokens: 6758,
      outputTokens: 500,
      prefixHashes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
    });
    expect(() => validateTrace(trace)).not.toThrow();
    // 512-token blocks: a prompt of n tokens has ceil(n / 512) hashes.
    for (const r of trace.requests.slice(0, 200)) {
      expect(r.prefixHashes).toHaveLength(Math.ceil(r.promptTokens / 512));
    }
  });

  it('sorts unsorted lines stably and allows a missing hash_ids', () => {
    const text = [
      '{"timestamp": 3000, "input_length": 10, "output_length": 2, "hash_ids": [7]}',
      '{"timestamp": 0, "input_length": 5, "output_length": 0}',
      '',
      '{"timestamp": 3000, "input_length": 11, "output_length": 3, "hash_ids": [7, 8]}',
    ].join('\r\n');
    const parsed = parseMooncakeTrace(text, { file: 'm.jsonl' });
    expect(parsed.requests.map((r) => r.promptTokens)).toEqual([5, 10, 11]);
    expect(parsed.requests[0]).toEqual({ arrivalMs: 0, promptTokens: 5, outputTokens: 1 });
    expect(parsed.durationMs).toBe(3001);
  });

  it('names file, line and the column of the bad key', () => {
    const text =
      '{"timestamp": 0, "input_length": 5, "output_length": 1}\n' +
      '{"timestamp": 3, "input_length": -5, "output_length": 1}\n';
    const error = inputError(() => parseMooncakeTrace(text, { file: 'm.jsonl' }));
    expect(error.path).toEqual(['m.jsonl', 2, 18]);
    expect(error.message).toContain(
      'm.jsonl:2:18 (input_length): expected a non-negative integer (got -5)',
    );
    const hashes = inputError(() =>
      parseMooncakeTrace(
        '{"timestamp": 0, "input_length": 5, "output_length": 1, "hash_ids": [1, "x"]}',
        {
          file: 'm.jsonl',
        },
      ),
    );
    expect(hashes.message).toContain('m.jsonl:1:');
    expect(hashes.message).toContain('(hash_ids): expected an array of non-negative integers');
    const time = inputError(() =>
      parseMooncakeTrace('{"input_length": 5, "output_length": 1}', { file: 'm.jsonl' }),
    );
    expect(time.message).toContain('m.jsonl:1:1 (timestamp): expected a non-negative number of ms');
  });

  it('reports JSON syntax errors and non-objects with the line', () => {
    const syntax = inputError(() =>
      parseMooncakeTrace(
        '{"timestamp": 0, "input_length": 5, "output_length": 1}\n{"timestamp": 0,,}\n',
        {
          file: 'm.jsonl',
        },
      ),
    );
    expect(syntax.path[0]).toBe('m.jsonl');
    expect(syntax.path[1]).toBe(2);
    expect(syntax.message).toContain('m.jsonl:2:');
    expect(syntax.message).toContain('(json): not valid JSON');
    const array = inputError(() => parseMooncakeTrace('[1, 2]\n', { file: 'm.jsonl' }));
    expect(array.message).toContain('m.jsonl:1:1 (json): expected a JSON object');
  });
});

describe('parseBurstGptTrace', () => {
  const trace = parseBurstGptTrace(shared('burstgpt_sample.csv'), { file: 'burstgpt_sample.csv' });

  it('reads every row of the real sample, with models, and reads 0 response tokens as 1', () => {
    expect(trace.requests).toHaveLength(54);
    expect(trace.requests[0]).toEqual({
      arrivalMs: 5000,
      promptTokens: 472,
      outputTokens: 18,
      model: 'ChatGPT',
    });
    expect(new Set(trace.requests.map((r) => r.model))).toEqual(new Set(['ChatGPT', 'GPT-4']));
    // The sample has three rows with 0 response tokens (failed requests).
    const failed = trace.requests.filter((r) => r.arrivalMs === 1_106_000);
    expect(failed).toEqual([
      { arrivalMs: 1_106_000, promptTokens: 0, outputTokens: 1, model: 'ChatGPT' },
    ]);
    expect(() => validateTrace(trace)).not.toThrow();
    const dropped = parseBurstGptTrace(shared('burstgpt_sample.csv'), {
      file: 'burstgpt_sample.csv',
      zeroOutputTokens: 'drop',
    });
    expect(dropped.requests).toHaveLength(51);
  });

  it('names file, line and column for a bad timestamp and a bad token count', () => {
    const header = 'Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n';
    const ts = inputError(() =>
      parseBurstGptTrace(`${header}5,ChatGPT,1,1,2,API log\nsoon,ChatGPT,1,1,2,API log\n`, {
        file: 'b.csv',
      }),
    );
    expect(ts.path).toEqual(['b.csv', 3, 1]);
    expect(ts.message).toContain(
      'b.csv:3:1 (Timestamp): expected a non-negative number of seconds (got "soon")',
    );
    const tokens = inputError(() =>
      parseBurstGptTrace(`${header}5,ChatGPT,1,2.5,2,API log\n`, { file: 'b.csv' }),
    );
    expect(tokens.path).toEqual(['b.csv', 2, 4]);
    expect(tokens.message).toContain(
      '(Response tokens): expected a non-negative integer (got "2.5")',
    );
  });

  it('reads quoted fields', () => {
    const text =
      'Timestamp,Model,Request tokens,Response tokens\n' + '1.5,"GPT-4, ""turbo""",10,"20"\n';
    const parsed = parseBurstGptTrace(text, { file: 'q.csv' });
    expect(parsed.requests).toEqual([
      { arrivalMs: 1500, promptTokens: 10, outputTokens: 20, model: 'GPT-4, "turbo"' },
    ]);
    const open = inputError(() =>
      parseBurstGptTrace('Timestamp,Model,Request tokens,Response tokens\n1,"GPT,1,1\n', {
        file: 'q.csv',
      }),
    );
    expect(open.message).toContain('q.csv:2:2');
    expect(open.message).toContain('unterminated quoted field');
  });
});

describe('parseGenericCsv', () => {
  const columns = {
    arrival: 'ts',
    arrivalUnit: 's',
    prompt: 'in_tokens',
    output: 'out_tokens',
    model: 'model',
    tenant: 'customer',
  } as const;

  it('maps named columns, rebases epoch seconds with origin first, and sorts stably', () => {
    const text = [
      'customer,ts,in_tokens,out_tokens,model,extra',
      'acme,1700000002.5,100,10,m1,x',
      'globex,1700000001,200,20,,y',
      ',1700000002.5,300,0,m2,z',
    ].join('\n');
    const trace = parseGenericCsv(text, { file: 'dir/reqs.csv', columns, origin: 'first' });
    expect(trace.name).toBe('reqs');
    expect(trace.source).toBe('reqs.csv');
    expect(trace.requests).toEqual([
      { arrivalMs: 0, promptTokens: 200, outputTokens: 20, tenant: 'globex' },
      { arrivalMs: 1500, promptTokens: 100, outputTokens: 10, model: 'm1', tenant: 'acme' },
      { arrivalMs: 1500, promptTokens: 300, outputTokens: 1, model: 'm2' },
    ]);
  });

  it('reads ms, datetimes and other delimiters', () => {
    const ms = parseGenericCsv('t;p;o\n10;1;1\n5;2;2\n', {
      file: 'a.csv',
      delimiter: ';',
      columns: { arrival: 't', arrivalUnit: 'ms', prompt: 'p', output: 'o' },
    });
    expect(ms.requests.map((r) => r.arrivalMs)).toEqual([5, 10]);
    expect(ms.durationMs).toBe(11);
    const dt = parseGenericCsv('t,p,o\n2024-01-01T00:00:01Z,1,1\n2024-01-01T00:00:00.25Z,2,2\n', {
      file: 'a.csv',
      columns: { arrival: 't', arrivalUnit: 'datetime', prompt: 'p', output: 'o' },
    });
    expect(dt.requests.map((r) => r.arrivalMs)).toEqual([0, 750]);
    expect(dt.startEpochMs).toBe(Date.UTC(2024, 0, 1) + 250);
  });

  it('names file, line, column and the configured column name for a bad row', () => {
    const text = 'ts,in_tokens,out_tokens,model,customer\n1,2,3,m,c\n2,4,1.5,m,c\n';
    const error = inputError(() => parseGenericCsv(text, { file: 'reqs.csv', columns }));
    expect(error.path).toEqual(['reqs.csv', 3, 3]);
    expect(error.message).toContain(
      'reqs.csv:3:3 (out_tokens): expected a non-negative integer (got "1.5")',
    );
    const arrival = inputError(() =>
      parseGenericCsv('ts,in_tokens,out_tokens,model,customer\n-1,2,3,m,c\n', {
        file: 'reqs.csv',
        columns,
      }),
    );
    expect(arrival.message).toContain(
      'reqs.csv:2:1 (ts): expected a non-negative number of seconds',
    );
    const header = inputError(() =>
      parseGenericCsv('ts,in_tokens,out_tokens\n1,2,3\n', { file: 'reqs.csv', columns }),
    );
    expect(header.message).toContain('reqs.csv:1 (header): missing column "model"');
  });

  it('rejects malformed options with invalid_config', () => {
    expect(() =>
      parseGenericCsv('a\n', {
        file: 'x.csv',
        columns: { arrival: 'a', arrivalUnit: 'minutes' as 's', prompt: 'b', output: 'c' },
      }),
    ).toThrow(/invalid_config at options\.columns\.arrivalUnit/);
  });
});
