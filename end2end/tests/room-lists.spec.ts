import { test, expect } from '@playwright/test';
import { roomOfTwo, send, waitLive } from './helpers';

test('the home page’s unread badge and the dashboard’s join requests follow activity without a reload', async ({ browser }) => {
  const room = 'Busy room';
  const { ana, bruno } = await roomOfTwo(browser, room);

  // Ana goes home (through the app, so its code runs); Bruno talks.
  await ana.page.getByRole('link', { name: 'Roomlink' }).first().click();
  const entry = ana.page.getByRole('listitem').filter({ has: ana.page.getByRole('link', { name: room }) });
  await expect(entry).toBeVisible();
  await expect(entry.getByLabel(/unread/)).toHaveCount(0);
  await send(bruno.page, 'anyone home?');
  await expect(entry.getByLabel('1 unread')).toHaveText('1');
  await send(bruno.page, 'hello?');
  await expect(entry.getByLabel('2 unread')).toHaveText('2');

  // On the dashboard, a join request in her room shows as it comes.
  await ana.page.getByRole('link', { name: room }).click();
  await waitLive(ana.page);
  await ana.page.getByRole('button', { name: 'Share invite link' }).click();
  const plain = await ana.page.getByLabel('Invite link').inputValue();
  await ana.page.getByText('Link options').click();
  await ana.page.getByLabel('New members need approval').check();
  await ana.page.getByRole('button', { name: 'Create link' }).click();
  await expect(ana.page.getByLabel('Invite link')).not.toHaveValue(plain);
  const link = await ana.page.getByLabel('Invite link').inputValue();
  await ana.page.getByRole('link', { name: /Dashboard/ }).click();
  await expect(ana.page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  const rooms = ana.page.getByRole('region', { name: 'Rooms you run' });
  const row = rooms.getByRole('listitem').filter({ has: ana.page.getByRole('link', { name: room }) });
  await expect(row).toBeVisible();
  await expect(row.getByLabel(/join request/)).toHaveCount(0);
  await bruno.page.goto('/');
  const carla = await (await browser.newContext()).newPage();
  await carla.goto('/signup');
  await carla.getByLabel('Username').fill(`carla${Date.now().toString(36)}`);
  await carla.getByLabel('Password').fill('correct horse battery');
  await carla.getByRole('button', { name: 'Create account' }).click();
  await expect(carla.getByText('Logged in as')).toBeVisible();
  await carla.goto(link);
  await carla.getByRole('button', { name: `Ask to join ${room}` }).click();
  await expect(carla.getByText('Your request was sent')).toBeVisible();
  await expect(row.getByLabel('1 join request waiting')).toHaveText('1');
});
