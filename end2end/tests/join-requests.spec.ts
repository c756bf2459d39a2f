import { test, expect } from '@playwright/test';
import { approvalLink, member, memberWithoutScript, roomOwner, waitLive } from './helpers';

test('a join request is approved live and the requester’s page becomes the room without a reload', async ({ browser }) => {
  const room = 'Book club';
  const ana = await roomOwner(browser, room);
  const link = await approvalLink(ana.page, 'Friends');

  // Bruno, on a phone, asks; his page waits.
  const bruno = await member(browser, 'bruno');
  await bruno.page.setViewportSize({ width: 375, height: 740 });
  await bruno.page.goto(link);
  await expect(bruno.page.getByText('New members need approval from a moderator.')).toBeVisible();
  await bruno.page.getByRole('button', { name: `Ask to join ${room}` }).click();
  await expect(bruno.page.getByText('Your request was sent; you will be let in when a moderator approves it.')).toBeVisible();
  const waitingUrl = bruno.page.url();

  // The owner's room shows a badge at once; the panel lists Bruno with the link he used.
  const requests = ana.page.getByRole('button', { name: /Join requests/ });
  await expect(requests).toContainText('1');
  await requests.click();
  const panel = ana.page.getByRole('region', { name: 'Join requests' });
  await expect(panel).toContainText(bruno.name);
  await expect(panel).toContainText('“Friends”');
  await panel.getByRole('button', { name: `Approve ${bruno.name}` }).click();

  // Bruno is in: his waiting page opens the room by itself, live (nobody reloads it).
  await expect(bruno.page).toHaveURL(/\/rooms\/\d+$/);
  expect(bruno.page.url()).not.toBe(waitingUrl);
  await waitLive(bruno.page);
  await expect(ana.page.getByRole('list', { name: 'Messages' })).toContainText(`${bruno.name} joined via ${ana.name}'s link “Friends”`);
  await expect(panel).toContainText('No requests waiting.');
});

test('a declined request is told to the requester, who can withdraw the next one, also without JavaScript', async ({ browser }) => {
  const room = 'Quiet room';
  const ana = await roomOwner(browser, room);
  const link = await approvalLink(ana.page, 'Waitlist');

  const carla = await member(browser, 'carla');
  await carla.page.goto(link);
  await carla.page.getByRole('button', { name: `Ask to join ${room}` }).click();
  await expect(carla.page.getByText('Your request was sent')).toBeVisible();
  await ana.page.getByRole('button', { name: /Join requests/ }).click();
  await ana.page.getByRole('button', { name: `Decline ${carla.name}` }).click();
  await expect(carla.page.getByRole('alert').filter({ hasText: 'A moderator declined your request to join.' })).toBeVisible();

  // Dario asks and withdraws in a browser without JavaScript.
  const dario = await memberWithoutScript(browser, 'dario');
  await dario.goto(link);
  await dario.getByRole('button', { name: `Ask to join ${room}` }).click();
  await expect(dario.getByText('Your request was sent')).toBeVisible();
  await expect(ana.page.getByRole('button', { name: /Join requests/ })).toContainText('1');
  await dario.getByRole('button', { name: 'Withdraw request' }).click();
  await expect(dario.getByRole('button', { name: `Ask to join ${room}` })).toBeVisible();
  await expect(ana.page.getByRole('region', { name: 'Join requests' })).toContainText('No requests waiting.');
});

test('without JavaScript an owner opens the room’s panels by their links, approves a request and renames the room', async ({ browser }) => {
  const room = 'Plain tools';
  const ana = await roomOwner(browser, room);
  const roomUrl = ana.page.url();
  const link = await approvalLink(ana.page, 'Plain');
  const erin = await member(browser, 'erin');
  await erin.page.goto(link);
  await erin.page.getByRole('button', { name: `Ask to join ${room}` }).click();
  await expect(erin.page.getByText('Your request was sent')).toBeVisible();

  // Ana again, in a browser that runs no script: the page says a request waits.
  const plain = await browser.newContext({ javaScriptEnabled: false, storageState: await ana.page.context().storageState() });
  const owner = await plain.newPage();
  await owner.goto(roomUrl);
  await owner.getByRole('button', { name: /Join requests/ }).click();
  await expect(owner).toHaveURL(/\?panel=requests$/);
  await owner.getByRole('button', { name: `Approve ${erin.name}` }).click();
  await expect(owner.getByRole('region', { name: 'Join requests' })).toContainText('No requests waiting.');
  await expect(erin.page).toHaveURL(/\/rooms\/\d+$/);

  await owner.getByRole('button', { name: 'Room settings' }).click();
  await owner.getByLabel('Room name').fill('Renamed plainly');
  await owner.getByRole('button', { name: 'Rename' }).click();
  await expect(owner.getByRole('heading', { level: 1 })).toHaveText('Renamed plainly');
  await expect(erin.page.getByRole('heading', { level: 1 })).toHaveText('Renamed plainly');
});
