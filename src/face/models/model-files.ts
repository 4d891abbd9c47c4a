import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { FaceConfig } from '../../config/config.js';
import type { ModelFile } from './model-loader.js';
import { sha256OfFile } from '../../storage/file-digest.js';
import { catalogued } from '../../config/model-catalogue.js';

export type ModelSource = 'present' | 'mirror' | 'download';

/** Every model file the face pipeline loads: detector, embedder and the anti-spoofing pair. */
export function configuredModels(face: FaceConfig): ModelFile[] {
  return [face.detector, face.embedder, ...face.liveness.antiSpoofModels];
}

/**
 * Makes sure a model file with the expected sha256 is at `model.path`: already there, linked from
 * a local mirror folder holding the same file, or downloaded from upstream and verified.
 */
export async function ensureModelFile(model: ModelFile, mirrorDir: string | undefined): Promise<ModelSource> {
  if (existsSync(model.path) && (await sha256OfFile(model.path)) === model.sha256) return 'present';
  await mkdir(path.dirname(model.path), { recursive: true });
  await rm(model.path, { force: true });

  const mirrored = mirrorDir ? path.resolve(mirrorDir, path.basename(model.path)) : undefined;
  if (mirrored && existsSync(mirrored) && (await sha256OfFile(mirrored)) === model.sha256) {
    await symlink(mirrored, model.path);
    return 'mirror';
  }

  const url = catalogued(model.sha256)?.url;
  if (!url) throw new Error(`model "${model.id}" is missing at ${model.path} and no upstream URL is known for sha256 ${model.sha256}`);
  const partial = `${model.path}.partial`;
  try {
    const response = await fetch(url);
    if (!response.ok || !response.body) throw new Error(`GET ${url}: HTTP ${response.status}`);
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(partial));
    const actual = await sha256OfFile(partial);
    if (actual !== model.sha256) throw new Error(`downloaded ${url} has sha256 ${actual}, expected ${model.sha256}`);
    await rename(partial, model.path);
    return 'download';
  } catch (err) {
    await rm(partial, { force: true });
    throw new Error(`model "${model.id}" could not be fetched: ${(err as Error).message}`);
  }
}
