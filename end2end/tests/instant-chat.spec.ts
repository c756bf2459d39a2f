import { test, expect, Page } from '@playwright/test';
import { PNG, bodies, joinAs, send, stranger, waitLive } from './helpers';

/** The system lines ("Bruno guest joined · 14:05") shown, in order. */
async function notices(page: Page): Promise<string[]> {
  return page.locator('ol.timeline li.notice').allTextContents();
}


test('three anonymous people share an instant chat without history, and the host ends it', async ({ browser }) => {
  // The starter: no account, a name and a title, history left off.
  const host = await stranger(browser);
  await host.goto('/');
  await host.getByLabel('Your name (optional)').fill('Ana');
  await host.getByLabel('Title (optional)').fill('Picnic <Saturday>');
  await expect(host.getByLabel(/Keep history/)).not.toBeChecked();
  await host.getByRole('button', { name: 'Start an instant chat' }).click();
  await expect(host).toHaveURL(/\/instant-chat\/[A-Za-z0-9_-]{16}$/);
  await expect(host.getByRole('heading', { name: 'Picnic <Saturday>' })).toBeVisible();
  const link = await host.getByLabel('Chat link').inputValue();
  expect(link).toBe(host.url());
  await host.getByText('QR code').click();
  const qr = host.getByRole('img', { name: /QR code of the chat link/ });
  await expect(qr).toBeVisible();
  expect(await qr.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  await waitLive(host);

  // Guest 1, on a phone: sees what they are joining, picks a name.
  const bruno = await stranger(browser, true);
  await bruno.goto(link);
  await expect(bruno.getByRole('heading', { name: 'Picnic <Saturday>' })).toBeVisible();
  await expect(bruno.getByText('Started by')).toContainText('Ana');
  await expect(bruno.getByText('History is off')).toBeVisible();
  await bruno.getByLabel('Your name').fill('Bruno');
  await bruno.getByRole('button', { name: 'Join chat' }).click();
  await waitLive(bruno);
  await expect.poll(() => notices(host)).toEqual([
    expect.stringContaining('Ana host started the chat'),
    expect.stringContaining('Bruno guest joined'),
  ]);

  // Guest 2 first picks a name that is taken (ignoring case), keeps what they typed, then another.
  const carla = await stranger(browser);
  await joinAs(carla, link, 'bruno');
  await expect(carla.getByRole('alert').filter({ hasText: 'That name is taken in this chat' })).toBeVisible();
  await expect(carla.getByLabel('Your name')).toHaveValue('bruno');
  await carla.getByLabel('Your name').fill('Carla');
  await carla.getByRole('button', { name: 'Join chat' }).click();
  await waitLive(carla);
  for (const page of [host, bruno]) {
    await expect(page.locator('ol.timeline li.notice').last()).toContainText('Carla guest joined');
  }
  // Without history, Carla sees only what happens from her joining on.
  expect(await notices(carla)).toEqual([expect.stringContaining('Carla guest joined')]);

  // Everyone sees everyone's messages, live, in the same order.
  await send(host, 'Bring a blanket');
  await expect.poll(() => bodies(carla)).toEqual(['Bring a blanket']);
  await send(bruno, 'I have <b>lemonade</b>');
  await expect.poll(() => bodies(carla)).toEqual(['Bring a blanket', 'I have <b>lemonade</b>']);
  await send(carla, 'See you at noon');
  const all = ['Bring a blanket', 'I have <b>lemonade</b>', 'See you at noon'];
  for (const page of [host, bruno, carla]) {
    await expect.poll(() => bodies(page)).toEqual(all);
  }
  await expect(carla.locator('li.message', { hasText: 'Bring a blanket' }).locator('.tag')).toHaveText('host');

  // A guest sends a photo from the phone: everyone sees it inline, and only people in the chat can fetch it.
  await bruno.getByLabel('Attach image or audio').setInputFiles({ name: 'blanket.png', mimeType: 'image/png', buffer: PNG });
  for (const page of [host, carla]) {
    const image = page.getByRole('img', { name: 'Image from Bruno' });
    await expect(image).toBeVisible();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(40);
  }
  const src = (await carla.getByRole('img', { name: 'Image from Bruno' }).getAttribute('src')) ?? '';
  expect(src).toMatch(/^\/instant-chat\/[A-Za-z0-9_-]{16}\/attachments\/\d+$/);
  expect((await carla.request.get(src)).status()).toBe(200);
  const outsider = await stranger(browser);
  expect((await outsider.request.get(src)).status()).toBe(404);

  // The host ends the chat: both guests see it end at once and can no longer send.
  await host.getByRole('button', { name: 'End chat for everyone' }).click();
  for (const page of [bruno, carla]) {
    await expect(page.getByRole('alert').filter({ hasText: 'The host ended this chat.' })).toBeVisible();
    await expect(page.getByRole('textbox', { name: 'Message' })).toBeDisabled();
    await expect(page.getByText('Attach image or audio')).toHaveCount(0);
  }
  expect((await carla.request.get(src)).status()).toBe(410);
  await expect(host.getByRole('heading', { name: 'This chat has ended' })).toBeVisible();
  const response = await bruno.goto(link);
  expect(response?.status()).toBe(410);
  await expect(bruno.getByText('The host ended this chat.')).toBeVisible();
});
