// The action run from source, as @github/local-action runs one (its README: the entrypoint is the file that
// exports run(), e.g. src/main.ts, loaded through tsx): main.ts's run() imported and called, with nothing
// imported before it. dist/index.js imports src/runtime.ts first; this entry does not, so whatever must happen
// before snowflake-sdk loads has to be arranged by the modules themselves.
import { run } from '../../src/main.js';

await run();
// As index.ts: the driver's timers would keep the process alive after the run.
process.exit();
