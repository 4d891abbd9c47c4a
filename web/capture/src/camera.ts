/**
 * The front camera, what the person is told while framing their face, and the recording.
 * MediaRecorder's formats differ by browser: Chromium and Firefox record WebM (VP8/VP9), Safari
 * MP4 (H.264); the API accepts all of them, so the first one the browser supports is used.
 */
const RECORDING_TYPES = ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm', 'video/mp4;codecs=avc1', 'video/mp4'];

export function recordingType(): string | undefined {
  if (typeof MediaRecorder === 'undefined') return undefined;
  return RECORDING_TYPES.find((type) => MediaRecorder.isTypeSupported(type));
}

export async function openFrontCamera(video: HTMLVideoElement): Promise<MediaStream> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: false, video: { facingMode: 'user', width: { ideal: 1280 }, height: { ideal: 720 } } });
  video.srcObject = stream;
  await video.play();
  return stream;
}

/** Records `durationMs` of the stream; `onSecond` ticks with the seconds elapsed. */
export function record(stream: MediaStream, durationMs: number, onElapsed: (ms: number) => void): Promise<{ blob: Blob; type: string }> {
  const type = recordingType();
  if (!type) return Promise.reject(new Error('This browser cannot record video.'));
  const recorder = new MediaRecorder(stream, { mimeType: type, videoBitsPerSecond: 2_500_000 });
  const chunks: Blob[] = [];
  recorder.ondataavailable = (event) => {
    if (event.data.size > 0) chunks.push(event.data);
  };
  return new Promise((resolve, reject) => {
    recorder.onstop = () => resolve({ blob: new Blob(chunks, { type: type.split(';')[0] }), type });
    recorder.onerror = () => reject(new Error('The recording failed.'));
    const started = performance.now();
    const tick = setInterval(() => onElapsed(performance.now() - started), 100);
    setTimeout(() => {
      clearInterval(tick);
      recorder.stop();
    }, durationMs);
    recorder.start(250);
  });
}

export type Hint = { ok: true; text: string } | { ok: false; text: string };

interface DetectedFace {
  boundingBox: DOMRectReadOnly;
}
interface FaceDetectorLike {
  detect(source: CanvasImageSource): Promise<DetectedFace[]>;
}
type FaceDetectorConstructor = new (options: { fastMode: boolean; maxDetectedFaces: number }) => FaceDetectorLike;

/**
 * Live framing hints from the preview: light from the frame's mean luma (every browser), and
 * presence, size and position of the face where the browser has a face detector (the Shape
 * Detection API); elsewhere the oval alone guides, and the server's gates decide.
 */
export class FramingAdvisor {
  private readonly canvas = document.createElement('canvas');
  private readonly detector: FaceDetectorLike | undefined;

  constructor(private readonly video: HTMLVideoElement) {
    this.canvas.width = 48;
    this.canvas.height = 64;
    const Detector = (globalThis as { FaceDetector?: FaceDetectorConstructor }).FaceDetector;
    this.detector = Detector ? new Detector({ fastMode: true, maxDetectedFaces: 2 }) : undefined;
  }

  async advise(): Promise<Hint> {
    const context = this.canvas.getContext('2d', { willReadFrequently: true });
    if (!context || this.video.videoWidth === 0) return { ok: false, text: 'Starting the camera…' };
    // The oval's box only: a dark room behind a well-lit face is fine.
    const [w, h] = [this.video.videoWidth, this.video.videoHeight];
    context.drawImage(this.video, w * 0.3, h * 0.15, w * 0.4, h * 0.65, 0, 0, this.canvas.width, this.canvas.height);
    const { data } = context.getImageData(0, 0, this.canvas.width, this.canvas.height);
    let luma = 0;
    for (let i = 0; i < data.length; i += 4) luma += 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
    luma /= data.length / 4;
    if (luma < 45) return { ok: false, text: 'Too dark: find more light, facing a window or a lamp.' };
    if (luma > 220) return { ok: false, text: 'Too bright: move out of direct light.' };
    if (!this.detector) return { ok: true, text: 'Fit your face inside the oval, then press Record.' };
    const faces = await this.detector.detect(this.video).catch(() => []);
    if (faces.length === 0) return { ok: false, text: 'No face seen: look straight at the camera.' };
    if (faces.length > 1) return { ok: false, text: 'Only you in the picture, please.' };
    const box = faces[0]!.boundingBox;
    const share = box.height / this.video.videoHeight;
    if (share < 0.3) return { ok: false, text: 'Too far: move closer until your face fills the oval.' };
    if (share > 0.9) return { ok: false, text: 'Too close: move back a little.' };
    const centre = (box.x + box.width / 2) / this.video.videoWidth;
    if (centre < 0.3 || centre > 0.7) return { ok: false, text: 'Move your face into the oval.' };
    return { ok: true, text: 'Good. Press Record and look at the camera.' };
  }
}
