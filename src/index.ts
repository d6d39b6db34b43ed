// runtime.js must be evaluated before anything loads snowflake-sdk.
import './runtime.js';
import { run } from './main.js';

await run();
// The Snowflake driver may still be retrying a statement we stopped waiting for, and its timers would keep
// the process alive: the run is over, so end it (with the exit code core.setFailed set).
process.exit();
