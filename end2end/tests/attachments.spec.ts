import { test, expect } from '@playwright/test';
import { PNG, member, roomOfTwo, waitLive } from './helpers';

test('an image and a recorded voice message reach the other side; other files are refused', async ({ browser }) => {
  const { ana, bruno } = await roomOfTwo(browser, 'Show and tell');

  // Ana attaches an image: Bruno sees it inline, its size reserved, loaded.
  await ana.page.getByLabel('Attach image or audio').setInputFiles({ name: 'square.png', mimeType: 'image/png', buffer: PNG });
  const image = bruno.page.getByRole('img', { name: `Image from ${ana.name}` });
  await expect(image).toBeVisible();
  await expect(image).toHaveAttribute('width', '40');
  await expect(image).toHaveAttribute('height', '30');
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(40);

  // A text file named like an image is refused by its bytes, with the reason shown.
  await ana.page.getByLabel('Attach image or audio').setInputFiles({
    name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('just some text, not an image'),
  });
  await expect(ana.page.locator('#composer-error')).toContainText('Roomlink takes images (PNG, JPEG, WebP or GIF)');

  // Bruno records a voice message with the (fake) microphone.
  await bruno.page.getByRole('button', { name: 'Record voice message' }).click();
  await expect(bruno.page.getByRole('status').filter({ hasText: 'Recording' })).toBeVisible();
  await bruno.page.waitForTimeout(1_500);
  await bruno.page.getByRole('button', { name: 'Stop and send' }).click();
  const voice = ana.page.getByRole('figure').filter({ hasText: 'Voice message' }).locator('audio');
  await expect(voice).toHaveAttribute('aria-label', new RegExp(`^Voice message from ${bruno.name}, 0:0[1-3]$`));
  await expect.poll(() => voice.evaluate((a: HTMLAudioElement) => a.readyState)).toBeGreaterThan(0);

  // The files are for members only.
  const src = (await voice.getAttribute('src')) ?? '';
  const fetched = await ana.page.request.get(src);
  expect(fetched.status()).toBe(200);
  expect(fetched.headers()['content-type']).toBe('audio/webm');
  expect(fetched.headers()['x-content-type-options']).toBe('nosniff');
  const outsider = await member(browser, 'eve');
  expect((await outsider.page.request.get(src)).status()).toBe(404);

  // Only the image went through: the refused file left nothing in the room.
  await bruno.page.reload();
  await waitLive(bruno.page);
  await expect(bruno.page.locator('ol.timeline .attachment')).toHaveCount(2);
});

test('an upload that did not arrive stays with Retry, and arrives once when retried', async ({ browser }) => {
  const { ana, bruno } = await roomOfTwo(browser, 'Flaky network');

  // The first try is cut off on the way (as a dropped connection would be).
  let tries = 0;
  await ana.page.route('**/rooms/*/attachments*', async (route) => {
    tries += 1;
    if (tries === 1) await route.abort('connectionreset');
    else await route.continue();
  });
  await ana.page.getByLabel('Attach image or audio').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: PNG });
  const failed = ana.page.getByRole('list', { name: 'Uploads that did not arrive' });
  await expect(failed).toContainText('photo.png did not arrive: The upload did not reach Roomlink.');

  await ana.page.getByRole('button', { name: 'Retry photo.png' }).click();
  await expect(bruno.page.getByRole('img', { name: `Image from ${ana.name}` })).toHaveCount(1);
  await expect(failed.getByRole('listitem')).toHaveCount(0);
  expect(tries).toBe(2);

  // Dismiss forgets a failed upload without sending it.
  await ana.page.unroute('**/rooms/*/attachments*');
  await ana.page.route('**/rooms/*/attachments*', (route) => route.abort('connectionreset'));
  await ana.page.getByLabel('Attach image or audio').setInputFiles({ name: 'other.png', mimeType: 'image/png', buffer: PNG });
  await ana.page.getByRole('button', { name: 'Dismiss other.png' }).click();
  await expect(failed.getByRole('listitem')).toHaveCount(0);
  await expect(bruno.page.getByRole('img', { name: `Image from ${ana.name}` })).toHaveCount(1);
});
