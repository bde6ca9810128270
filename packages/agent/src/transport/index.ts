/**
 * Agent ↔ backend transport: the agent HTTP client (discovery, timeouts, retries) and the
 * network sink for probe events and statuses.
 */
export {
  type AgentClientOptions,
  type AgentRequest,
  type AgentResult,
  type AgentErrorCode,
  type AgentInfo,
  AgentClient,
  isRetryable,
  isSuccess,
  describeResult,
} from './agent-client.js';
export { type RetryPolicy, DEFAULT_RETRY_POLICY, backoffDelay } from './backoff.js';
export { type DdtagsSource, buildDdtags } from './ddtags.js';
export { type MultipartFile, type MultipartBody, buildMultipart } from './multipart.js';
export {
  type HttpSinkConfig,
  type HttpSinkOptions,
  type HttpSinkStats,
  type QueueLimits,
  HttpSink,
  EVENTS_V2_PATH,
  DIAGNOSTICS_PATH,
} from './http-sink.js';
export { type UploadQueueStats, type UploadOutcome, UploadQueue } from './upload-queue.js';
export { agentVersion } from './version.js';
