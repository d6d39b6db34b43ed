/**
 * Ends the process (with process.exitCode, which core.setFailed sets) once stdout and stderr have taken
 * everything written to them. The runner reads both through pipes, to which Node.js writes asynchronously on
 * POSIX, and process.exit() drops what is still queued (nodejs.org/api/process.html, "A note on process I/O"):
 * the outputs' and the failure's commands, written last, would be lost behind a long log.
 */
export async function exitWhenFlushed(): Promise<never> {
  await Promise.all(
    [process.stdout, process.stderr].map(
      (stream) => new Promise<void>((resolve) => stream.write('', () => resolve())),
    ),
  );
  return process.exit();
}
