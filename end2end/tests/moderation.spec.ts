import { test, expect, Page } from '@playwright/test';
import { roomOfTwo, waitLive } from './helpers';

/** The member list entry for `name`. */
function entry(page: Page, name: string) {
  return page.getByRole('region', { name: 'Members' }).locator(`li[data-member="${name}"]`);
}

/** Opens the invite link and presses Join. */
async function join(page: Page, link: string, room: string) {
  await page.goto(link);
  await page.getByRole('button', { name: `Join ${room}` }).click();
}

test('a member leaves and comes back, is removed live and comes back, then is banned for good', async ({ browser }) => {
  const room = 'Moderated';
  const { ana, bruno } = await roomOfTwo(browser, room);
  await ana.page.getByRole('button', { name: 'Share invite link' }).click();
  const link = await ana.page.getByLabel('Invite link').inputValue();
  const timeline = ana.page.getByRole('list', { name: 'Messages' });

  // Leaving: home, and a line for the others.
  await bruno.page.getByRole('button', { name: 'Leave room' }).click();
  await expect(bruno.page.getByRole('heading', { name: 'Your rooms' })).toBeVisible();
  await expect(bruno.page.getByRole('link', { name: room })).toHaveCount(0);
  await expect(timeline).toContainText(`${bruno.name} left`);
  await expect(entry(ana.page, bruno.name)).toHaveCount(0);

  // Back by the same link; the owner removes him: his open tab is told at once.
  await join(bruno.page, link, room);
  await waitLive(bruno.page);
  await expect(entry(ana.page, bruno.name)).toBeVisible();
  await expect(ana.page.getByRole('button', { name: `Remove ${ana.name}` })).toHaveCount(0);
  await ana.page.getByRole('button', { name: `Remove ${bruno.name}` }).click();
  await expect(bruno.page.getByRole('alert').filter({ hasText: `${ana.name} removed you from this room.` })).toBeVisible();
  await expect(bruno.page.getByRole('textbox', { name: 'Message' })).toBeDisabled();
  await expect(timeline).toContainText(`${bruno.name} was removed by ${ana.name}`);

  // Removed is not banned: the link works again. Banned is for good.
  await join(bruno.page, link, room);
  await waitLive(bruno.page);
  ana.page.once('dialog', (dialog) => dialog.accept());
  await ana.page.getByRole('button', { name: `Ban ${bruno.name}` }).click();
  await expect(bruno.page.getByRole('alert').filter({ hasText: `${ana.name} banned you from this room.` })).toBeVisible();
  await expect(timeline).toContainText(`${bruno.name} was banned by ${ana.name}`);
  await join(bruno.page, link, room);
  await expect(bruno.page.getByRole('alert').filter({ hasText: 'You are banned from this room and cannot join it again.' })).toBeVisible();
});

test('the owner sees who is banned and lifts a ban; the link works again', async ({ browser }) => {
  const room = 'Second chances';
  const { ana, bruno } = await roomOfTwo(browser, room);
  await ana.page.getByRole('button', { name: 'Share invite link' }).click();
  const link = await ana.page.getByLabel('Invite link').inputValue();
  ana.page.once('dialog', (dialog) => dialog.accept());
  await ana.page.getByRole('button', { name: `Ban ${bruno.name}` }).click();
  await expect(bruno.page.getByRole('alert').filter({ hasText: `${ana.name} banned you from this room.` })).toBeVisible();

  await ana.page.getByRole('button', { name: 'Banned members' }).click();
  const bans = ana.page.getByRole('region', { name: 'Banned members' });
  await expect(bans).toContainText(`${bruno.name} banned by ${ana.name}`);
  await bans.getByRole('button', { name: `Lift the ban on ${bruno.name}` }).click();
  await expect(bans).toContainText('Nobody is banned from this room.');

  await join(bruno.page, link, room);
  await waitLive(bruno.page);
  await expect(entry(ana.page, bruno.name)).toBeVisible();
});
