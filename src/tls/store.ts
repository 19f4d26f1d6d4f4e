/**
 * The CA's files. `ca-key.pem` holds the private key and the certificate together (mode 0600): it is the
 * single commit point, so a CA exists whole or not at all. `ca-cert.pem` holds the certificate alone (mode
 * 0644) for people to trust; it is derived from ca-key.pem and rewritten whenever it differs.
 *
 * Creation publishes ca-key.pem with link(2) from a complete, synced temporary file: link fails with EEXIST
 * when another process got there first, so two processes starting at once agree on one CA (the loser
 * reads the winner's) and nobody ever reads a half-written file. A rename would silently replace the
 * winner's CA after it had already signed leaves.
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CaConfigError } from './errors.js';

export const CA_KEY_FILE = 'ca-key.pem';
export const CA_CERT_FILE = 'ca-cert.pem';

export const KEY_FILE_MODE = 0o600;
export const CERT_FILE_MODE = 0o644;
export const DIR_MODE = 0o700;

/** `~/.wsdiag`: where the CA lives unless a directory is given. */
export function defaultCaDir(): string {
  return join(homedir(), '.wsdiag');
}

/** Creates the directory (and its parents) with mode 0700 if missing; an existing one is left as it is. */
export async function ensureCaDir(dir: string): Promise<void> {
  try {
    await makeDirectory(dir);
  } catch (err) {
    throw new CaConfigError(`cannot create the CA directory ${dir}: ${reason(err)}`, { cause: err });
  }
  const info = await stat(dir).catch((err: unknown) => {
    throw new CaConfigError(`cannot read the CA directory ${dir}: ${reason(err)}`, { cause: err });
  });
  if (!info.isDirectory()) throw new CaConfigError(`the CA directory ${dir} is not a directory`);
}

/**
 * mkdir -p with mode 0700 for each directory it creates. Not fs.mkdir's `recursive`: on Node 20 that
 * never returns for a path under /proc, where mkdir(2) answers ENOENT for every level.
 */
async function makeDirectory(dir: string): Promise<void> {
  let created = await makeOneDirectory(dir);
  if (created === null) {
    const parent = dirname(dir);
    if (parent === dir) throw Object.assign(new Error(`ENOENT: no such file or directory, mkdir '${dir}'`), { code: 'ENOENT' });
    await makeDirectory(parent);
    created = await makeOneDirectory(dir);
    if (created === null) throw Object.assign(new Error(`ENOENT: no such file or directory, mkdir '${dir}'`), { code: 'ENOENT' });
  }
  // mkdir's mode goes through the umask; a permissive umask must not make the CA's home group-readable.
  if (created) await chmod(dir, DIR_MODE);
}

/** true: made it; false: it exists (maybe just made by a concurrent opener); null: its parent is missing. */
async function makeOneDirectory(dir: string): Promise<boolean | null> {
  try {
    await mkdir(dir, { mode: DIR_MODE });
    return true;
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    if (errorCode(err) === 'ENOENT') return null;
    throw err;
  }
}

/** The text of a CA file, or null if it does not exist; any other failure is a CaConfigError. */
export async function readCaFile(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null;
    throw new CaConfigError(`cannot read ${path}: ${reason(err)}`, { cause: err });
  }
}

/**
 * Publishes `content` as dir/name only if that file does not exist yet. Returns false, without touching
 * the existing file, when another process published it first.
 */
export async function publishIfAbsent(dir: string, name: string, content: string, mode: number): Promise<boolean> {
  const target = join(dir, name);
  const temp = await writeTemp(dir, name, content, mode);
  try {
    await link(temp, target);
    return true;
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    throw new CaConfigError(`cannot create ${target}: ${reason(err)}`, { cause: err });
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** Writes dir/name whole, replacing any previous version atomically (temporary file + rename). */
export async function replaceFile(dir: string, name: string, content: string, mode: number): Promise<void> {
  const target = join(dir, name);
  const temp = await writeTemp(dir, name, content, mode);
  try {
    await rename(temp, target);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw new CaConfigError(`cannot write ${target}: ${reason(err)}`, { cause: err });
  }
}

/** A new file in `dir` with exactly `mode` and `content`, flushed to disk; returns its path. */
async function writeTemp(dir: string, name: string, content: string, mode: number): Promise<string> {
  const temp = join(dir, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.chmod(mode); // exact mode whatever the umask
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return temp;
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw new CaConfigError(`cannot write in the CA directory ${dir}: ${reason(err)}`, { cause: err });
  }
}

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

function reason(err: unknown): string {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code === undefined) return message;
  // "EACCES: permission denied, open '/x'" → "permission denied (EACCES)": the path is already in our message.
  const what = message.replace(/^[A-Z]+: /, '').split(',')[0] ?? message;
  return `${what} (${code})`;
}
