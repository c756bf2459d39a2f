// Records a test fixture: Chromium's fake microphone through MediaRecorder
// (audio/webm;codecs=opus, or audio/mp4 for an output ending in .mp4). Without a timeslice (as Roomlink's composer
// records) Chromium writes a seekable file with sizes and a duration; with
// one, the live shape: unknown-size Segment and Clusters, no duration.
// Run from end2end/:
//   node scripts/record-voice-fixture.mjs 2 ../tests/fixtures/voice.webm
//   node scripts/record-voice-fixture.mjs 2 ../tests/fixtures/voice-live.webm 250
import { chromium } from '@playwright/test';
import * as fs from 'node:fs';
import * as http from 'node:http';

const seconds = Number(process.argv[2] ?? 2);
const output = process.argv[3] ?? '../tests/fixtures/voice.webm';
const timeslice = process.argv[4] ? Number(process.argv[4]) : undefined;

// getUserMedia needs a secure context: http://127.0.0.1 is one.
const server = http.createServer((_, res) => res.end('<!doctype html><title>record</title>'));
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
});
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${server.address().port}/`);
const mimeType = output.endsWith('.mp4') ? 'audio/mp4' : 'audio/webm;codecs=opus';
const base64 = await page.evaluate(async ([ms, slice, type]) => {
  if (!MediaRecorder.isTypeSupported(type)) throw new Error(`${type} cannot be recorded here`);
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const recorder = new MediaRecorder(stream, { mimeType: type });
  const chunks = [];
  recorder.ondataavailable = (e) => chunks.push(e.data);
  const stopped = new Promise((ok) => (recorder.onstop = ok));
  recorder.start(slice);
  await new Promise((ok) => setTimeout(ok, ms));
  recorder.stop();
  await stopped;
  stream.getTracks().forEach((t) => t.stop());
  const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}, [seconds * 1000, timeslice, mimeType]);
fs.writeFileSync(output, Buffer.from(base64, 'base64'));
console.log(`wrote ${output}`);
await browser.close();
server.close();
