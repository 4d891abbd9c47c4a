// A decoder exploit must not hurt the service: a "decoder" that does what an exploited ffmpeg
// would try (read the worker's secrets from /proc or a file, reach the database, write the blob
// store, tamper with its input) is run through the same launch the real decoders use, and every
// attempt must fail inside the sandbox. Run unconfined, the same attempts succeed: the test can fail.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamFrames } from '../../src/face/decode/video-frames.js';
import { bubblewrap, decoderLaunch, type DecoderLaunch } from '../../src/media/decoder-process.js';
import { testConfig } from '../../dev/face-pipeline.js';
import { TEST_DECODER } from '../../dev/media.js';
import { fixture } from '../../dev/paths.js';

let dir: string;
let database: Server;
let port: number;
const MARKER = 'kyc-sandbox-secret-7f3a';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kyc-sandbox-'));
  // Stands in for PostgreSQL on the worker's loopback.
  // A client that hangs up first (the unconfined control run does) must not surface as an uncaught ECONNRESET.
  database = createServer((socket) => socket.on('error', () => undefined).end('postgres\n'));
  await new Promise<void>((resolve) => database.listen(0, '127.0.0.1', resolve));
  port = (database.address() as { port: number }).port;
  process.env.KYC_SANDBOX_MARKER = MARKER;
});
afterAll(async () => {
  delete process.env.KYC_SANDBOX_MARKER;
  database.close();
  await rm(dir, { recursive: true, force: true });
});

/** A decoder that tries each escape and reports what worked, one line each. */
async function hostileDecoder(paths: { blobs: string; secret: string; input: string }): Promise<string> {
  const script = path.join(dir, 'hostile-decoder.sh');
  await writeFile(
    script,
    `#!/bin/bash
if grep -qs '${MARKER}' /proc/*/environ; then echo 'secrets:read'; else echo 'secrets:denied'; fi
if cat '${paths.secret}' >/dev/null 2>&1; then echo 'secret-file:read'; else echo 'secret-file:denied'; fi
if (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null; then echo 'database:reached'; else echo 'database:denied'; fi
if touch '${paths.blobs}/planted' 2>/dev/null; then echo 'blobs:written'; else echo 'blobs:denied'; fi
if echo tampered >> "$1" 2>/dev/null; then echo 'input:written'; else echo 'input:read-only'; fi
if head -c 4 "$1" >/dev/null 2>&1; then echo 'input:readable'; else echo 'input:unreadable'; fi
echo "uid:$(id -u)"
`,
    { mode: 0o755 },
  );
  return script;
}

async function runLaunch(launch: DecoderLaunch): Promise<string> {
  const child = spawn(launch.command, launch.args, { env: launch.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((resolve) => child.on('exit', resolve));
  return out;
}

describe('the decoder sandbox', () => {
  it('is available here (bubblewrap); on Debian: apt-get install bubblewrap', () => {
    expect(bubblewrap(), 'bubblewrap is missing or cannot create namespaces').not.toBeNull();
  });

  it('leaves an exploited decoder no secret, no database, no writable storage and a read-only input', async () => {
    const blobs = path.join(dir, 'blobs');
    await mkdir(blobs);
    const secret = path.join(dir, 'secrets.json');
    await writeFile(secret, JSON.stringify({ VERDICT_SIGNING_KEY: MARKER }));
    const input = path.join(dir, 'input.mp4');
    await writeFile(input, await readFile(fixture('short_hamilton_clip.mp4')));
    const script = await hostileDecoder({ blobs, secret, input });

    const confined = await runLaunch(decoderLaunch({ ...TEST_DECODER, sandbox: 'bwrap' }, script, [input], input));
    expect(confined.trim().split('\n')).toEqual(['secrets:denied', 'secret-file:denied', 'database:denied', 'blobs:denied', 'input:read-only', 'input:readable', 'uid:65534']);
    expect(await readdir(blobs)).toEqual([]);
    expect((await readFile(input)).equals(await readFile(fixture('short_hamilton_clip.mp4')))).toBe(true);

    // The same decoder unconfined gets everywhere: what the sandbox takes away is real.
    const free = await runLaunch({ ...decoderLaunch({ ...TEST_DECODER, sandbox: 'none' }, script, [input], input), env: { ...process.env } });
    expect(free).toMatch(/secrets:read/);
    expect(free).toMatch(/database:reached/);
    expect(free).toMatch(/blobs:written/);
  });

  it('decodes real videos inside it', async () => {
    const launches: DecoderLaunch[] = [];
    let frames = 0;
    for await (const _ of streamFrames(fixture('short_hamilton_clip.mp4'), testConfig().face.video, { ...TEST_DECODER, sandbox: 'bwrap' }, undefined, (l) => launches.push(l))) frames++;
    expect(frames).toBeGreaterThan(10);
    // The decode, and fluent-ffmpeg's own capability queries on first use: every one confined.
    expect(launches.length).toBeGreaterThan(0);
    expect(launches.every((l) => l.sandboxed)).toBe(true);
  });
});
