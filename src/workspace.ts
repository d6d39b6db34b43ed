import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  realpathSync,
  statSync,
  type Stats,
} from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { inputError } from './errors.js';

/**
 * The one way the action reads a file named by an input. Such a file comes from the repository, which a pull
 * request controls (verify runs on pull requests), and an error about it may quote it back into the log, so a
 * file is read only when it really is a file of the workspace:
 * - its real path (every symbolic link resolved, in the path and in the workspace's own path) is inside the
 *   workspace's real path: a link in a pull request must not read the runner's files into the log;
 * - it is not under `.git`, which holds Git's metadata and, after actions/checkout, the token it persisted
 *   (`http.extraheader`), never an access spec;
 * - it is a regular file: a FIFO would hang the run, a device (/dev/zero, /dev/urandom) flood it;
 * - it is at most `maxBytes` long, checked on the open file, not only before opening it.
 * The file is opened without following a link and without blocking, and the opened file must be the one that
 * was checked (same device and inode), so a file swapped for a link or a FIFO in between is refused too.
 */
export interface WorkspaceFile {
  text: string;
  /** The path of the file read, relative to the workspace (where annotations point). */
  path: string;
}

export interface WorkspaceFileRules {
  /** The input that names the file, for the messages. */
  input: string;
  maxBytes: number;
  /** What such a file is, e.g. 'an access spec is a short YAML file'. */
  sizeAdvice: string;
  /** What to do when the file cannot be read, e.g. 'check out the repository first'. */
  readAdvice: string;
}

/** Flags the platform lacks are 0 (Windows has neither O_NOFOLLOW nor O_NONBLOCK, nor FIFOs to block on). */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export function readWorkspaceFile(workspace: string, path: string, rules: WorkspaceFileRules): WorkspaceFile {
  const { input } = rules;
  const refuse = (problem: string, fix: string) => inputError(input, `names ${path}, ${problem}`, fix);
  const inside = 'Give a path inside the repository, e.g. snowflake/access.yml';
  const named = resolve(workspace, path);
  if (!isWithin(workspace, named)) throw refuse('which is outside the workspace', inside);
  if (inGitDirectory(relative(workspace, named))) throw refuse(GIT_PROBLEM, inside);

  let realWorkspace: string;
  let real: string;
  let checked: Stats;
  try {
    realWorkspace = realpathSync(workspace);
    real = realpathSync(named);
    checked = statSync(real);
  } catch (error) {
    throw refuse(
      `which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      rules.readAdvice,
    );
  }
  // The target is not named: it is a path on the runner, which is not the pull request's business.
  if (!isWithin(realWorkspace, real)) {
    throw refuse(
      'which is a symbolic link to a file outside the workspace',
      `${inside}, not a link out of it`,
    );
  }
  const readPath = relative(realWorkspace, real);
  if (inGitDirectory(readPath)) throw refuse(`which is a link into .git: ${GIT_PROBLEM}`, inside);
  if (!checked.isFile()) throw refuse(`which is ${describeKind(checked)}, not a regular file`, inside);
  if (checked.size > rules.maxBytes) {
    throw refuse(`which is larger than ${rules.maxBytes} bytes`, rules.sizeAdvice);
  }

  let fd: number;
  try {
    fd = openSync(real, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    // ELOOP: O_NOFOLLOW met a link where the checked file was.
    if (code === 'ELOOP') throw refuse('which changed into a symbolic link while being read', inside);
    throw refuse(`which cannot be read (${code})`, rules.readAdvice);
  }
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile() || opened.dev !== checked.dev || opened.ino !== checked.ino) {
      throw refuse('which was replaced by another file while being read', inside);
    }
    // Read to its end, whatever fstat said, so a file that grew is neither cut short nor read past the cap:
    // one byte more than allowed tells a file that grew beyond it.
    const buffer = Buffer.alloc(rules.maxBytes + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length < buffer.length; length += read) {
      read = readSync(fd, buffer, length, buffer.length - length, null);
    }
    if (length > rules.maxBytes)
      throw refuse(`which is larger than ${rules.maxBytes} bytes`, rules.sizeAdvice);
    return { text: buffer.subarray(0, length).toString('utf8'), path: readPath || path };
  } finally {
    closeSync(fd);
  }
}

const GIT_PROBLEM =
  "a file of Git's own metadata (.git), which holds the credentials actions/checkout persists and is never an access spec";

function isWithin(directory: string, path: string): boolean {
  const rel = relative(directory, path);
  return !isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`);
}

/** Any component named .git, in any case: on a case-insensitive file system .GIT is the same directory. */
function inGitDirectory(relativePath: string): boolean {
  return relativePath.split(/[\\/]/).some((part) => part.toLowerCase() === '.git');
}

function describeKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}
