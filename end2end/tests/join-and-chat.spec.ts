import { test, expect, Browser, Page } from '@playwright/test';
import { bodies, send, signUp, uniqueName, waitLive } from './helpers';

/** A signs up, creates a room and shares an invite link; returns the link. */
async function ownerSharesLink(browser: Browser, room: string): Promise<{ page: Page; link: string }> {
  const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  await page.goto('/signup');
  await signUp(page, uniqueName('ana'));
  await expect(page.getByText('Logged in as')).toBeVisible();
  await page.getByLabel('Room name').fill(room);
  await page.getByRole('button', { name: 'Create room' }).click();
  await expect(page).toHaveURL(/\/rooms\/\d+$/);
  await expect(page.getByRole('heading', { name: room })).toBeVisible();
  await page.getByRole('button', { name: 'Share invite link' }).click();
  const link = await page.getByLabel('Invite link').inputValue();
  expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/join\/[A-Za-z0-9_-]{43}$/);
  await page.getByRole('button', { name: 'Copy' }).click();
  await expect(page.getByRole('button', { name: 'Copied!' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
  return { page, link };
}

test('share a link, join it from the sign-up page, and chat live both ways', async ({ browser }) => {
  const { page: a, link } = await ownerSharesLink(browser, 'Book club');

  const b = await (await browser.newContext()).newPage();
  await b.goto(link);
  await expect(b.getByRole('heading', { name: 'Book club' })).toBeVisible();
  await expect(b.getByText('1 member')).toBeVisible();
  await expect(b.getByText(/invited you to join/)).toBeVisible();
  await b.getByRole('link', { name: 'Sign up to join' }).click();
  await signUp(b, uniqueName('bruno'));
  await expect(b).toHaveURL(link);
  await b.getByRole('button', { name: 'Join Book club' }).click();
  await expect(b).toHaveURL(/\/rooms\/\d+$/);
  expect(b.url()).toBe(a.url());

  await waitLive(a);
  await waitLive(b);
  // The owner's header counted the newcomer live, without a reload.
  await expect(a.locator('.room-head')).toContainText('2 members');

  // B records when each message appears, using the wall clock both pages share.
  await b.evaluate(() => {
    const seen: Record<string, number> = {};
    (window as any).__seen = seen;
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('ol.timeline li.message:not(.pending) .body')) {
        const text = el.textContent ?? '';
        if (!(text in seen)) seen[text] = performance.timeOrigin + performance.now();
      }
    }).observe(document.querySelector('ol.timeline')!, { childList: true, subtree: true });
  });

  const composer = a.getByRole('textbox', { name: 'Message' });
  const latencies: number[] = [];
  const sent: string[] = [];
  for (let i = 0; i < 30; i++) {
    const text = `from A #${i}`;
    await composer.fill(text);
    const pressedAt = await a.evaluate(() => {
      const button = document.querySelector<HTMLButtonElement>('form.composer button[type=submit]')!;
      const t = performance.timeOrigin + performance.now();
      button.click();
      return t;
    });
    const shownAt = await b.waitForFunction((t) => (window as any).__seen[t], text).then((h) => h.jsonValue());
    latencies.push((shownAt as number) - pressedAt);
    sent.push(text);
  }
  latencies.sort((x, y) => x - y);
  const median = latencies[Math.floor(latencies.length / 2)];
  console.log(`send-to-render latency A->B over ${latencies.length} messages: median ${median.toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms`);

  await send(b, 'hello from B');
  await expect(a.locator('ol.timeline .body', { hasText: 'hello from B' })).toHaveCount(1);
  const all = [...sent, 'hello from B'];
  await expect.poll(() => bodies(b)).toEqual(all);
  await expect.poll(() => bodies(a)).toEqual(all);
  await expect(a.locator('ol.timeline li.message').first().locator('.author')).toHaveText(/^ana/);

  // A reload shows the same history, rendered by the server.
  await b.reload();
  expect(await bodies(b)).toEqual(all);
});

test('a message over the limit is refused next to the input and the draft is kept', async ({ browser }) => {
  const { page: a } = await ownerSharesLink(browser, 'Limits');
  await waitLive(a);
  const long = 'x'.repeat(4001);
  await send(a, long);
  await expect(a.getByRole('alert').filter({ hasText: 'at most 4000 characters' })).toBeVisible();
  await expect(a.getByRole('textbox', { name: 'Message' })).toHaveValue(long);
  expect(await bodies(a)).toEqual([]);
});

test('joining works with JavaScript disabled', async ({ browser }) => {
  const { page: a, link } = await ownerSharesLink(browser, 'No script');
  await waitLive(a);
  await send(a, 'rendered on the server');
  await expect(a.locator('ol.timeline .body', { hasText: 'rendered on the server' })).toBeVisible();

  const b = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await b.goto(link);
  await expect(b.getByRole('heading', { name: 'No script' })).toBeVisible();
  await b.getByRole('link', { name: 'Sign up to join' }).click();
  await signUp(b, uniqueName('nojs'));
  await expect(b).toHaveURL(link);
  await b.getByRole('button', { name: 'Join No script' }).click();
  await expect(b).toHaveURL(a.url());
  await expect(b.locator('ol.timeline .body', { hasText: 'rendered on the server' })).toBeVisible();
});

test('bad links and non-members get clear pages', async ({ browser }) => {
  const { page: a, link } = await ownerSharesLink(browser, 'Members only');
  const e = await (await browser.newContext()).newPage();
  for (const bad of ['/join/nonsense', `/join/${'A'.repeat(43)}`]) {
    const response = await e.goto(bad);
    expect(response?.status()).toBe(404);
    await expect(e.getByRole('heading', { name: 'This invite link is invalid or has expired' })).toBeVisible();
  }
  await e.goto('/signup');
  await signUp(e, uniqueName('eve'));
  await expect(e.getByText('Logged in as')).toBeVisible();
  const response = await e.goto(a.url());
  expect(response?.status()).toBe(403);
  await expect(e.getByRole('heading', { name: 'You are not a member of this room' })).toBeVisible();
  expect(link).toContain('/join/');
});
