/**
 * The `ddtags` query parameter of probe-event uploads (shared/reference/snapshots.md §8):
 * `key:value` pairs joined by commas, in dd-trace-js order, undefined values skipped.
 */

export interface DdtagsSource {
  env: string | undefined;
  version: string | undefined;
  hostname: string | undefined;
  gitCommitSha: string | undefined;
  gitRepositoryUrl: string | undefined;
}

/**
 * Builds the tag list (not yet URL-encoded). A value containing `,` would split into two tags on
 * the backend, so it is dropped and reported through `onDropped`.
 */
export function buildDdtags(source: DdtagsSource, debuggerVersion: string, onDropped?: (key: string, value: string) => void): string {
  const pairs: Array<[string, string | undefined]> = [
    ['env', source.env],
    ['version', source.version],
    ['debugger_version', debuggerVersion],
    ['host_name', source.hostname],
    ['git.commit.sha', source.gitCommitSha],
    ['git.repository_url', source.gitRepositoryUrl],
  ];
  const out: string[] = [];
  for (const [key, value] of pairs) {
    if (value === undefined || value === '') continue;
    if (value.includes(',')) {
      onDropped?.(key, value);
      continue;
    }
    out.push(`${key}:${value}`);
  }
  return out.join(',');
}
