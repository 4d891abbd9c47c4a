import sharp from 'sharp';
import type { FileKind } from '../contract/face-similarity.js';
import type { DecoderSettings } from './decoder-process.js';
import { MediaRejectedError } from './errors.js';
import type { ProbeSlots } from './ffprobe.js';
import { checkImageStructure } from './structure.js';
import { readVideoHeader } from './video-header.js';
import { assertDecodable, type VideoLimits } from './video-probe.js';

/** What an upload is checked against before it is accepted. */
export interface UploadMediaLimits {
  decoder: DecoderSettings;
  maxImagePixels: number;
  video: VideoLimits;
  /** The API's probes at once (ffprobe processes for WebM and unusual MP4s). */
  probeSlots: ProbeSlots;
}

/**
 * Checks an upload before it is accepted, so a truncated or oversized file is refused now rather
 * than rejected minutes later by the GPU worker. Images by their structure and their header's
 * pixel count (no decoding); videos by their header (MP4/MOV from their boxes in-process, WebM
 * by ffprobe in the decoder sandbox): one video stream, a codec we decode, within the duration,
 * pixel, frame-rate and frame-count bounds the GPU worker applies. Throws MediaRejectedError with
 * the reason the GPU worker would have given.
 */
export async function verifyUpload(kind: FileKind, mediaType: string, file: string, limits: UploadMediaLimits): Promise<void> {
  if (kind === 'ID_IMAGE') {
    const structure = await checkImageStructure(file, mediaType);
    if (!structure.ok) throw new MediaRejectedError('UNREADABLE_IMAGE', structure.reason);
    // Dimensions from the header alone (no decode): a tiny file can declare billions of pixels.
    const { width = 0, height = 0 } = await sharp(file).metadata().catch(() => ({ width: 0, height: 0 }));
    if (width * height === 0) throw new MediaRejectedError('UNREADABLE_IMAGE', 'the image header could not be read');
    if (width * height > limits.maxImagePixels) throw new MediaRejectedError('IMAGE_TOO_LARGE', `${width}x${height}; the limit is ${limits.maxImagePixels} pixels`);
    return;
  }
  const { probe } = await readVideoHeader(file, limits.decoder, { maxPixels: limits.video.maxPixels, slots: limits.probeSlots });
  assertDecodable(probe, limits.video);
}
