import path from 'node:path';
import { FIXTURES_DIR, fixture } from './paths.js';
import { filmedCardVideo, filteredVideo, frameAt, idCardImage, screenReplayVideo, tiltedPhotoVideo, videoFromImage } from './media.js';

export const LIVENESS_DIR = path.resolve(FIXTURES_DIR, '..', 'liveness');
export const genuineVideo = (name: string) => path.join(LIVENESS_DIR, 'genuine', name);
export const attackVideo = (name: string) => path.join(LIVENESS_DIR, 'attack', name);

export const GENUINE_VIDEOS = [
  'liveportrait_d13.mp4',
  'liveportrait_d3.mp4',
  'tpsmm_driving.mp4',
  'videoretalking_face1.mp4',
  'videoretalking_face4.mp4',
  'intel_head-pose-face-detection-female.mp4',
  'silentface_demo_seg1_live.mp4',
] as const;

export const ATTACK_VIDEOS = [
  'silentface_demo_seg2_phone_replay.mp4',
  'silentface_demo_seg3_printed_photo.mp4',
  'sadtalker_example_crop_photo_animation.mp4',
] as const;

export interface LivenessCase {
  name: string;
  genuine: boolean;
  idImage: string;
  video: string;
  /** The capture it was made from: variations of one capture stay on one side of a calibration split. */
  source?: string;
}

/** The same genuine capture as other phones and hands would film it. */
const GENUINE_VARIATIONS: readonly { name: string; filters: string; encoder?: readonly string[] }[] = [
  { name: 'close-up', filters: 'crop=iw*0.62:ih*0.62,scale=720:-2' },
  { name: 'small', filters: 'scale=360:-2' },
  { name: 'low bitrate', filters: 'scale=trunc(iw/2)*2:trunc(ih/2)*2', encoder: ['-crf', '36'] },
  { name: 'grey', filters: 'format=gray,scale=trunc(iw/2)*2:trunc(ih/2)*2' },
];

/** Every genuine clip in each of GENUINE_VARIATIONS, against the clip's own ID frame. */
export async function genuineVariationCases(dir: string, durationOf: (video: string) => Promise<number>): Promise<LivenessCase[]> {
  const cases: LivenessCase[] = [];
  for (const name of GENUINE_VIDEOS) {
    const video = genuineVideo(name);
    const idImage = await idFrameOf(video, await durationOf(video), dir);
    for (const v of GENUINE_VARIATIONS) {
      const out = path.join(dir, `${path.basename(name, '.mp4')}-${v.name.replace(/\W+/g, '-')}.mp4`);
      cases.push({ name: `${name} ${v.name}`, genuine: true, source: name, idImage, video: await filteredVideo(video, v.filters, out, v.encoder) });
    }
  }
  return cases;
}

/**
 * The "ID photo" of a genuine clip: a frame of the same clip at another moment than the sampled
 * ones (no genuine video here comes with a real ID photo of its person), enlarged as a scan would be.
 */
export async function idFrameOf(video: string, durationMs: number, dir: string): Promise<string> {
  return frameAt(video, Math.max(0, (durationMs * 0.7) / 1000 + 0.27), path.join(dir, `${path.basename(video)}.id.png`), 720);
}

/** Every genuine fixture and every attack: the shared clips and those made here from the face photos. */
export async function livenessCases(dir: string, durationOf: (video: string) => Promise<number>): Promise<LivenessCase[]> {
  const out = (name: string) => path.join(dir, name);
  const cases: LivenessCase[] = [];
  for (const name of GENUINE_VIDEOS) {
    const video = genuineVideo(name);
    cases.push({ name, genuine: true, source: name, video, idImage: await idFrameOf(video, await durationOf(video), dir) });
  }
  const hamilton = fixture('short_hamilton_clip.mp4');
  cases.push({ name: 'short_hamilton_clip.mp4 (vs photo)', genuine: true, video: hamilton, idImage: fixture('lin-manuel-miranda.png') });
  const d3 = genuineVideo('liveportrait_d3.mp4');
  cases.push({
    name: 'liveportrait_d3 upside down',
    genuine: true,
    source: 'liveportrait_d3.mp4',
    video: await filteredVideo(d3, 'hflip,vflip', out('d3-upside-down.mp4')),
    idImage: await idFrameOf(d3, await durationOf(d3), dir),
  });
  // Half speed: a slow, quiet talker, whose face changes half as much between sampled frames.
  const face1 = genuineVideo('videoretalking_face1.mp4');
  cases.push({
    name: 'videoretalking_face1 at half speed',
    genuine: true,
    source: 'videoretalking_face1.mp4',
    video: await filteredVideo(face1, 'setpts=2*PTS', out('face1-half-speed.mp4')),
    idImage: await idFrameOf(face1, await durationOf(face1), dir),
  });
  for (const name of ATTACK_VIDEOS) {
    const video = attackVideo(name);
    cases.push({ name, genuine: false, video, idImage: await idFrameOf(video, await durationOf(video), dir) });
  }
  cases.push(
    { name: 'still photo (obama2 vs obama)', genuine: false, idImage: fixture('obama.jpg'), video: await videoFromImage(fixture('obama2.jpg'), out('still-obama2.mp4'), { seconds: 3 }) },
    { name: 'still photo (biden2 vs biden)', genuine: false, idImage: fixture('biden.jpg'), video: await videoFromImage(fixture('biden2.jpg'), out('still-biden2.mp4'), { seconds: 3 }) },
    { name: 'ID photo looped (obama)', genuine: false, idImage: fixture('obama.jpg'), video: await videoFromImage(fixture('obama.jpg'), out('loop-obama.mp4'), { seconds: 3 }) },
    { name: 'tilted print (obama2 vs obama)', genuine: false, idImage: fixture('obama.jpg'), video: await tiltedPhotoVideo(fixture('obama2.jpg'), out('tilt-obama2.mp4')) },
    { name: 'tilted print (biden2 vs biden)', genuine: false, idImage: fixture('biden.jpg'), video: await tiltedPhotoVideo(fixture('biden2.jpg'), out('tilt-biden2.mp4')) },
    { name: 'screen replay (obama vs obama2)', genuine: false, idImage: fixture('obama2.jpg'), video: await screenReplayVideo(fixture('obama.jpg'), out('screen-obama.mp4')) },
    { name: 'screen replay (biden2 vs biden)', genuine: false, idImage: fixture('biden.jpg'), video: await screenReplayVideo(fixture('biden2.jpg'), out('screen-biden2.mp4')) },
  );
  // The same flat attacks through a worse camera: sensor noise that changes every frame, blur.
  cases.push(
    {
      name: 'tilted print, noisy camera (obama2)',
      genuine: false,
      idImage: fixture('obama.jpg'),
      video: await filteredVideo(out('tilt-obama2.mp4'), 'noise=alls=20:allf=t+u', out('tilt-obama2-noisy.mp4')),
    },
    {
      name: 'screen replay, blurred, noisy (biden2)',
      genuine: false,
      idImage: fixture('biden.jpg'),
      video: await filteredVideo(out('screen-biden2.mp4'), 'gblur=sigma=1.5,noise=alls=20:allf=t+u', out('screen-biden2-noisy.mp4')),
    },
  );
  for (const [who, photo] of [['obama', 'obama.jpg'], ['biden2', 'biden2.jpg']] as const) {
    const card = await idCardImage(fixture(photo), out(`card-${who}.png`));
    cases.push({ name: `ID card filmed (${who})`, genuine: false, idImage: card, video: await filmedCardVideo(card, out(`card-${who}.mp4`)) });
  }
  return cases;
}
