/**
 * What the agent sends: probe events (snapshots and dynamic logs, shared/reference/snapshots.md)
 * and probe statuses (shared/reference/diagnostics.md).
 */

export type NotCapturedReason =
  | 'depth'
  | 'collectionSize'
  | 'fieldCount'
  | 'redactedIdent'
  | 'redactedType'
  | 'timeout'
  | 'payloadTooLarge'
  | (string & {});

/** One captured value in the Datadog snapshot value encoding. */
export interface CapturedValue {
  type?: string;
  value?: string;
  isNull?: true;
  truncated?: true;
  size?: number;
  fields?: Record<string, CapturedValue>;
  elements?: CapturedValue[];
  entries?: Array<[CapturedValue, CapturedValue]>;
  notCapturedReason?: NotCapturedReason;
  pruned?: true;
}

export interface CapturedContext {
  arguments?: Record<string, CapturedValue>;
  locals?: Record<string, CapturedValue>;
  staticFields?: Record<string, CapturedValue>;
  throwable?: { type: string; message: string; stacktrace: StackFrame[] } | null;
  captureExpressions?: Record<string, CapturedValue>;
}

export interface StackFrame {
  fileName: string;
  function: string;
  /** 1-based */
  lineNumber: number;
  /** 1-based */
  columnNumber?: number;
}

export interface EvaluationError {
  expr: string;
  message: string;
}

export interface Snapshot {
  id: string;
  timestamp: number;
  language: 'javascript';
  probe: {
    id: string;
    version: number;
    location: { file: string; lines: string[] } | { type: string | null; method: string };
  };
  stack?: StackFrame[];
  captures?: {
    lines?: Record<string, CapturedContext>;
    entry?: CapturedContext;
    return?: CapturedContext;
  };
  evaluationErrors?: EvaluationError[];
}

export interface ProbeEvent {
  ddsource: 'dd_debugger';
  service: string;
  hostname: string;
  message: string;
  timestamp: number;
  logger: {
    name: string;
    method: string;
    version: number;
    thread_id: string;
    thread_name: string;
  };
  dd?: { trace_id: string; span_id: string };
  debugger: { type?: 'snapshot'; snapshot: Snapshot };
}

export type ProbeStatus = 'RECEIVED' | 'INSTALLED' | 'EMITTING' | 'ERROR' | 'BLOCKED';

export interface DiagnosticItem {
  ddsource: 'dd_debugger';
  service: string;
  timestamp: number;
  message: string;
  debugger: {
    diagnostics: {
      probeId: string;
      probeVersion: number;
      runtimeId: string;
      parentId: string | null;
      status: ProbeStatus;
      exception?: { type: string; message: string; stacktrace?: string } | null;
    };
  };
}

/** Caps from the reference: one event at most 1 MiB, a message at most 8 KiB. */
export const MAX_EVENT_BYTES = 1024 * 1024;
export const MAX_MESSAGE_CHARS = 8192;
export const MAX_BATCH_BYTES = 5 * 1024 * 1024;
