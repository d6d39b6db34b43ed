// runtime.js first, so that the key generation it starts runs while everything else loads (snowflake/connection.ts
// imports it before the Snowflake driver too, for any other entry point).
import './runtime.js';
import { exitWhenFlushed } from './exit.js';
import { run } from './main.js';

await run();
// The Snowflake driver may still be retrying a statement we stopped waiting for, and its timers would keep
// the process alive: the run is over, so end it, once what it printed is out.
await exitWhenFlushed();
