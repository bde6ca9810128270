/** Realistic probe events and statuses for transport tests. */
import type { DiagnosticItem, ProbeEvent, ProbeStatus } from '@periscope/protocol';

export function probeEvent(n: number, padding = 0): ProbeEvent {
  return {
    ddsource: 'dd_debugger',
    service: 'checkout',
    hostname: 'test-host',
    message: `Loaded user ${n}${'x'.repeat(padding)}`,
    timestamp: 1760000000000 + n,
    logger: { name: 'src/routes/users.ts', method: 'loadUser', version: 2, thread_id: '1', thread_name: 'main' },
    debugger: {
      type: 'snapshot',
      snapshot: {
        id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
        timestamp: 1760000000000 + n,
        language: 'javascript',
        probe: { id: 'probe-1', version: 0, location: { file: 'src/routes/users.ts', lines: ['42'] } },
        stack: [{ fileName: 'src/routes/users.ts', function: 'loadUser', lineNumber: 42, columnNumber: 5 }],
        captures: { lines: { '42': { locals: { n: { type: 'number', value: String(n) } } } } },
      },
    },
  };
}

export function probeStatus(probeId: string, status: ProbeStatus): DiagnosticItem {
  return {
    ddsource: 'dd_debugger',
    service: 'checkout',
    timestamp: 1760000000000,
    message: `Probe ${probeId} is ${status}`,
    debugger: {
      diagnostics: {
        probeId,
        probeVersion: 0,
        runtimeId: '0c2a9e54-8d1f-4b7a-a3c6-1e9f0d8b7a65',
        parentId: null,
        status,
        ...(status === 'ERROR' ? { exception: { type: 'Error', message: 'No such file', stacktrace: 'Error: No such file' } } : {}),
      },
    },
  };
}
