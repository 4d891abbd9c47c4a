import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './app-root.js';

/**
 * The pinned static ffmpeg that scripts/ensure-ffmpeg.sh installs (`npm run dev`, `npm test` and
 * the benchmarks run it), else ffmpeg on PATH, as in the GPU worker's image, which puts the same
 * build there. It starts in about 1 ms where Debian's takes about 50 ms of CPU.
 */
export function bundledFfmpeg(root = REPO_ROOT): string {
  return bundled(root, 'ffmpeg');
}

/** The ffprobe scripts/ensure-ffprobe.sh installs on a machine that had none, else ffprobe on PATH. */
export function bundledFfprobe(root = REPO_ROOT): string {
  return bundled(root, 'ffprobe');
}

/** `.tools/ffmpeg/<tool>` when it is there and runs, else the bare name (PATH decides). */
function bundled(root: string, tool: 'ffmpeg' | 'ffprobe'): string {
  const file = path.join(root, '.tools', 'ffmpeg', tool);
  try {
    accessSync(file, constants.X_OK);
    return file;
  } catch {
    return tool;
  }
}

/** The environment a process loads its configuration from, with the tools this checkout provides filled in. */
export function withToolDefaults(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, FFMPEG_PATH: env.FFMPEG_PATH || bundledFfmpeg(), FFPROBE_PATH: env.FFPROBE_PATH || bundledFfprobe() };
}
