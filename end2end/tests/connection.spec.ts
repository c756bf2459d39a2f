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

test('a link that goes silent without the browser noticing is taken for lost within the heartbeat deadline', async ({ browser }) => {
  test.setTimeout(90_000);
  const { ana, bruno } = await roomOfTwo(browser, 'Silent lab');
  // Each of Bruno's live connections passes through a relay the test
  // controls: once a connection is silenced, nothing the server says on it
  // reaches the tab (heartbeat answers included), as on a link that died
  // with no `offline` event (a NAT that forgot it). A new connection is not
  // silenced: the way back is a connection of its own, whenever the tab
  // makes it.
  const links: { silent: boolean }[] = [];
  await bruno.page.routeWebSocket(/\/live$/, (tab) => {
    const link = { silent: false };
    links.push(link);
    const server = tab.connectToServer();
    tab.onMessage((m) => server.send(m));
    server.onMessage((m) => {
      if (!link.silent) tab.send(m);
    });
  });
  await bruno.page.reload();
  await waitLive(bruno.page);
  await send(ana.page, 'before');
  await expect.poll(() => bodies(bruno.page)).toEqual(['before']);
  expect(links, 'the page runs on one connection').toHaveLength(1);

  links[0].silent = true;
  // A heartbeat goes every 10 s and its answer is due within 5 s.
  await expect(bruno.page.locator('form.composer')).toHaveAttribute('data-link', 'reconnecting', { timeout: 30_000 });
  await send(ana.page, 'while the link was silent');
  await waitLive(bruno.page);
  await expect.poll(() => bodies(bruno.page)).toEqual(['before', 'while the link was silent']);
  expect(links.length, 'the tab came back on a new connection').toBeGreaterThan(1);
});
