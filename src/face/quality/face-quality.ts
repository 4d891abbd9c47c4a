import type { DetectedFace } from '../types.js';

/** Faces this many pixels across (short side of the box) or more count as full size. */
export const FULL_SIZE_FACE_PX = 112;

/**
 * How frontal a face is, 0 (profile) to 1 (frontal), from its landmarks: in a frontal face the
 * nose projects onto the middle of the eye line; turned away, it slides past one eye.
 */
export function frontalness(face: DetectedFace): number {
  const [leftEye, rightEye, nose] = face.landmarks;
  if (!leftEye || !rightEye || !nose) return 0;
  const ex = rightEye[0] - leftEye[0];
  const ey = rightEye[1] - leftEye[1];
  const eyeDistance = Math.hypot(ex, ey);
  if (eyeDistance === 0) return 0;
  const midX = (leftEye[0] + rightEye[0]) / 2;
  const midY = (leftEye[1] + rightEye[1]) / 2;
  const along = ((nose[0] - midX) * ex + (nose[1] - midY) * ey) / eyeDistance;
  return Math.max(0, 1 - Math.abs(along) / (eyeDistance / 2));
}

/** Detection confidence x size x pose, 0..1: the order in which video frames are trusted. */
export function faceQuality(face: DetectedFace): number {
  const size = Math.min(1, Math.min(face.box.width, face.box.height) / FULL_SIZE_FACE_PX);
  return face.score * size * frontalness(face);
}
