import sharp from 'sharp';
import type { FileKind } from '../contract/face-similarity.js';
import { MediaRejectedError } from './errors.js';
import { probeVideo, type DecoderSettings } from './probe.js';
import { checkStructure } from './structure.js';

/** What an upload is checked against before it is accepted. */
export interface UploadMediaLimits {
  decoder: DecoderSettings;
  maxImagePixels: number;
  maxVideoDurationMs: number;
}

/**
 * Checks an upload before it is accepted, so a truncated file is refused now rather than
 * rejected minutes later by the GPU worker. JPEG, PNG, WebP, HEIC, MP4 and MOV by their
 * structure (no decoding, no process: microseconds); WebM, whose structure is harder to walk, by
 * ffprobe. Throws MediaRejectedError with the reason the GPU worker would have given.
 */
export async function verifyUpload(kind: FileKind, mediaType: string, file: string, limits: UploadMediaLimits): Promise<void> {
  const unreadable = kind === 'ID_IMAGE' ? 'UNREADABLE_IMAGE' : 'UNREADABLE_VIDEO';
  if (kind === 'ID_IMAGE') {
    // Dimensions from the header alone (no decode): a tiny file can declare billions of pixels.
    const { width = 0, height = 0 } = await sharp(file).metadata().catch(() => ({ width: 0, height: 0 }));
    if (width * height > limits.maxImagePixels) {
      throw new MediaRejectedError('IMAGE_TOO_LARGE', `${width}x${height}; the limit is ${limits.maxImagePixels} pixels`);
    }
  }
  let durationMs: number | undefined;
  if (mediaType === 'video/webm') {
    durationMs = (await probeVideo(file, limits.decoder)).durationMs;
  } else {
    const verdict = await checkStructure(file, mediaType);
    if (!verdict.ok) throw new MediaRejectedError(unreadable, verdict.reason);
    durationMs = verdict.durationMs;
  }
  if (kind === 'SELFIE_VIDEO' && durationMs !== undefined && durationMs > limits.maxVideoDurationMs) {
    throw new MediaRejectedError('VIDEO_TOO_LONG', `${durationMs} ms; the limit is ${limits.maxVideoDurationMs} ms`);
  }
}
