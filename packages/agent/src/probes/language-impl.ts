// TEMPORARY: minimal language binding for engine bring-up; replaced by the capture and
// expression modules.
import type { CaptureLimits, CapturedValue, ProbeEvent } from '@periscope/protocol';
import type { AgentConfig } from '../config/settings.js';
import type { Lookup } from '../runtime/hit-runtime.js';
import type { HitScope, ProbeLanguage } from './language.js';

function cap(v: unknown): CapturedValue {
  if (v === null) return { type: 'null', isNull: true };
  if (v === undefined) return { type: 'undefined' };
  if (typeof v === 'object') return { type: 'Object', notCapturedReason: 'depth' };
  return { type: typeof v, value: String(v) };
}

export function createProbeLanguage(_config: AgentConfig): ProbeLanguage {
  return {
    compileCondition: () => ({ evaluate: () => ({ ok: true, value: true }) }),
    compileValue: () => ({ evaluate: () => ({ ok: true, value: undefined }) }),
    compileTemplate: (_s, template) => ({ render: () => ({ message: template, errors: [] }) }),
    scope: (thisValue: unknown, lookup: Lookup) => ({ thisValue, lookup }) as unknown as HitScope,
    captureValue: (v: unknown, _n: string, _l: CaptureLimits) => cap(v),
    captureVariables: (entries) => Object.fromEntries(entries.map(([k, v]) => [k, cap(v)])),
    truncateMessage: (m) => m,
    fitEvent: (e: ProbeEvent) => e,
  };
}
