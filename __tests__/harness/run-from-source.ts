// The action run from source, as @github/local-action runs one (npmjs.com/package/@github/local-action: the
// entrypoint given to it is the module that exports run(), e.g. src/main.ts, loaded through tsx): main.ts's
// run() imported and called, with nothing imported before it. dist/index.js imports src/runtime.ts first; this
// entry does not, so whatever must happen before snowflake-sdk loads has to be arranged by the modules themselves.
import { run } from '../../src/main.js';
import { exitWhenFlushed } from '../../src/exit.js';

await run();
// As index.ts: the driver's keep-alive sockets and timers would hold the process after the run.
await exitWhenFlushed();
