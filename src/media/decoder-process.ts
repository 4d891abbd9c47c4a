import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** Where the decoder binaries are, how long one may run, and how it is confined; from the config. */
export interface DecoderSettings {
  ffmpegPath: string;
  ffprobePath: string;
  timeoutMs: number;
  /** PATH of the decoder processes, the one variable they inherit. */
  searchPath: string;
  /** `bwrap`: each decoder in a bubblewrap sandbox; `none`: a plain child; `auto`: bwrap where it runs (development). */
  sandbox: 'bwrap' | 'none' | 'auto';
}

/** How one decoder process is started: the program and its arguments, with its environment. */
export interface DecoderLaunch {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  sandboxed: boolean;
}

/**
 * The environment of every decoder process: PATH only. ffmpeg parses hostile bytes, so it gets
 * no database URL, no cloud credentials, no secrets of ours to leak through a decoder bug.
 */
export function decoderEnv(decoder: Pick<DecoderSettings, 'searchPath'>): NodeJS.ProcessEnv {
  return { PATH: decoder.searchPath };
}

/** The input options every ffmpeg and ffprobe run gets: the container forced, local files only. */
export function demuxerOptions(demuxer: string): string[] {
  return ['-f', demuxer, '-protocol_whitelist', 'file'];
}

const BWRAP_CANDIDATES = ['/usr/bin/bwrap', '/usr/local/bin/bwrap', '/bin/bwrap'];
const ROOT_LINKS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

let working: string | null | undefined;
/**
 * bubblewrap's path when it is installed and can make its namespaces here (containers often
 * forbid user namespaces), or null; tried once per process.
 */
export function bubblewrap(): string | null {
  if (working !== undefined) return working;
  const bwrap = BWRAP_CANDIDATES.find((p) => existsSync(p));
  const tried = bwrap ? spawnSync(bwrap, ['--unshare-all', '--die-with-parent', ...rootArgs(), '--proc', '/proc', '--dev', '/dev', '--', '/usr/bin/true'], { env: {}, timeout: 10_000 }) : undefined;
  working = bwrap && tried?.status === 0 ? bwrap : null;
  return working;
}

/** Refuses to go on when the configuration asks for a sandbox this machine cannot make: at boot, not at the first upload. */
export function assertSandboxAvailable(decoder: Pick<DecoderSettings, 'sandbox'>): void {
  if (decoder.sandbox === 'bwrap' && !bubblewrap()) {
    throw new Error('DECODER_SANDBOX=bwrap, but bubblewrap is missing or cannot create namespaces here (install bubblewrap; allow user namespaces), or set DECODER_SANDBOX=none knowingly');
  }
}

/** How the root's merged-/usr directories look in the sandbox: symlinks where the host has them, read-only binds otherwise. */
function rootArgs(): string[] {
  const args: string[] = ['--ro-bind', '/usr', '/usr'];
  for (const dir of ROOT_LINKS) {
    if (!existsSync(dir)) continue;
    if (lstatSync(dir).isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else args.push('--ro-bind', dir, dir);
  }
  // The dynamic loader's cache and Debian's alternatives (libblas and the like) for a dynamically linked ffprobe.
  for (const file of ['/etc/ld.so.cache', '/etc/alternatives']) if (existsSync(file)) args.push('--ro-bind', file, file);
  return args;
}

/**
 * Starts a decoder on one input file. In a sandbox (bubblewrap), the decoder sees the system's
 * read-only /usr, its own binary, and the one input file read-only: no network (a network
 * namespace of its own, with nothing listening), no other process (its own pid namespace and
 * /proc, so no parent's environment or memory), no writable storage but an in-memory /tmp, no
 * capability, and nobody's uid. Its output leaves through the pipe it was given.
 */
export function decoderLaunch(decoder: DecoderSettings, binary: string, args: string[], inputFile: string): DecoderLaunch {
  const env = decoderEnv(decoder);
  const bwrap = decoder.sandbox === 'none' ? null : bubblewrap();
  if (!bwrap) {
    if (decoder.sandbox === 'bwrap') throw new Error('DECODER_SANDBOX=bwrap but bubblewrap (bwrap) is not installed');
    return { command: binary, args, env, sandboxed: false };
  }
  const program = resolveOnPath(binary, decoder.searchPath);
  const input = realpathSync(inputFile);
  const sandbox = [
    '--unshare-all',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--setenv', 'PATH', decoder.searchPath,
    ...rootArgs(),
    '--proc', '/proc',
    '--dev', '/dev',
    // Before the binds: a later mount over /tmp would hide an input (or binary) that lives there.
    '--tmpfs', '/tmp',
    '--ro-bind', program, program,
    '--ro-bind', input, input,
    '--cap-drop', 'ALL',
    '--uid', '65534',
    '--gid', '65534',
    '--',
  ];
  return { command: bwrap, args: [...sandbox, program, ...args.map((a) => (a === inputFile ? input : a))], env, sandboxed: true };
}

/** A binary named without a path, as the decoder's PATH finds it. */
function resolveOnPath(binary: string, searchPath: string): string {
  if (binary.includes('/')) return realpathSync(binary);
  for (const dir of searchPath.split(':')) {
    const candidate = path.join(dir, binary);
    if (existsSync(candidate)) return realpathSync(candidate);
  }
  throw new Error(`${binary} not found on PATH`);
}
