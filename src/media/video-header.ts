import { open } from 'node:fs/promises';
import type { DecoderSettings } from './decoder-process.js';
import { MediaRejectedError } from './errors.js';
import { probeVideo, type ProbeSlots } from './ffprobe.js';
import { readMovieHeader } from './movie-header.js';
import { VIDEO_DEMUXERS, sniffMediaType } from './sniff.js';
import type { VideoProbe } from './video-probe.js';

/** The ffmpeg demuxer a video's own first bytes call for (never the client's word, never ffmpeg's guess). */
export async function demuxerOf(videoPath: string): Promise<string> {
  const head = Buffer.alloc(16);
  const handle = await open(videoPath, 'r');
  try {
    await handle.read(head, 0, 16, 0);
  } finally {
    await handle.close();
  }
  const demuxer = VIDEO_DEMUXERS[sniffMediaType(head) ?? ''];
  if (!demuxer) throw new MediaRejectedError('UNREADABLE_VIDEO', 'the file is not an MP4, MOV or WebM video');
  return demuxer;
}

/**
 * A video's header as cheaply as it can be had, each file read once: MP4 and MOV from their boxes
 * in-process (movie-header.ts), WebM and the unusual MP4 from ffprobe (under `slots` when given).
 * A file with no or several video streams is refused from the boxes alone.
 */
export async function readVideoHeader(
  videoPath: string,
  decoder: DecoderSettings,
  bounds: { maxPixels: number; slots?: ProbeSlots },
): Promise<{ probe: VideoProbe; demuxer: string }> {
  const demuxer = await demuxerOf(videoPath);
  if (demuxer === 'mov') {
    const header = await readMovieHeader(videoPath);
    if (header.kind === 'unreadable') throw new MediaRejectedError('UNREADABLE_VIDEO', header.reason);
    if (header.kind === 'plain') return { probe: header.probe, demuxer };
    if (header.videoTracks === 0) throw new MediaRejectedError('UNREADABLE_VIDEO', 'the file has no video track');
    if (header.videoTracks !== undefined && header.videoTracks > 1) throw new MediaRejectedError('UNREADABLE_VIDEO', `the file has ${header.videoTracks} video tracks; send a video with one`);
  }
  const probe = () => probeVideo(videoPath, demuxer, decoder, bounds.maxPixels);
  return { probe: await (bounds.slots ? bounds.slots.run(probe) : probe()), demuxer };
}
