// This worker's own local cloud (see global-setup.ts): its endpoints, region and credentials, and LOCAL_CLOUD_ENV
// for the tests that hand them on to a child process (serverless offline, invoke local).
// Without it the SDK would find no endpoint of ours and call AWS: nothing runs then.
const cloud = process.env[`LOCAL_CLOUD_ENV_${process.env.JEST_WORKER_ID ?? '1'}`];
if (!cloud)
  throw new Error(`no local cloud for jest worker ${process.env.JEST_WORKER_ID}: see test/support/global-setup.ts`);
Object.assign(process.env, JSON.parse(cloud) as Record<string, string>, { LOCAL_CLOUD_ENV: cloud });

// Quiet Powertools during tests (set TEST_LOGS=1 to see the functions' logs); metrics are not emitted.
if (!process.env.TEST_LOGS) process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_TRACE_ENABLED = 'false';
// With tracing off nothing uses the X-Ray SDK's context, and in manual mode the SDK does not install the async hook
// (cls-hooked) that would otherwise follow every promise of the test process.
process.env.AWS_XRAY_MANUAL_MODE = '1';
// Groups are seconds old in a test run: tests of SageMaker refusals opt in to the settling window explicitly.
process.env.GROUP_SETTLING_SECONDS = '0';
// Two hours of retries: tests of a team whose retries run out move the clock that far.
process.env.RETRY_BUDGET_MINUTES = '120';

// The SDK's own retries, with shorter waits. A throttled call is retried after a random wait of up to 1 s, then 2 s
// (other transient errors: 50 ms, 100 ms), the real backoff of a real client; the tests throttle SageMaker on
// purpose hundreds of times and would spend most of their time asleep. The attempts, the errors and the retry
// quota are still the SDK's (only the bases of its backoff change, and only in this test process).
import { Retry } from '@smithy/core/retry';

Object.assign(Retry, { delay: () => 5, throttlingDelay: () => 20 });

// As serverless.yml sets them for the audit's fan-out: the targets' queue (created by the tests that fan out), how
// long a run waits for its targets, and the queue's maxReceiveCount.
process.env.AUDIT_TARGETS_QUEUE = 'workteam-automation-local-audit-targets';
process.env.AUDIT_RUN_DEADLINE_SECONDS = '240';
process.env.AUDIT_TARGET_MAX_RECEIVES = '3';
