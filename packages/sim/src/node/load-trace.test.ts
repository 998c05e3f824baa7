import { isHeadroomError } from '@headroom/core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledTracePath, detectTraceFormat, loadTrace } from './load-trace.js';

const shared = (name: string): string =>
  fileURLToPath(new URL(`../../../../../shared/data/traces/${name}`, import.meta.url));

const scratch = mkdtempSync(path.join(tmpdir(), 'headroom-load-trace-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, text);
  return file;
}

describe('loadTrace', () => {
  it('detects and reads each shared trace format', () => {
    expect(loadTrace(shared('AzureLLMInferenceTrace_code.csv')).requests).toHaveLength(8819);
    expect(loadTrace(shared('AzureLLMInferenceTrace_conv.csv')).name).toBe('azure-conv');
    const mooncake = loadTrace(shared('mooncake_conversation_trace.jsonl'));
    expect(mooncake.requests).toHaveLength(12_031);
    expect(mooncake.requests[0]!.prefixHashes).toBeDefined();
    const burst = loadTrace(shared('burstgpt_sample.csv'));
    expect(burst.requests).toHaveLength(54);
    expect(burst.requests[0]!.model).toBe('ChatGPT');
  });

  it('reads the bundled traces, which are the shared Azure traces', () => {
    const code = loadTrace(bundledTracePath('azure-code'));
    expect(code.name).toBe('azure-code');
    expect(code.requests).toHaveLength(8819);
    expect(loadTrace(bundledTracePath('azure-conv')).requests).toHaveLength(19_366);
    expect(path.basename(bundledTracePath('azure-code'))).toBe('AzureLLMInferenceTrace_code.csv');
  });

  it('reads a generic CSV with columns, and an explicit format overrides detection', () => {
    const file = write('mine.csv', 'ts,in,out\n0.5,10,2\n0,20,3\n');
    const trace = loadTrace(file, {
      columns: { arrival: 'ts', arrivalUnit: 's', prompt: 'in', output: 'out' },
      name: 'mine',
    });
    expect(trace.name).toBe('mine');
    expect(trace.requests.map((r) => r.arrivalMs)).toEqual([0, 500]);
    const jsonlAsCsv = write(
      'odd.txt',
      '{"timestamp": 1, "input_length": 2, "output_length": 3}\n',
    );
    expect(loadTrace(jsonlAsCsv, { format: 'mooncake' }).requests).toHaveLength(1);
    expect(loadTrace(jsonlAsCsv).requests).toHaveLength(1); // detected from the first line
  });

  it('errors name the path, line and column', () => {
    const file = write(
      'bad.csv',
      'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.1,x,1\n',
    );
    try {
      loadTrace(file);
      expect.unreachable();
    } catch (error) {
      expect(isHeadroomError(error, 'invalid_input')).toBe(true);
      expect((error as Error).message).toContain(`${file}:2:2 (ContextTokens)`);
    }
  });

  it('reports a missing file, an undetectable CSV and an unknown bundled name', () => {
    expect(() => loadTrace(path.join(scratch, 'nope.csv'))).toThrow(/not_found/);
    const unknown = write('unknown.csv', 'a,b\n1,2\n');
    expect(() => loadTrace(unknown)).toThrow(/invalid_argument at options\.columns/);
    expect(() => bundledTracePath('azure-chat' as 'azure-code')).toThrow(
      /invalid_argument at name/,
    );
  });
});

describe('detectTraceFormat', () => {
  it('goes by extension, then by header', () => {
    expect(detectTraceFormat('t.jsonl', '')).toBe('mooncake');
    expect(detectTraceFormat('t.csv', '\uFEFFTIMESTAMP,ContextTokens,GeneratedTokens\r\n')).toBe(
      'azure',
    );
    expect(detectTraceFormat('t.csv', 'Timestamp,Model,Request tokens,Response tokens\n')).toBe(
      'burstgpt',
    );
    expect(detectTraceFormat('t.csv', 'ts,in,out\n')).toBe('csv');
  });
});
