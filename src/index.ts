// runtime.js must be evaluated before anything loads snowflake-sdk.
import './runtime.js';
import { run } from './main.js';

await run();
