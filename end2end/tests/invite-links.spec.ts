import { test, expect } from '@playwright/test';
import { member, signUp, uniqueName, waitLive } from './helpers';

test('a 1-use labelled link lets one person in, refuses the next, shows on the dashboard; revoking works at once', async ({ browser }) => {
  const room = 'Launch party';
  const ana = await member(browser, 'ana');
  await ana.page.getByLabel('Room name').fill(room);
  await ana.page.getByRole('button', { name: 'Create room' }).click();
  await expect(ana.page).toHaveURL(/\/rooms\/\d+$/);
  await waitLive(ana.page);

  // The default link comes at once; "Link options" makes a labelled 1-use one.
  await ana.page.getByRole('button', { name: 'Share invite link' }).click();
  const plainLink = await ana.page.getByLabel('Invite link').inputValue();
  expect(plainLink).toMatch(/\/join\/[A-Za-z0-9_-]{43}$/);
  // Closing and opening the panel again shows the same link, not a new one.
  await ana.page.getByRole('button', { name: 'Share invite link' }).click();
  await expect(ana.page.getByLabel('Invite link')).toHaveCount(0);
  await ana.page.getByRole('button', { name: 'Share invite link' }).click();
  await expect(ana.page.getByLabel('Invite link')).toHaveValue(plainLink);
  await ana.page.getByText('Link options').click();
  await ana.page.getByLabel('Expire after').selectOption({ label: '1 day' });
  await ana.page.getByLabel('Max number of uses').selectOption('1');
  await ana.page.getByLabel('Label (optional)').fill('Newsletter');
  await ana.page.getByRole('button', { name: 'Create link' }).click();
  await expect(ana.page.getByLabel('Invite link')).not.toHaveValue(plainLink);
  const oneUse = await ana.page.getByLabel('Invite link').inputValue();
  await expect(ana.page.getByText('can be used once')).toBeVisible();

  // Carla opens it first (logged in, at phone width) and waits; Bruno signs up from the join page and joins.
  const carla = await member(browser, 'carla');
  await carla.page.setViewportSize({ width: 375, height: 740 });
  await carla.page.goto(oneUse);
  await expect(carla.page.getByText('This link can be used 1 more time.')).toBeVisible();

  const bruno = await (await browser.newContext()).newPage();
  const brunoName = uniqueName('bruno');
  await bruno.goto(oneUse);
  await bruno.getByRole('link', { name: 'Sign up to join' }).click();
  await signUp(bruno, brunoName);
  await bruno.getByRole('button', { name: `Join ${room}` }).click();
  await waitLive(bruno);

  // The owner sees which link he came through; Carla is refused with the reason.
  await expect(ana.page.getByRole('list', { name: 'Messages' }))
    .toContainText(`${brunoName} joined via ${ana.name}'s link “Newsletter”`);
  await expect(bruno.getByRole('list', { name: 'Messages' })).toContainText(`${brunoName} joined`);
  await expect(bruno.getByRole('list', { name: 'Messages' })).not.toContainText('Newsletter');
  await carla.page.getByRole('button', { name: `Join ${room}` }).click();
  await expect(carla.page.getByRole('alert').filter({ hasText: 'This invite link has reached its limit' })).toBeVisible();

  // The dashboard: pending (the plain link) first, then the used-up one with Bruno's name.
  await ana.page.getByRole('link', { name: /Dashboard/ }).click();
  await expect(ana.page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await expect(ana.page.getByRole('link', { name: /Dashboard/ })).toContainText('1 pending invite link');
  const newsletter = ana.page.locator('li.link-item[data-label="Newsletter"]');
  await expect(newsletter).toHaveAttribute('data-status', 'used up');
  await expect(newsletter).toContainText('1 / 1 uses');
  await expect(newsletter).toContainText(`Joined: ${brunoName}`);
  await ana.page.getByLabel('Show').selectOption({ label: 'Active' });
  await expect(newsletter).toHaveCount(0);
  const plain = ana.page.locator('li.link-item[data-status="active"]');
  await expect(plain).toHaveCount(1);

  // A fresh load (server-rendered, then hydrated) offers the address of the links this browser made.
  await ana.page.reload();
  await expect(plain.getByLabel(/^Address of/)).toHaveValue(plainLink);

  // Revoke: the link stops working at once, and the badge goes.
  await plain.getByRole('button', { name: /^Revoke/ }).click();
  await expect(ana.page.locator('li.link-item[data-status="active"]')).toHaveCount(0);
  await expect(ana.page.locator('.dashboard-link .badge')).toBeHidden();
  await expect(ana.page.getByRole('link', { name: 'Dashboard', exact: true })).toBeVisible();
  await carla.page.goto(plainLink);
  await expect(carla.page.getByRole('heading', { name: 'This invite link is invalid or has expired' })).toBeVisible();
});
