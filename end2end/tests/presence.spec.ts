import { test, expect, Page } from '@playwright/test';
import { roomOfTwo, send, waitLive } from './helpers';

/** The member list entry for `name`. */
function entry(page: Page, name: string) {
  return page.getByRole('region', { name: 'Members' }).locator(`li[data-member="${name}"]`);
}

test('the online dot follows open tabs, and "is typing" comes and goes', async ({ browser }) => {
  const { ana, bruno } = await roomOfTwo(browser, 'Presence lab');

  // Both online, seen from each side.
  await expect(entry(ana.page, bruno.name)).toHaveAttribute('data-online', 'true');
  await expect(entry(bruno.page, ana.name)).toHaveAttribute('data-online', 'true');
  await expect(entry(ana.page, bruno.name)).toContainText('online');

  // Typing shows on the other side, not on one's own, and goes after sending.
  const typedAt = Date.now();
  await bruno.page.getByRole('textbox', { name: 'Message' }).pressSequentially('Hel');
  await expect(ana.page.getByText(`${bruno.name} is typing…`)).toBeVisible();
  console.log(`typing indicator shown after ${Date.now() - typedAt} ms (from the first keystroke)`);
  await expect(bruno.page.locator('p.typing')).toHaveText('');
  await send(bruno.page, 'Hello');
  await expect(ana.page.getByText(`${bruno.name} is typing…`)).toBeHidden();

  // Typing, then stopping without sending: gone after the 5 s idle time.
  await bruno.page.getByRole('textbox', { name: 'Message' }).pressSequentially('Wait');
  await expect(ana.page.getByText(`${bruno.name} is typing…`)).toBeVisible();
  await expect(ana.page.getByText(`${bruno.name} is typing…`)).toBeHidden({ timeout: 8_000 });

  // A second tab of Bruno's: closing one keeps him online; closing the last turns the dot off.
  const second = await bruno.page.context().newPage();
  await second.goto(bruno.page.url());
  await waitLive(second);
  await second.close();
  await ana.page.waitForTimeout(500);
  await expect(entry(ana.page, bruno.name)).toHaveAttribute('data-online', 'true');
  const closedAt = Date.now();
  await bruno.page.close();
  await expect(entry(ana.page, bruno.name)).toHaveAttribute('data-online', 'false');
  console.log(`closed tab's dot went off after ${Date.now() - closedAt} ms`);
  await expect(entry(ana.page, bruno.name)).toContainText('last seen');
});
