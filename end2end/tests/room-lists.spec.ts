import { test, expect } from '@playwright/test';
import { approvalLink, member, roomOfTwo, send, waitLive } from './helpers';

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
  const link = await approvalLink(ana.page, '');
  await ana.page.getByRole('link', { name: /Dashboard/ }).click();
  await expect(ana.page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  const rooms = ana.page.getByRole('region', { name: 'Rooms you run' });
  const row = rooms.getByRole('listitem').filter({ has: ana.page.getByRole('link', { name: room }) });
  await expect(row).toBeVisible();
  await expect(row.getByLabel(/join request/)).toHaveCount(0);
  const carla = await member(browser, 'carla');
  await carla.page.goto(link);
  await carla.page.getByRole('button', { name: `Ask to join ${room}` }).click();
  await expect(carla.page.getByText('Your request was sent')).toBeVisible();
  await expect(row.getByLabel('1 join request waiting')).toHaveText('1');
});
