import './style.css';
import { createKycClient, type SessionForEndUser } from '../../../clients/typescript/src/index.js';
import { FramingAdvisor, openFrontCamera, record, recordingType } from './camera.js';
import { captureSessionFromLocation, type CaptureSession } from './session.js';
import { UploadRefused, uploadWithRetry, type FileKind } from './upload.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $('status');

const PROMPTS: Record<string, string> = {
  TURN_LEFT: 'Slowly turn your head to your left',
  TURN_RIGHT: 'Slowly turn your head to your right',
};

function show(step: 'step-id' | 'step-selfie' | 'step-upload' | 'step-result'): void {
  for (const id of ['step-id', 'step-selfie', 'step-upload', 'step-result']) $(id).hidden = id !== step;
}

function fail(message: string): void {
  status.textContent = message;
}

async function main(): Promise<void> {
  const session = captureSessionFromLocation(location, sessionStorage, history);
  if (typeof session === 'string') return fail(session);
  const client = createKycClient({ baseUrl: location.origin, token: session.token });
  const current = await client.getSession(session.id).catch((err: unknown) => err);
  if (!current || current instanceof Error) return fail('This link has expired or is not valid any more. Ask for a new one.');
  const state = current as SessionForEndUser;
  if (state.status !== 'AWAITING_FILES') return awaitDecision(client, session);
  const has = (kind: FileKind) => state.files.some((f) => f.kind === kind);
  if (!has('ID_IMAGE')) await captureIdPhoto(session);
  await captureSelfie(session, state.challenge?.steps ?? []);
  await awaitDecision(client, session);
}

function captureIdPhoto(session: CaptureSession): Promise<void> {
  show('step-id');
  const input = $<HTMLInputElement>('id-file');
  const preview = $<HTMLImageElement>('id-preview');
  const use = $<HTMLButtonElement>('id-use');
  input.focus();
  return new Promise((resolve) => {
    input.onchange = () => {
      const file = input.files?.[0];
      if (!file) return;
      preview.src = URL.createObjectURL(file);
      preview.hidden = false;
      use.hidden = false;
      use.focus();
    };
    use.onclick = async () => {
      const file = input.files?.[0];
      if (!file) return;
      if (await sendFile(session, 'ID_IMAGE', file, file.name || 'id-photo')) resolve();
      else show('step-id');
    };
  });
}

async function captureSelfie(session: CaptureSession, steps: readonly string[]): Promise<void> {
  show('step-selfie');
  const video = $<HTMLVideoElement>('preview');
  const button = $<HTMLButtonElement>('record');
  const hint = $('hint');
  const prompt = $('prompt');
  if (!recordingType() || !navigator.mediaDevices?.getUserMedia) return fail('This browser cannot record video. Open the link in Chrome, Safari or Firefox.');
  let stream: MediaStream;
  try {
    stream = await openFrontCamera(video);
  } catch {
    return fail('The camera is not available. Allow camera access for this page and reload it.');
  }
  if (steps.length > 0) {
    const challenge = $('challenge');
    challenge.hidden = false;
    challenge.textContent = `While recording you will be asked to: ${steps.map((s) => PROMPTS[s]?.toLowerCase() ?? s).join(', then ')}.`;
  }
  const advisor = new FramingAdvisor(video);
  const oval = document.querySelector('.oval');
  let advising = true;
  void (async () => {
    while (advising) {
      const advice = await advisor.advise();
      hint.textContent = advice.text;
      oval?.classList.toggle('ready', advice.ok);
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
  })();
  // Framing is advice, not a gate: the server's quality gates decide.
  button.disabled = false;
  button.focus();
  await new Promise<void>((resolve) => (button.onclick = () => resolve()));
  button.disabled = true;
  advising = false;
  hint.textContent = '';
  for (const n of [3, 2, 1]) {
    $('countdown').textContent = String(n);
    await new Promise((resolve) => setTimeout(resolve, 700));
  }
  $('countdown').textContent = '';
  // A second looking at the camera, then per head turn 1.5 s turned and 0.5 s back (frames are
  // sampled twice a second, so each turn is on at least two): 5 s for the usual two steps.
  const schedule = [{ at: 0, text: 'Look at the camera' }, ...steps.flatMap((s, i) => [{ at: 1000 + i * 2000, text: PROMPTS[s] ?? s }, { at: 2500 + i * 2000, text: 'Now look back at the camera' }])];
  const durationMs = steps.length > 0 ? 1000 + steps.length * 2000 : 4000;
  const { blob, type } = await record(stream, durationMs, (ms) => {
    prompt.textContent = [...schedule].reverse().find((s) => ms >= s.at)?.text ?? '';
  });
  prompt.textContent = '';
  for (const track of stream.getTracks()) track.stop();
  const extension = type.startsWith('video/mp4') ? 'mp4' : 'webm';
  if (!(await sendFile(session, 'SELFIE_VIDEO', blob, `selfie.${extension}`))) return captureSelfie(session, steps);
}

/** Uploads one file with the progress bar; false (with the reason shown) when the API refused it. */
async function sendFile(session: CaptureSession, kind: FileKind, file: Blob, name: string): Promise<boolean> {
  show('step-upload');
  const progress = $<HTMLProgressElement>('progress');
  $('progress-label').textContent = kind === 'ID_IMAGE' ? 'Sending your ID photo' : 'Sending your video';
  progress.value = 0;
  try {
    await uploadWithRetry(session, kind, file, name, {
      onProgress: (fraction) => (progress.value = Math.round(fraction * 100)),
      onRetry: (attempt, waitMs) => (status.textContent = `The connection dropped; trying again in ${Math.round(waitMs / 1000)} s (attempt ${attempt + 1}).`),
    });
    status.textContent = '';
    return true;
  } catch (err) {
    status.textContent = err instanceof UploadRefused ? `That did not work: ${err.message}. Please try again.` : 'That did not work. Please try again.';
    return false;
  }
}

const OUTCOMES: Record<string, { title: string; text: string }> = {
  VERIFIED: { title: 'You are verified', text: 'Thank you. You can close this page.' },
  NOT_VERIFIED: { title: 'We could not confirm it is you', text: 'The selfie and the ID photo did not match well enough.' },
  RETAKE: { title: 'Please try again', text: 'We could not use this capture.' },
  EXPIRED: { title: 'This link has expired', text: 'Ask for a new link and start again.' },
  FAILED: { title: 'Something went wrong on our side', text: 'Please try again later.' },
};

async function awaitDecision(client: ReturnType<typeof createKycClient>, session: CaptureSession): Promise<void> {
  show('step-upload');
  $('progress-label').textContent = 'Checking';
  $<HTMLProgressElement>('progress').removeAttribute('value');
  const decided = (await client.waitForDecision(session.id, { timeoutMs: 300_000, intervalMs: 1000 }).catch(() => undefined)) as SessionForEndUser | undefined;
  show('step-result');
  const outcome = OUTCOMES[decided?.decision ?? 'FAILED'] ?? OUTCOMES.FAILED!;
  const title = $('result-title');
  title.textContent = outcome.title;
  $('result-text').textContent = outcome.text;
  document.body.dataset.decision = decided?.decision ?? 'FAILED';
  const retake = decided?.retake;
  if (retake) {
    const hint = $('retake-hint');
    hint.hidden = false;
    hint.dataset.code = retake.code;
    hint.textContent = `${retake.hint} Ask for a new link to try again.`;
  }
  title.focus();
}

void main().catch(() => fail('Something went wrong. Reload the page to try again.'));
