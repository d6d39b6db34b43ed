// Runs before every test file, before any module loads: the same switches src/runtime.ts sets
// for the bundled action, so that snowflake-sdk loaded inside Jest neither probes cloud metadata
// endpoints nor tries to load its native addon, and no HTTP proxy of the developer's shell applies.
process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = 'true';
process.env.SNOWFLAKE_DISABLE_MINICORE = '1';
for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete process.env[name];
