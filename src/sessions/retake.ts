import type { RejectionReason } from '../contract/face-similarity.js';

/**
 * What to tell a person whose capture was refused: which file to take again and how, worded for
 * the person, not for an attacker. Every liveness failure but the challenge gets the same hint,
 * so an end user's token never learns which check caught a presentation attack.
 */
export const RETAKE_CODES = [
  'MOVE_CLOSER',
  'MORE_LIGHT',
  'LESS_LIGHT',
  'HOLD_STILL',
  'FACE_NOT_SEEN',
  'SHORTER_VIDEO',
  'RECORD_AGAIN',
  'ID_PHOTO_AGAIN',
  'FOLLOW_PROMPTS',
  'LIVE_CAPTURE',
  'START_AGAIN',
] as const;
export type RetakeCode = (typeof RETAKE_CODES)[number];

export interface Retake {
  file: 'SELFIE_VIDEO' | 'ID_IMAGE' | 'BOTH';
  code: RetakeCode;
  hint: string;
}

const video = (code: RetakeCode, hint: string): Retake => ({ file: 'SELFIE_VIDEO', code, hint });
const idPhoto = (hint: string): Retake => ({ file: 'ID_IMAGE', code: 'ID_PHOTO_AGAIN', hint });
const LIVE = video('LIVE_CAPTURE', 'Record yourself live, not a photo or a screen: hold the phone at arm’s length, look at the camera and blink or say a few words.');

const HINTS: Record<RejectionReason, Retake> = {
  NO_FACE_IN_VIDEO: video('FACE_NOT_SEEN', 'Keep your whole face inside the oval, looking at the camera.'),
  FACE_TOO_SMALL_IN_VIDEO: video('MOVE_CLOSER', 'Move closer: your face should fill most of the oval.'),
  VIDEO_TOO_DARK: video('MORE_LIGHT', 'Find more light: face a window or a lamp.'),
  VIDEO_TOO_BRIGHT: video('LESS_LIGHT', 'Move out of direct light so your face is not washed out.'),
  VIDEO_TOO_BLURRY: video('HOLD_STILL', 'Hold the phone steady and let the camera focus on your face.'),
  VIDEO_TOO_LONG: video('SHORTER_VIDEO', 'Record a shorter video: three to five seconds is enough.'),
  VIDEO_TOO_LARGE: video('RECORD_AGAIN', 'Record the video again with the app’s camera.'),
  UNREADABLE_VIDEO: video('RECORD_AGAIN', 'The video could not be read; record it again.'),
  DECODE_TIMEOUT: video('RECORD_AGAIN', 'The video could not be read; record it again.'),
  NO_FACE_ON_DOCUMENT: idPhoto('Photograph the side of your ID that shows your portrait.'),
  MULTIPLE_FACES_ON_DOCUMENT: idPhoto('Photograph only your ID, with no other faces in the picture.'),
  FACE_TOO_SMALL_ON_DOCUMENT: idPhoto('Bring the camera closer so the ID fills the frame.'),
  DOCUMENT_TOO_BLURRY: idPhoto('Hold the ID flat and steady and let the camera focus.'),
  DOCUMENT_TOO_DARK: idPhoto('Photograph the ID in more light.'),
  DOCUMENT_TOO_BRIGHT: idPhoto('Tilt the ID slightly to avoid glare.'),
  IMAGE_TOO_LARGE: idPhoto('Take the ID photo again with the app’s camera.'),
  UNREADABLE_IMAGE: idPhoto('The ID photo could not be read; take it again.'),
  LIVENESS_CHALLENGE_FAILED: video('FOLLOW_PROMPTS', 'Turn your head when asked, in the order shown on the screen.'),
  LIVENESS_NO_MOTION: LIVE,
  LIVENESS_PLANAR_FACE: LIVE,
  LIVENESS_PRESENTATION_ATTACK: LIVE,
  LIVENESS_DOCUMENT_REPLAY: LIVE,
  FILE_NOT_IN_SESSION: { file: 'BOTH', code: 'START_AGAIN', hint: 'Start again from the beginning.' },
  FILE_DIGEST_MISMATCH: { file: 'BOTH', code: 'START_AGAIN', hint: 'Start again from the beginning.' },
};

/** The retake for a rejection reason; a reason this version does not know asks for a fresh start. */
export function retakeFor(reason: string | null): Retake | null {
  if (reason === null) return null;
  return HINTS[reason as RejectionReason] ?? { file: 'BOTH', code: 'START_AGAIN', hint: 'Start again from the beginning.' };
}
