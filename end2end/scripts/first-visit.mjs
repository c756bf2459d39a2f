// The first-visit benchmark: what a phone downloads and how long it waits
// before a Roomlink page is usable and, for rooms and instant chats, live.
// Run it through `bash scripts/first-visit.sh`, which builds the release,
// starts a server on a fresh database and passes its address:
//
//   node end2end/scripts/first-visit.mjs http://127.0.0.1:3299 target/site/pkg [rounds]
//
// (rounds: how many times each visit is made, 3 by default; the table shows
// medians, and the range of the times, since this host's speed varies.)
// Every visit runs in Debian's Chromium under Lighthouse's mobile profile,
// set through the DevTools protocol: 1.6 Mbit/s down, 750 kbit/s up, 150 ms
// round trip (Network.emulateNetworkConditions) and a CPU 4x slower
// (Emulation.setCPUThrottlingRate). A cold visit starts from an empty
// browser cache; the warm one opens the same address again in a new tab of
// the same browser (the HTTP cache, not the first tab's memory). Figures
// are printed, never asserted.
//
// - bytes: what came over the network (headers and bodies as sent,
//   compressed; Network.loadingFinished's encodedDataLength), by type; a
//   file taken from the browser's cache counts nothing.
// - usable: until the page is hydrated (`<html data-hydrated>`, set by the
//   app once its code runs), from the start of the navigation; for a plain
//   page, which loads no code (`<html data-plain>`: the join, log-in and
//   sign-up pages), until it has loaded with its stylesheet.
// - live: until the page's live socket has answered (the composer's
//   `data-link="live"`).
import { chromium } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const [base = 'http://127.0.0.1:3299', pkgDir = 'target/site/pkg', roundsArg = '3'] = process.argv.slice(2);
/** Each visit is made this many times (fresh browser contexts each time);
 * the table shows the median, and the range of the times. */
const ROUNDS = Math.max(1, Number(roundsArg) || 3);
/** FIRST_VISIT_TRACE=1 also prints each visit's timeline (`printTimeline`). */
const TRACE = process.env.FIRST_VISIT_TRACE === '1';
/** FIRST_VISIT_STAY_MS keeps each cold visit's tab open that long after it
 * was measured, as someone reading the room would, before the warm visit
 * (0 by default). Chrome keeps compiled WebAssembly in its code cache only
 * once V8 has optimised enough of it, which a visit closed at once may not
 * reach; this shows what a second visit costs after a first one of that
 * length. */
const STAY_MS = Math.max(0, Number(process.env.FIRST_VISIT_STAY_MS) || 0);
/** FIRST_VISIT_PROFILE=1 also traces each warm visit and prints the
 * browser's work on the page's main thread by kind (`printTraceSummary`);
 * FIRST_VISIT_PROFILE=cpu also samples it and prints where the time went
 * by function (`printProfile`; the sampling slows the page down). */
const PROFILE = ['1', 'cpu'].includes(process.env.FIRST_VISIT_PROFILE ?? '');
const CPU_PROFILE = process.env.FIRST_VISIT_PROFILE === 'cpu';

/** Lighthouse's mobile profile (its "slow 4G" with a mid-range phone's CPU). */
const MOBILE = {
  latencyMs: 150,
  downloadBytesPerSec: (1.6 * 1000 * 1000) / 8,
  uploadBytesPerSec: (750 * 1000) / 8,
  cpuSlowdown: 4,
};

const LAUNCH = {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
};

const PASSWORD = 'correct horse battery';
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 };

function unique(prefix) {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

/** Waits for `selector` on `page`, failing after `ms` with what it waited for. */
async function waitFor(page, selector, ms = 60_000) {
  await page.waitForSelector(selector, { state: 'attached', timeout: ms });
}

async function signUp(page, name) {
  await page.goto(`${base}/signup`);
  await waitFor(page, 'html[data-hydrated], html[data-plain]');
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  // Past the recovery codes a sign-up shows.
  await page.getByRole('button', { name: 'I saved them, continue' }).click();
  await page.getByRole('button', { name: 'Create room' }).waitFor();
}

/** Makes what the visits open: a room with history, its invite link, a
 * member of it (Bruno) and an instant chat with a guest in it. Unthrottled. */
async function setUp(browser) {
  const ana = await (await browser.newContext()).newPage();
  await signUp(ana, unique('ana'));
  await ana.getByLabel('Room name').fill('Ceramics class');
  await ana.getByRole('button', { name: 'Create room' }).click();
  await ana.waitForURL(/\/rooms\/\d+$/);
  const roomUrl = ana.url();
  await waitFor(ana, 'form.composer[data-link="live"]');
  for (let i = 1; i <= 30; i++) {
    await ana.getByRole('textbox', { name: 'Message' }).fill(`Message ${i}: bring your own apron and a towel, please.`);
    await ana.getByRole('button', { name: 'Send' }).click();
  }
  await ana.locator('ol.timeline li.message:not(.pending)').nth(29).waitFor();
  await ana.getByRole('button', { name: 'Share invite link' }).click();
  const joinUrl = await ana.getByLabel('Invite link').inputValue();

  const brunoContext = await browser.newContext();
  const bruno = await brunoContext.newPage();
  await signUp(bruno, unique('bruno'));
  await bruno.goto(joinUrl);
  await bruno.getByRole('button', { name: /^Join / }).click();
  await waitFor(bruno, 'form.composer[data-link="live"]');
  const memberState = await brunoContext.storageState();

  const host = await (await browser.newContext()).newPage();
  await host.goto(base);
  await waitFor(host, 'html[data-hydrated]');
  await host.getByLabel('Your name (optional)').fill('Ana');
  await host.getByRole('button', { name: 'Start an instant chat' }).click();
  await host.waitForURL(/\/instant-chat\//);
  const chatUrl = host.url();
  const guestContext = await browser.newContext();
  const guest = await guestContext.newPage();
  await guest.goto(chatUrl);
  await guest.getByLabel('Your name').fill('Carla');
  await guest.getByRole('button', { name: 'Join chat' }).click();
  await waitFor(guest, 'form.composer[data-link="live"]');
  const guestState = await guestContext.storageState();
  return { joinUrl, roomUrl, chatUrl, memberState, guestState };
}

function kind(response) {
  const type = response.mimeType ?? '';
  if (type.includes('wasm')) return 'wasm';
  if (type.includes('javascript')) return 'js';
  if (type.includes('css')) return 'css';
  if (type.includes('html')) return 'html';
  if (type.includes('json') || type.includes('cbor')) return 'api';
  return 'other';
}

/** One visit to `url` in `page` (throttled): bytes by type, ms to usable and to live. */
async function visit(page, cdp, url, { live, profile }) {
  const requests = new Map();
  const bytes = { html: 0, js: 0, wasm: 0, css: 0, api: 0, other: 0 };
  const onResponse = (e) => requests.set(e.requestId, kind(e.response));
  const onFinished = (e) => {
    bytes[requests.get(e.requestId) ?? 'other'] += e.encodedDataLength;
  };
  cdp.on('Network.responseReceived', onResponse);
  cdp.on('Network.loadingFinished', onFinished);
  if (profile) {
    await page.context().browser().startTracing(page, { categories: ['devtools.timeline', 'v8', 'v8.wasm', 'disabled-by-default-devtools.timeline'] });
  }
  if (profile && CPU_PROFILE) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  }
  const started = Date.now();
  await page.goto(url, { waitUntil: 'commit' });
  await waitFor(page, 'html[data-hydrated], html[data-plain]');
  // A plain page (no code: its forms work as HTML) is usable once it has
  // loaded with its stylesheet.
  if (await page.locator('html[data-plain]').count()) await page.waitForLoadState('load');
  const usable = Date.now() - started;
  let liveMs = null;
  if (live) {
    await waitFor(page, 'form.composer[data-link="live"]');
    liveMs = Date.now() - started;
  }
  if (profile && CPU_PROFILE) printProfile(url, (await cdp.send('Profiler.stop')).profile);
  if (profile) {
    const trace = await page.context().browser().stopTracing();
    const file = path.join(os.tmpdir(), `first-visit-trace-${Date.now()}.json`);
    fs.writeFileSync(file, trace);
    console.log(`(the whole trace: ${file}, for chrome://tracing or Perfetto)`);
    printTraceSummary(JSON.parse(trace.toString()));
  }
  // What is still on its way (preloads the page did not wait for) counts too.
  await page.waitForLoadState('networkidle');
  if (TRACE) await printTimeline(page, url);
  cdp.off('Network.responseReceived', onResponse);
  cdp.off('Network.loadingFinished', onFinished);
  const total = Object.values(bytes).reduce((a, b) => a + b, 0);
  return { bytes, total, usable, live: liveMs };
}

/** With FIRST_VISIT_TRACE=1: when each file of a visit started and ended
 * downloading, and when the page was hydrated and live, in ms from the
 * start of the navigation (the browser's Resource Timing). */
async function printTimeline(page, url) {
  const t = await page.evaluate(() => ({
    nav: performance.getEntriesByType('navigation').map((e) => ({ name: 'page', start: e.startTime, end: e.responseEnd, size: e.transferSize })),
    files: performance.getEntriesByType('resource').map((e) => ({ name: e.name.replace(location.origin, ''), start: e.startTime, end: e.responseEnd, size: e.transferSize })),
    hydrated: document.documentElement.dataset.hydrated ?? null,
  }));
  console.log(`\n${url}: hydrated at ${t.hydrated} ms`);
  for (const f of [...t.nav, ...t.files]) {
    console.log(`  ${String(Math.round(f.start)).padStart(6)} -> ${String(Math.round(f.end)).padStart(6)} ms  ${kb(f.size).padStart(7)} KB  ${f.name.slice(0, 90)}`);
  }
}

/** With FIRST_VISIT_PROFILE=1: the main thread's time until the page was
 * live, by function (self time, from the sampling profiler), the top 25,
 * and by file. */
function printProfile(url, profile) {
  const dt = new Map();
  profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFn = new Map();
  const byFile = new Map();
  for (const node of profile.nodes) {
    const us = dt.get(node.id) ?? 0;
    if (!us) continue;
    const f = node.callFrame;
    const file = f.url ? f.url.replace(/^.*\//, '') : `(${f.functionName || 'program'})`;
    const name = `${f.functionName || '(anonymous)'}  ${file}`;
    byFn.set(name, (byFn.get(name) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  console.log(`\n${url}: main thread until live, by file (ms)`);
  for (const [k, us] of top(byFile, 12)) console.log(`  ${(us / 1000).toFixed(0).padStart(6)}  ${k}`);
  console.log('by function (self ms)');
  for (const [k, us] of top(byFn, 25)) console.log(`  ${(us / 1000).toFixed(0).padStart(6)}  ${k.slice(0, 110)}`);
}

/** With FIRST_VISIT_PROFILE: the page's main thread (the renderer's main
 * thread with the most work) until the page was live: its self time by kind
 * of trace event (an event's length less its children's), the top 15, then
 * each task longer than 15 ms, from the start of the trace, with the kinds
 * that filled it. */
function printTraceSummary(trace) {
  const events = trace.traceEvents ?? trace;
  const key = (e) => `${e.pid}:${e.tid}`;
  const mains = new Set(events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map(key));
  const count = new Map();
  for (const e of events) if (e.ph === 'X' && mains.has(key(e))) count.set(key(e), (count.get(key(e)) ?? 0) + 1);
  const main = [...count].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!main) return;
  const spans = events.filter((e) => e.ph === 'X' && key(e) === main && e.dur > 0).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const start = spans[0].ts;
  const self = new Map();
  const stack = [];
  const tasks = [];
  for (const e of spans) {
    while (stack.length && stack[stack.length - 1].end <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - e.dur);
    else if (e.dur > 15_000) tasks.push({ e, kinds: new Map() });
    else tasks.push(null);
    const task = stack.length ? stack[0].task : tasks[tasks.length - 1];
    if (parent && task) task.kinds.set(e.name, (task.kinds.get(e.name) ?? 0) + e.dur);
    self.set(e.name, (self.get(e.name) ?? 0) + e.dur);
    stack.push({ name: e.name, end: e.ts + e.dur, task: stack.length ? stack[0].task : tasks[tasks.length - 1] });
  }
  const ms = (us) => (us / 1000).toFixed(0).padStart(6);
  console.log('browser work on the main thread, by kind (self ms)');
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${ms(us)}  ${name}`);
  console.log('tasks over 15 ms (start, length, what filled them)');
  for (const t of tasks.filter(Boolean)) {
    const kinds = [...t.kinds].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([n, us]) => `${n} ${(us / 1000).toFixed(0)}`);
    console.log(`  ${ms(t.e.ts - start)} +${ms(t.e.dur).trim().padStart(4)}  ${kinds.join(', ')}`);
  }
}

/** A page of `context` under the mobile profile, with its DevTools session. */
async function throttledPage(context, problems) {
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(String(e)));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: MOBILE.latencyMs,
    downloadThroughput: MOBILE.downloadBytesPerSec,
    uploadThroughput: MOBILE.uploadBytesPerSec,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: MOBILE.cpuSlowdown });
  return { page, cdp };
}

/** A cold visit in a fresh context (with `state`'s cookies), then a warm
 * one: the link opened again later in a new tab of the same browser, which
 * shares the HTTP cache but not the first tab's memory. */
async function coldAndWarm(browser, name, url, state, live) {
  const context = await browser.newContext({ ...PHONE, storageState: state });
  const problems = [];
  const attempt = async (which) => {
    const { page, cdp } = await throttledPage(context, problems);
    try {
      const measured = await visit(page, cdp, url, { live, profile: PROFILE && which === 'warm' });
      if (which === 'cold' && STAY_MS > 0) await page.waitForTimeout(STAY_MS);
      return measured;
    } catch (e) {
      throw new Error(`${name}, ${which}: ${e.message}\nthe page said: ${problems.join('\n') || 'nothing'}`);
    } finally {
      await page.close();
    }
  };
  const cold = await attempt('cold');
  const warm = await attempt('warm');
  await context.close();
  return [{ name: `${name}, cold`, ...cold }, { name: `${name}, warm`, ...warm }];
}

const kb = (n) => (n / 1000).toFixed(1);

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};
/** "3034 (2986-3777)": the median of the rounds, and their range. */
const spread = (xs) => (xs.length === 1 ? String(xs[0]) : `${median(xs)} (${Math.min(...xs)}-${Math.max(...xs)})`);

/** One row per visit from the rounds: median bytes, and the times' spread. */
function summarize(rounds) {
  return rounds[0].map((row, i) => {
    const all = rounds.map((r) => r[i]);
    const bytes = Object.fromEntries(Object.keys(row.bytes).map((k) => [k, median(all.map((r) => r.bytes[k]))]));
    return {
      name: row.name,
      bytes,
      total: median(all.map((r) => r.total)),
      usable: spread(all.map((r) => r.usable)),
      live: row.live === null ? null : spread(all.map((r) => r.live)),
    };
  });
}

function printVisits(rows) {
  console.log('\nMobile profile: 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip, CPU 4x slower.');
  console.log('KB = 1,000 bytes on the wire (compressed, headers included); ms from the start of the navigation;');
  console.log(`median of ${ROUNDS} rounds (each in fresh browser contexts), times with their range.\n`);
  const head = ['visit', 'total KB', 'html', 'js', 'wasm', 'css', 'api', 'other', 'usable ms', 'live ms'];
  const lines = rows.map((r) => [
    r.name, kb(r.total), kb(r.bytes.html), kb(r.bytes.js), kb(r.bytes.wasm), kb(r.bytes.css),
    kb(r.bytes.api), kb(r.bytes.other), r.usable, r.live === null ? '-' : r.live,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(fmt(head));
  for (const l of lines) console.log(fmt(l));
}

function printChunks() {
  console.log('\nWebAssembly chunks (bytes): raw, gzip, brotli (the .gz and .br the build wrote)');
  const size = (f) => (fs.existsSync(f) ? fs.statSync(f).size : null);
  for (const file of fs.readdirSync(pkgDir).filter((f) => f.endsWith('.wasm')).sort()) {
    const full = path.join(pkgDir, file);
    const raw = size(full);
    const gz = size(`${full}.gz`) ?? zlib.gzipSync(fs.readFileSync(full), { level: 9 }).length;
    const br = size(`${full}.br`) ?? zlib.brotliCompressSync(fs.readFileSync(full)).length;
    console.log(`  ${file}: ${raw}, ${gz}, ${br}`);
  }
}

const browser = await chromium.launch(LAUNCH);
try {
  const s = await setUp(browser);
  const rounds = [];
  for (let round = 1; round <= ROUNDS; round++) {
    rounds.push([
      ...(await coldAndWarm(browser, 'join page (new visitor)', s.joinUrl, undefined, false)),
      ...(await coldAndWarm(browser, 'room (member)', s.roomUrl, s.memberState, true)),
      ...(await coldAndWarm(browser, 'instant chat (new guest)', s.chatUrl, undefined, false)),
      ...(await coldAndWarm(browser, 'instant chat (guest in it)', s.chatUrl, s.guestState, true)),
    ]);
    console.log(`round ${round} of ${ROUNDS} done`);
  }
  printVisits(summarize(rounds));
  printChunks();
} finally {
  await browser.close();
}
