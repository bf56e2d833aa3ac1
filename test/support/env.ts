// Quiet Powertools during tests (set TEST_LOGS=1 to see the functions' logs); metrics are not emitted.
if (!process.env.TEST_LOGS) process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_TRACE_ENABLED = 'false';
