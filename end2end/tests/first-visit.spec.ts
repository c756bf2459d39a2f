import { test, expect, Page, Route } from '@playwright/test';
import { bodies, member, roomOfTwo, send, signUp, uniqueName, waitLive } from './helpers';

/** What the browser fetched while `visit` ran, seen through the DevTools
 * protocol: each response's URL, headers, and whether it came from the
 * browser's cache instead of the network. */
async function fetched(page: Page, visit: () => Promise<void>) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const seen: { url: string; headers: Record<string, string>; fromCache: boolean }[] = [];
  cdp.on('Network.responseReceived', (e) => {
    const headers = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    seen.push({ url: e.response.url, headers, fromCache: !!(e.response.fromDiskCache || e.response.fromMemoryCache) });
  });
  await visit();
  await cdp.detach();
  return seen;
}

/** Holds back every WebAssembly request of `page` until `release`:
 * `held()` says how many are waiting. */
async function holdCode(page: Page, code: RegExp = /\/pkg\/.*\.wasm$/) {
  const held: Route[] = [];
  let released = false;
  await page.route(code, (route) => (released ? route.continue() : void held.push(route)));
  return {
    held: () => held.length,
    release: async () => {
      released = true;
      for (const route of held) await route.continue();
    },
  };
}

test('assets come compressed and immutable, and a second visit to a room takes its code from the cache', async ({ browser }) => {
  const { page } = await member(browser, 'ana');
  await page.getByLabel('Room name').fill('Cached');
  await page.getByRole('button', { name: 'Create room' }).click();
  await expect(page).toHaveURL(/\/rooms\/\d+$/);
  const room = page.url();

  // A visit in a fresh browser (cache empty) with the same session.
  const context = await browser.newContext({ storageState: await page.context().storageState() });
  const phone = await context.newPage();
  const first = await fetched(phone, async () => {
    await phone.goto(room);
    await waitLive(phone);
  });
  const html = first.find((r) => r.url === room);
  expect(['br', 'gzip']).toContain(html?.headers['content-encoding']);
  const assets = first.filter((r) => new URL(r.url).pathname.startsWith('/pkg/'));
  const wasm = assets.filter((r) => r.url.endsWith('.wasm'));
  expect(wasm.length, 'the page loads its code').toBeGreaterThan(0);
  // The room's own code, not the other pages'.
  const names = wasm.map((r) => new URL(r.url).pathname);
  expect(names.some((p) => p.includes('room_view')), names.join(' ')).toBe(true);
  expect(names.filter((p) => /entry_view|instant_view|member_view/.test(p))).toEqual([]);
  expect(assets.some((r) => r.url.endsWith('.js'))).toBe(true);
  expect(assets.some((r) => r.url.endsWith('.css'))).toBe(true);
  for (const asset of assets) {
    expect(['br', 'gzip'], asset.url).toContain(asset.headers['content-encoding']);
    expect(asset.headers['cache-control'], asset.url).toBe('public, max-age=31536000, immutable');
    // The name carries the content's hash: roomlink.<hash>.wasm and the like.
    expect(new URL(asset.url).pathname, asset.url).toMatch(/\.[A-Za-z0-9_-]{16,}\.(wasm|js|css)$/);
  }

  // The second visit, later, in a new tab (the browser's HTTP cache, not the
  // first tab's memory): the page again, the code from the cache.
  await phone.close();
  const later = await context.newPage();
  const second = await fetched(later, async () => {
    await later.goto(room);
    await waitLive(later);
  });
  const again = second.filter((r) => r.url.endsWith('.wasm'));
  expect(again.map((r) => r.url).sort()).toEqual(wasm.map((r) => r.url).sort());
  for (const r of again) expect(r.fromCache, `${r.url} from the cache`).toBe(true);
  expect(second.find((r) => r.url === room)?.fromCache, 'the page itself is asked for again').toBe(false);

  await context.close();
});

test('a message sent while the page is still loading its code arrives once', async ({ browser }) => {
  const { ana, bruno } = await roomOfTwo(browser, 'Early birds');
  const room = bruno.page.url();

  // Bruno opens the room again, and its code is held back on the way.
  const code = await holdCode(bruno.page);
  await bruno.page.goto(room, { waitUntil: 'commit' });
  await expect(bruno.page.locator('html')).not.toHaveAttribute('data-hydrated');
  await expect.poll(() => code.held(), { message: 'the page asked for its code' }).toBeGreaterThan(0);
  const input = bruno.page.getByRole('textbox', { name: 'Message' });
  await input.fill('Typed before the code came');
  await bruno.page.getByRole('button', { name: 'Send' }).click();
  // Held for the live layer, not sent off as a plain form.
  await expect(bruno.page.locator('form.composer')).toHaveAttribute('data-queued', '');
  expect(bruno.page.url()).toBe(room);

  await code.release();
  await expect(bruno.page.locator('html')).toHaveAttribute('data-hydrated', /\d+/);
  await waitLive(bruno.page);
  await expect.poll(() => bodies(ana.page)).toContain('Typed before the code came');
  await expect(input).toHaveValue('');

  // One more line as a barrier: once it is in, the early one had every
  // chance to come twice.
  await input.fill('And one after');
  await bruno.page.getByRole('button', { name: 'Send' }).click();
  await expect.poll(() => bodies(ana.page)).toContain('And one after');
  await expect.poll(() => bodies(bruno.page)).toContain('And one after');
  const count = (lines: string[]) => lines.filter((b) => b === 'Typed before the code came').length;
  expect(count(await bodies(ana.page))).toBe(1);
  expect(count(await bodies(bruno.page))).toBe(1);
});

test("an instant chat's join card loads no code for a new guest, the chat its own once they joined, and a participant's reload hydrates it live", async ({ browser }) => {
  const host = await (await browser.newContext()).newPage();
  await host.goto('/');
  await host.getByLabel('Your name (optional)').fill('Ana');
  await host.getByRole('button', { name: 'Start an instant chat' }).click();
  await expect(host).toHaveURL(/\/instant-chat\//);
  await waitLive(host);
  const link = host.url();

  // A new guest (no account, no cookie of this chat): a plain page.
  const guest = await (await browser.newContext({ viewport: { width: 375, height: 740 } })).newPage();
  const wasm: string[] = [];
  guest.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname); });
  await guest.goto(link);
  await expect(guest.locator('html')).toHaveAttribute('data-plain', '');
  await expect(guest.getByRole('button', { name: 'Join chat' })).toBeVisible();
  expect(wasm, 'no code for the join card').toEqual([]);

  await guest.getByLabel('Your name').fill('Bruno');
  await guest.getByRole('button', { name: 'Join chat' }).click();
  await waitLive(guest);
  expect(wasm.some((p) => p.includes('instant_view')), 'the chat loads its code once they joined').toBe(true);
  expect(wasm.filter((p) => /entry_view|room_view|member_view/.test(p)), 'and no other page group').toEqual([]);

  // Opening the chat again as a participant: rendered with the chat by the
  // server, hydrated once its chunk is in, then live.
  await guest.reload();
  await expect(guest.locator('html')).toHaveAttribute('data-hydrated', /\d+/);
  await waitLive(guest);
  await guest.getByRole('textbox', { name: 'Message' }).fill('Back after a reload');
  await guest.getByRole('button', { name: 'Send' }).click();
  await expect.poll(() => bodies(host)).toContain('Back after a reload');

  // Someone logged in who is not in the chat yet gets the card with the
  // chat's code, and not the entry pages', the room's nor the member pages'.
  const { page: carla } = await member(browser, 'carla');
  const carlaWasm: string[] = [];
  carla.on('request', (r) => { if (r.url().endsWith('.wasm')) carlaWasm.push(new URL(r.url()).pathname); });
  await carla.goto(link);
  await expect(carla.locator('html')).toHaveAttribute('data-hydrated', /\d+/);
  expect(carlaWasm.some((p) => p.includes('instant_view')), carlaWasm.join(' ')).toBe(true);
  expect(carlaWasm.filter((p) => /entry_view|room_view|member_view/.test(p))).toEqual([]);
});

test('the pages people open first from a link load no code at all, and still work', async ({ browser }) => {
  const { page: ana } = await member(browser, 'ana');
  await ana.getByLabel('Room name').fill('Plain');
  await ana.getByRole('button', { name: 'Create room' }).click();
  await expect(ana).toHaveURL(/\/rooms\/\d+$/);
  await ana.getByRole('button', { name: 'Share invite link' }).click();
  const link = await ana.getByLabel('Invite link').inputValue();

  const phone = await (await browser.newContext({ viewport: { width: 375, height: 740 } })).newPage();
  const code: string[] = [];
  phone.on('request', (r) => {
    if (/\/pkg\/.*\.(wasm|js)$/.test(r.url())) code.push(`${new URL(phone.url()).pathname}: ${new URL(r.url()).pathname}`);
  });
  // The invite card, then sign-up from it: plain HTML, forms posted as forms.
  await phone.goto(link);
  await expect(phone.locator('html')).toHaveAttribute('data-plain', '');
  await expect(phone.getByRole('heading', { name: 'Plain' })).toBeVisible();
  await expect(phone.locator('time').first()).not.toContainText('UTC');
  await phone.getByRole('link', { name: 'Sign up to join' }).click();
  await expect(phone).toHaveURL(/\/signup\?next=/);
  await expect(phone.locator('html')).toHaveAttribute('data-plain', '');
  await signUp(phone, uniqueName('bruno'));
  await expect(phone).toHaveURL(/\/join\//);
  expect(code, 'nothing loaded code so far').toEqual([]);
  await phone.getByRole('button', { name: 'Join Plain' }).click();
  // The room is where the code comes in.
  await expect(phone).toHaveURL(/\/rooms\/\d+$/);
  await waitLive(phone);
  expect(code.length, 'the room loads its code').toBeGreaterThan(0);
});

test("a room's live socket connects and subscribes before the page's code has come, and the code takes it over with what it heard", async ({ browser }) => {
  const { ana, bruno } = await roomOfTwo(browser, 'Early socket');
  const room = bruno.page.url();
  const code = await holdCode(bruno.page);
  const sockets: string[] = [];
  const sent: string[] = [];
  const heard: string[] = [];
  bruno.page.on('websocket', (ws) => {
    sockets.push(ws.url());
    ws.on('framesent', (f) => sent.push(String(f.payload)));
    ws.on('framereceived', (f) => heard.push(String(f.payload)));
  });
  await bruno.page.goto(room, { waitUntil: 'commit' });
  await expect.poll(() => code.held(), { message: 'the page asked for its code' }).toBeGreaterThan(0);
  await expect.poll(() => sockets.length, { message: 'the socket started while the code was held back' }).toBe(1);
  const subscribes = () => sent.filter((f) => JSON.parse(f).type === 'subscribe');
  await expect.poll(subscribes, { message: 'the page subscribed while the code was held back' }).toHaveLength(1);
  await expect.poll(() => heard.some((f) => JSON.parse(f).type === 'subscribed'), { message: 'and the server answered' }).toBe(true);
  // A line that arrives while the code is still held is kept for it.
  await send(ana.page, 'while the code was on its way');
  await expect.poll(() => heard.some((f) => f.includes('while the code was on its way'))).toBe(true);
  await expect(bruno.page.locator('html')).not.toHaveAttribute('data-hydrated');

  await code.release();
  await waitLive(bruno.page);
  await expect.poll(() => bodies(bruno.page)).toContain('while the code was on its way');
  await send(ana.page, 'over the early socket');
  await expect.poll(() => bodies(bruno.page)).toContain('over the early socket');
  expect(sockets, 'one socket, taken over rather than opened again').toHaveLength(1);
  expect(subscribes(), 'subscribed once: the code did not ask again').toHaveLength(1);
  expect((await bodies(bruno.page)).filter((b) => b === 'while the code was on its way')).toHaveLength(1);
});

test("a room whose own code comes after the main chunk has run still shows its times in the reader's zone", async ({ browser }) => {
  // The main chunk hydrates the shell and reaches the room's lazy route,
  // whose chunks are held back: before the fix, the shell switched the
  // times to the reader's zone then, the room hydrated later with the new
  // text, and hydration (which does not rewrite attributes) left the
  // server's UTC titles in place for good.
  const { ana, bruno } = await roomOfTwo(browser, 'Late code');
  await send(ana.page, 'a line with a time');
  const room = bruno.page.url();
  const groupChunks = await holdCode(bruno.page, /\/pkg\/(?!roomlink\.)[^/]*\.wasm$/);
  await bruno.page.goto(room, { waitUntil: 'commit' });
  await expect.poll(() => groupChunks.held(), { message: "the room's own chunks were asked for" }).toBeGreaterThan(0);
  await expect(bruno.page.locator('ol.timeline time').first()).toHaveAttribute('title', /UTC/);
  await groupChunks.release();
  await waitLive(bruno.page);
  await expect(bruno.page.locator('ol.timeline time').first()).not.toHaveAttribute('title', /UTC/);
});

test("a page's head names the chunks of its own group every time, so they download with the main chunk", async ({ browser }) => {
  const { page } = await member(browser, 'ana');
  await page.getByLabel('Room name').fill('Preloads');
  await page.getByRole('button', { name: 'Create room' }).click();
  await expect(page).toHaveURL(/\/rooms\/\d+$/);
  const preloads = async (path: string) => {
    const html = await (await page.request.get(path)).text();
    return [...html.matchAll(/<link rel="preload" href="\/pkg\/([^"]+)\.wasm"/g)].map((m) => m[1]);
  };
  // Leptos' own list was missing from about half of these pages.
  for (let i = 0; i < 10; i++) {
    for (const [path, group] of [[new URL(page.url()).pathname, 'room_view_'], ['/dashboard', 'member_view_'], ['/', 'entry_view_']]) {
      const names = await preloads(path);
      expect(names.some((n) => n.startsWith(`split_${group}`)), `${path}: ${names.join(' ')}`).toBe(true);
      expect(names.filter((n) => n.startsWith('split_') && !n.startsWith(`split_${group}`)), path).toEqual([]);
    }
  }
});
