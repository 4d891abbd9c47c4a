import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { FaceConfig } from '../../config/config.js';
import type { ModelFile } from './model-loader.js';
import { sha256OfFile } from '../../storage/file-digest.js';

/** Upstream sources of the models the defaults name, pinned by checksum. */
export const UPSTREAM_URLS: Record<string, string> = {
  '8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4':
    'https://github.com/opencv/opencv_zoo/raw/main/models/face_detection_yunet/face_detection_yunet_2023mar.onnx',
  b7120c095d60094f28a4a54ba6a8bf51b297a6273fb40ef6350dfec1f63d9507:
    'https://github.com/foamliu/MobileFaceNet/raw/a6cc9032a659b615f477833e1a70b5e7931bcccc/weights/MobileFaceNet.onnx',
  '4433e871ef03f6c4c13de1757e63dcd69db14b6d7d9cff2319cb274c0f6dbecb':
    'https://github.com/marcos4758/Silent-Face-Anti-Spoofing-Tests/raw/1557f99a6ca5d485763cc42d42b614a72a3ede7c/resources/anti_spoof_models/2.7_80x80_MiniFASNetV2.onnx',
  a8e67ffbaf39fa74c3b2ed673b530fcfb2f47379d0f26a52b71c2fc6473ec20f:
    'https://github.com/marcos4758/Silent-Face-Anti-Spoofing-Tests/raw/1557f99a6ca5d485763cc42d42b614a72a3ede7c/resources/anti_spoof_models/4_0_0_80x80_MiniFASNetV1SE.onnx',
  '0ba9fbfa01b5270c96627c4ef784da859931e02f04419c829e83484087c34e79':
    'https://github.com/opencv/opencv_zoo/raw/main/models/face_recognition_sface/face_recognition_sface_2021dec.onnx',
};

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
