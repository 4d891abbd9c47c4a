import { REVIEW_REASON_CODES } from '../../contract/face-similarity.js';

/**
 * The review screen: one static page, its script and its style, served by the API itself (no
 * CDN, no build step). The reviewer's key lives in the tab's sessionStorage, never in a URL; media
 * are fetched with it and shown from blob: URLs, so nothing is cached by the browser.
 */

export const REVIEW_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>KYC review</title>
<link rel="stylesheet" href="/review/app.css">
<script type="module" src="/review/app.js"></script>
</head>
<body>
<header><h1>KYC review</h1><p id="status" role="status" aria-live="polite"></p></header>
<form id="signin">
  <label for="key">Reviewer API key</label>
  <input id="key" name="key" type="password" autocomplete="off" required>
  <button type="submit">Open the queue</button>
</form>
<main id="desk" hidden>
  <section aria-labelledby="queue-title">
    <h2 id="queue-title">Awaiting review <span id="count"></span></h2>
    <ol id="queue"></ol>
  </section>
  <section id="case" aria-labelledby="case-title" hidden>
    <h2 id="case-title">Session <code id="case-id"></code></h2>
    <p id="triggers"></p>
    <div class="media">
      <figure><img id="id-image" alt="The ID image as uploaded"><figcaption>ID image</figcaption></figure>
      <figure><div id="frames"></div><figcaption>Selfie frames the comparison used</figcaption></figure>
    </div>
    <video id="selfie" controls muted playsinline aria-label="The selfie video as uploaded"></video>
    <table id="figures"><caption>Machine result</caption><tbody></tbody></table>
    <table id="liveness"><caption>Liveness checks</caption><thead><tr><th>check</th><th>mode</th><th>verdict</th><th>score</th><th>threshold</th></tr></thead><tbody></tbody></table>
    <form id="decide">
      <fieldset>
        <legend>Decision</legend>
        <label><input type="radio" name="decision" value="APPROVE" required> Approve: the same person</label>
        <label><input type="radio" name="decision" value="REJECT"> Reject</label>
      </fieldset>
      <label for="reason">Reason</label>
      <select id="reason" name="reasonCode" required></select>
      <label for="note">Note (no personal data)</label>
      <textarea id="note" name="note" maxlength="500" rows="2"></textarea>
      <button type="submit" id="submit">Submit decision</button>
    </form>
    <p id="result" role="status" aria-live="polite"></p>
  </section>
</main>
</body>
</html>
`;

export const REVIEW_CSS = `
body { font: 16px/1.4 system-ui, sans-serif; margin: 0 auto; padding: 1rem; max-width: 70rem; color: #111; }
header { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
#desk { display: grid; grid-template-columns: minmax(14rem, 1fr) 3fr; gap: 1.5rem; }
@media (max-width: 48rem) { #desk { grid-template-columns: 1fr; } }
#queue { padding-left: 1.2rem; }
#queue button { text-align: left; width: 100%; margin: 0.2rem 0; padding: 0.4rem; }
.media { display: flex; gap: 1rem; flex-wrap: wrap; }
.media figure { margin: 0; flex: 1 1 14rem; }
#id-image, #frames canvas { max-width: 100%; max-height: 16rem; border: 1px solid #999; }
#frames { display: flex; gap: 0.5rem; flex-wrap: wrap; }
#frames canvas { max-width: 10rem; }
#selfie { max-width: 20rem; display: block; margin: 0.5rem 0; }
table { border-collapse: collapse; margin: 0.5rem 0; }
td, th { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left; }
.FAIL { color: #a00; font-weight: bold; }
form#decide label { display: block; margin: 0.3rem 0; }
button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 3px solid #06c; }
`;

export const REVIEW_JS = `
const REASONS = ${JSON.stringify(REVIEW_REASON_CODES)};
const $ = (selector) => document.querySelector(selector);
let key = sessionStorage.getItem('kyc-reviewer-key') ?? '';
let current = null;
const blobUrls = [];

function say(text) { $('#status').textContent = text; }

async function api(path, options = {}) {
  const res = await fetch(path, { ...options, cache: 'no-store', headers: { authorization: 'Bearer ' + key, ...(options.headers ?? {}) } });
  if (!res.ok) {
    const problem = await res.json().catch(() => ({}));
    throw new Error(problem.detail ?? problem.title ?? 'HTTP ' + res.status);
  }
  return res;
}

async function loadQueue() {
  const { reviews } = await (await api('/v1/reviews?limit=100')).json();
  $('#count').textContent = '(' + reviews.length + ')';
  const list = $('#queue');
  list.replaceChildren(...reviews.map((item) => {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.session = item.sessionId;
    button.textContent = item.sessionId.slice(0, 8) + ' · waiting since ' + new Date(item.review.requestedAt).toLocaleString() + ' · ' + item.review.triggers.join(', ');
    button.addEventListener('click', () => open(item));
    li.append(button);
    return li;
  }));
  say(reviews.length === 0 ? 'Nothing awaits review.' : reviews.length + ' awaiting review, oldest first.');
}

async function mediaUrl(sessionId, kind) {
  const blob = await (await api('/v1/sessions/' + sessionId + '/files/' + kind + '/content')).blob();
  const url = URL.createObjectURL(blob);
  blobUrls.push(url);
  return url;
}

function row(cells, tag = 'td') {
  const tr = document.createElement('tr');
  for (const cell of cells) {
    const td = document.createElement(tag);
    td.textContent = String(cell ?? '–');
    if (cell === 'FAIL') td.className = 'FAIL';
    tr.append(td);
  }
  return tr;
}

async function drawFrames(video, timestamps) {
  const frames = $('#frames');
  frames.replaceChildren();
  for (const ms of timestamps) {
    await new Promise((resolve) => { video.addEventListener('seeked', resolve, { once: true }); video.currentTime = ms / 1000; });
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth; canvas.height = video.videoHeight;
    canvas.getContext('2d').drawImage(video, 0, 0);
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', 'Selfie frame at ' + ms + ' ms');
    frames.append(canvas);
  }
}

async function open(item) {
  current = { sessionId: item.sessionId, idempotencyKey: crypto.randomUUID() };
  for (const url of blobUrls.splice(0)) URL.revokeObjectURL(url);
  const session = item.session;
  $('#case').hidden = false;
  $('#case-id').textContent = session.id;
  $('#triggers').textContent = 'Why a person decides: ' + item.review.triggers.join(', ') + '. Due ' + new Date(item.review.dueAt).toLocaleString() + ' (then: ' + item.review.onTimeout + ').';
  $('#result').textContent = '';
  $('#decide').reset();
  $('#submit').disabled = false;
  const result = session.result;
  $('#figures tbody').replaceChildren(
    row(['similarity', result?.similarity?.toFixed(3)]),
    row(['threshold', result?.threshold]),
    row(['machine decision', result ? (result.match ? 'match' : 'no match') : 'none']),
    row(['frames with a face', result ? result.framesWithFace + ' of ' + result.framesExamined : null]),
  );
  $('#liveness tbody').replaceChildren(...(session.liveness?.checks ?? []).map((c) => row([c.check, c.mode, c.verdict, c.score?.toFixed(3), c.threshold])));
  $('#id-image').src = await mediaUrl(session.id, 'ID_IMAGE');
  const video = $('#selfie');
  video.src = await mediaUrl(session.id, 'SELFIE_VIDEO');
  const used = (result?.frames ?? []).filter((f) => f.used).sort((a, b) => (b.quality ?? 0) - (a.quality ?? 0)).slice(0, 3).map((f) => f.timestampMs);
  video.addEventListener('loadeddata', () => void drawFrames(video, used).catch(() => say('This browser cannot decode the selfie video; play it above.')), { once: true });
  video.addEventListener('error', () => say('This browser cannot decode the selfie video.'), { once: true });
  $('#case-title').focus?.();
}

function fillReasons() {
  const decision = new FormData($('#decide')).get('decision');
  const codes = decision ? REASONS[decision] : [];
  $('#reason').replaceChildren(...codes.map((code) => { const o = document.createElement('option'); o.value = code; o.textContent = code.replaceAll('_', ' ').toLowerCase(); return o; }));
}

async function decide(event) {
  event.preventDefault();
  if (!current) return;
  const form = new FormData($('#decide'));
  const body = { decision: form.get('decision'), reasonCode: form.get('reasonCode'), ...(form.get('note') ? { note: form.get('note') } : {}) };
  $('#submit').disabled = true;
  try {
    // One Idempotency-Key per opened case: a double click or a retry applies the decision once.
    const res = await api('/v1/sessions/' + current.sessionId + '/review', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': current.idempotencyKey }, body: JSON.stringify(body) });
    const session = await res.json();
    $('#result').textContent = 'Decided: ' + session.review.decision + ' (' + session.review.reasonCode + '). The session is ' + session.status + ', match ' + session.result.match + '.';
    await loadQueue();
  } catch (err) {
    $('#result').textContent = 'Not decided: ' + err.message;
    $('#submit').disabled = false;
  }
}

$('#signin').addEventListener('submit', async (event) => {
  event.preventDefault();
  key = $('#key').value.trim();
  try {
    await loadQueue();
    sessionStorage.setItem('kyc-reviewer-key', key);
    $('#signin').hidden = true;
    $('#desk').hidden = false;
  } catch (err) {
    say('Could not open the queue: ' + err.message);
  }
});
$('#decide').addEventListener('change', (event) => { if (event.target.name === 'decision') fillReasons(); });
$('#decide').addEventListener('submit', decide);
if (key) { $('#key').value = key; $('#signin').requestSubmit(); }
`;
