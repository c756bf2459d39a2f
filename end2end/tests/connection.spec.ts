import { test, expect } from '@playwright/test';
import { bodies, roomOfTwo, send, waitLive } from './helpers';

test('a tab that goes offline says Reconnecting… at once, and catches up when the network is back', async ({ browser }) => {
  const { ana, bruno } = await roomOfTwo(browser, 'Offline lab');
  await send(ana.page, 'before');
  await expect.poll(() => bodies(bruno.page)).toEqual(['before']);

  // The browser says it is offline: the tab does not wait for a heartbeat.
  await bruno.page.context().setOffline(true);
  await expect(bruno.page.locator('form.composer')).toHaveAttribute('data-link', 'reconnecting');
  await expect(bruno.page.getByText(/Reconnecting…/)).toBeVisible();

  await send(ana.page, 'while bruno was away');
  await bruno.page.context().setOffline(false);
  await waitLive(bruno.page);
  await expect.poll(() => bodies(bruno.page)).toEqual(['before', 'while bruno was away']);
});

test('logging out in one tab ends the room in the other tabs of that browser', async ({ browser }) => {
  const { ana, bruno } = await roomOfTwo(browser, 'Log-out lab');
  const other = await bruno.page.context().newPage();
  await other.goto(bruno.page.url());
  await waitLive(other);

  await bruno.page.getByRole('button', { name: 'Log out' }).click();
  await expect(other.locator('p.ended[role=alert]')).toContainText('You logged out in this browser');
  await expect(other.getByRole('textbox', { name: 'Message' })).toBeDisabled();

  // Ana's tab still works, and Bruno's old tab hears nothing more.
  await send(ana.page, 'after bruno left');
  await expect.poll(() => bodies(ana.page)).toContain('after bruno left');
  expect(await bodies(other)).not.toContain('after bruno left');
});
