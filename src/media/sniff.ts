import type { FileKind } from '../contract/face-similarity.js';

/**
 * Media types each kind accepts, judged from the content's magic bytes, never from the client.
 * HEIC is recognised but not accepted: the image decoder (sharp's libvips build) cannot decode
 * HEVC stills, so a HEIC ID would pass the upload and fail every comparison. Phones send JPEG
 * when a web page or an app asks for it (iOS converts on upload).
 */
export const ACCEPTED_MEDIA: Record<FileKind, readonly string[]> = {
  ID_IMAGE: ['image/jpeg', 'image/png', 'image/webp'],
  SELFIE_VIDEO: ['video/mp4', 'video/quicktime', 'video/webm'],
};

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1', 'avif']);

export function sniffMediaType(head: Buffer): string | undefined {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  if (head.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]))) return 'video/webm';
  if (head.toString('latin1', 4, 8) === 'ftyp') {
    const brand = head.toString('latin1', 8, 12);
    if (HEIF_BRANDS.has(brand)) return brand === 'avif' ? 'image/avif' : 'image/heic';
    if (brand === 'qt  ') return 'video/quicktime';
    return 'video/mp4';
  }
  return undefined;
}

/**
 * The ffmpeg demuxer for a sniffed video type. Decoders are always told the container: left to
 * guess, ffmpeg picks whatever format the bytes best resemble, playlists and manifests included.
 */
export const VIDEO_DEMUXERS: Readonly<Record<string, string>> = {
  'video/mp4': 'mov',
  'video/quicktime': 'mov',
  'video/webm': 'matroska',
};
