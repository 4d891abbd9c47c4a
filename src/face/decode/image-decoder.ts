import sharp from 'sharp';
import { MediaRejectedError } from '../../media/errors.js';
import type { RgbImage } from '../types.js';

/** sharp's own default bound, where a caller gives none. */
const SHARP_DEFAULT_MAX_PIXELS = 268_402_689;

/**
 * Decodes any still image sharp reads (JPEG, PNG, WebP, HEIF, …) to upright RGB, honouring EXIF
 * orientation. An image declaring more than `maxPixels` is refused from its header, before its
 * pixels are decoded: a 16k x 16k PNG of 800 kB would otherwise cost about 1.7 GB.
 */
export async function decodeImage(input: string | Buffer, maxPixels = SHARP_DEFAULT_MAX_PIXELS): Promise<RgbImage> {
  let declared: { width?: number; height?: number };
  try {
    declared = await sharp(input).metadata();
  } catch (err) {
    throw new MediaRejectedError('UNREADABLE_IMAGE', 'the image could not be decoded', undefined, (err as Error).message);
  }
  if ((declared.width ?? 0) * (declared.height ?? 0) > maxPixels) {
    throw new MediaRejectedError('IMAGE_TOO_LARGE', `image is ${declared.width}x${declared.height}; the limit is ${maxPixels} pixels`);
  }
  try {
    const { data, info } = await sharp(input, { failOn: 'error', limitInputPixels: maxPixels })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (err) {
    throw new MediaRejectedError('UNREADABLE_IMAGE', 'the image could not be decoded', undefined, (err as Error).message);
  }
}
