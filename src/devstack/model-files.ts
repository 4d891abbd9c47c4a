import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { sha256OfFile, type ModelFile } from '../face/model-loader.js';

/** Upstream sources of the models the defaults name, pinned by checksum. */
export const UPSTREAM_URLS: Record<string, string> = {
  '8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4':
    'https://github.com/opencv/opencv_zoo/raw/main/models/face_detection_yunet/face_detection_yunet_2023mar.onnx',
  b7120c095d60094f28a4a54ba6a8bf51b297a6273fb40ef6350dfec1f63d9507:
    'https://github.com/foamliu/MobileFaceNet/raw/a6cc9032a659b615f477833e1a70b5e7931bcccc/weights/MobileFaceNet.onnx',
  '0ba9fbfa01b5270c96627c4ef784da859931e02f04419c829e83484087c34e79':
    'https://github.com/opencv/opencv_zoo/raw/main/models/face_recognition_sface/face_recognition_sface_2021dec.onnx',
};

export type ModelSource = 'present' | 'mirror' | 'download';

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

  const url = UPSTREAM_URLS[model.sha256];
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
