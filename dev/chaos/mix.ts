import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { idFrameOf, genuineVideo } from '../liveness-cases.js';
import { noFaceVideo, videoDurationMs, videoFromImage } from '../media.js';
import { fixture } from '../paths.js';

/** Two files a session may be given; its verdict is whatever a fault-free run gives them. */
export interface MediaPair {
  name: string;
  idImage: string;
  video: string;
  /** What the pair is meant to show, for the report; the reference run decides the expected verdict. */
  intent: 'match' | 'non-match' | 'rejected';
}

export interface SessionPlan {
  index: number;
  /** Undefined: the session only ever gets its ID image and must expire. */
  pair: MediaPair | undefined;
  /** The ID image of an expiring session. */
  idImage: string;
  videoFirst: boolean;
  /** Uploads the first file twice (the second is a harmless duplicate). */
  duplicateUpload: boolean;
  /** Sends a file that is not media first (a 4xx), then the real one. */
  badUploadFirst: boolean;
  /** Repeats the create with the same Idempotency-Key and expects the same session back. */
  repeatCreate: boolean;
}

/** The media of the run: small genuine clips and photos from the fixtures, attacks made here. */
export async function prepareMedia(dir: string): Promise<{ pairs: MediaPair[]; garbage: string }> {
  const driving = genuineVideo('tpsmm_driving.mp4');
  const talking = genuineVideo('videoretalking_face1.mp4');
  const drivingId = await idFrameOf(driving, await videoDurationMs(driving), dir);
  const talkingId = await idFrameOf(talking, await videoDurationMs(talking), dir);
  const hamilton = fixture('short_hamilton_clip.mp4');
  const still = await videoFromImage(fixture('obama2.jpg'), path.join(dir, 'still-obama2.mp4'), { seconds: 2 });
  const noFace = await noFaceVideo(path.join(dir, 'no-face.mp4'));
  const garbage = path.join(dir, 'not-a-video.mp4');
  await writeFile(garbage, 'this is a text file pretending to be a selfie video\n'.repeat(50));
  return {
    garbage,
    pairs: [
      { name: 'tpsmm driving clip vs its ID frame', idImage: drivingId, video: driving, intent: 'match' },
      { name: 'videoretalking clip vs its ID frame', idImage: talkingId, video: talking, intent: 'match' },
      { name: 'hamilton clip vs Lin-Manuel Miranda photo', idImage: fixture('lin-manuel-miranda.png'), video: hamilton, intent: 'match' },
      { name: 'tpsmm driving clip vs videoretalking ID frame', idImage: talkingId, video: driving, intent: 'non-match' },
      { name: 'hamilton clip vs Obama photo', idImage: fixture('obama.jpg'), video: hamilton, intent: 'non-match' },
      { name: 'still photo video (obama2 vs obama)', idImage: fixture('obama.jpg'), video: still, intent: 'rejected' },
      { name: 'video without a face', idImage: fixture('obama.jpg'), video: noFace, intent: 'rejected' },
    ],
  };
}

/** A small seeded generator (mulberry32): the same seed gives the same mix and the same fault times. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The session mix: about 40 % matches, 25 % non-matches, 25 % rejected media and 10 % sessions
 * that expire; independently, duplicate uploads, a bad file first, and repeated creates.
 */
export function planSessions(count: number, pairs: MediaPair[], random: () => number): SessionPlan[] {
  const byIntent = (intent: MediaPair['intent']) => pairs.filter((p) => p.intent === intent);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;
  return Array.from({ length: count }, (_, index) => {
    const roll = random();
    const pair = roll < 0.4 ? pick(byIntent('match')) : roll < 0.65 ? pick(byIntent('non-match')) : roll < 0.9 ? pick(byIntent('rejected')) : undefined;
    return {
      index,
      pair,
      idImage: pair?.idImage ?? pick(pairs).idImage,
      videoFirst: random() < 0.5,
      duplicateUpload: random() < 0.15,
      badUploadFirst: random() < 0.08,
      repeatCreate: random() < 0.15,
    };
  });
}
