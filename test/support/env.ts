// Quiet Powertools during tests (set TEST_LOGS=1 to see the functions' logs); metrics are not emitted.
if (!process.env.TEST_LOGS) process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_TRACE_ENABLED = 'false';
// Groups are seconds old in a test run: tests of SageMaker refusals opt in to the settling window explicitly.
process.env.GROUP_SETTLING_SECONDS = '0';
// Few attempts, so that tests of a team whose retries run out stay short.
process.env.MAX_APPLY_ATTEMPTS = '3';
