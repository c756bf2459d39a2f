import { test, expect, Page } from '@playwright/test';
import { roomOfTwo, send } from './helpers';

/** The timeline line showing `text`. */
function lineWith(page: Page, text: string) {
  return page.getByRole('list', { name: 'Messages' }).locator('li.message', { hasText: text });
}

/** Makes the page believe its tab is hidden (`true`) or shown again, as switching tabs does. */
async function setHidden(page: Page, hidden: boolean) {
  await page.evaluate((hidden) => {
    if (hidden) {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    } else {
      delete (document as any).hidden;
      delete (document as any).visibilityState;
    }
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  }, hidden);
}

test('a member edits and deletes a message and the other tab follows; a moderator deletes a member\'s', async ({ browser }) => {
  const { ana, bruno } = await roomOfTwo(browser, 'Takebacks');
  await send(bruno.page, 'helo everyone');
  await expect(lineWith(ana.page, 'helo everyone')).toBeVisible();

  // Edit: Enter saves; both tabs show the new text, marked edited.
  await lineWith(bruno.page, 'helo everyone').getByRole('button', { name: 'Edit' }).click();
  const editor = bruno.page.getByRole('textbox', { name: 'Edit your message' });
  await expect(editor).toBeFocused();
  await editor.fill('hello everyone');
  await editor.press('Enter');
  await expect(editor).toHaveCount(0);
  for (const page of [ana.page, bruno.page]) {
    await expect(lineWith(page, 'hello everyone')).toContainText('(edited)');
  }
  await expect(lineWith(ana.page, 'hello everyone').getByRole('button', { name: 'Edit' })).toHaveCount(0);

  // Escape closes an editor without saving.
  await lineWith(bruno.page, 'hello everyone').getByRole('button', { name: 'Edit' }).click();
  await bruno.page.getByRole('textbox', { name: 'Edit your message' }).fill('not this');
  await bruno.page.getByRole('textbox', { name: 'Edit your message' }).press('Escape');
  await expect(lineWith(bruno.page, 'hello everyone')).toBeVisible();

  // Delete, after confirming: a marker stays; only the owner sees who deleted it.
  const line = lineWith(bruno.page, 'hello everyone');
  await line.getByRole('button', { name: 'Delete' }).click();
  await expect(line).toContainText('Delete this message for everyone?');
  await line.getByRole('button', { name: 'Delete' }).click();
  await expect(bruno.page.locator('li.message.deleted')).toHaveText(/Message deleted$/);
  await expect(ana.page.locator('li.message.deleted')).toContainText(`Message deleted by ${bruno.name}`);
  await expect(ana.page.getByText('hello everyone')).toHaveCount(0);

  // The owner deletes a member's message; the member's tab follows.
  await send(bruno.page, 'buy cheap stuff');
  const spam = lineWith(ana.page, 'buy cheap stuff');
  await spam.getByRole('button', { name: 'Delete' }).click();
  await spam.getByRole('button', { name: 'Delete' }).click();
  await expect(bruno.page.getByText('buy cheap stuff')).toHaveCount(0);
  await expect(bruno.page.locator('li.message.deleted')).toHaveCount(2);

  // After a reload, history shows the same.
  await bruno.page.reload();
  await expect(bruno.page.locator('li.message.deleted')).toHaveCount(2);
});

test('a web address typed in a message opens safely, and a hidden tab\'s title counts new lines', async ({ browser }) => {
  const { ana, bruno } = await roomOfTwo(browser, 'Links');
  await send(bruno.page, 'see https://example.com/docs?a=1. and javascript:alert(1)');
  const link = ana.page.getByRole('link', { name: 'https://example.com/docs?a=1' });
  await expect(link).toHaveAttribute('href', 'https://example.com/docs?a=1');
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer nofollow ugc');
  await expect(lineWith(ana.page, 'javascript:alert(1)').getByRole('link')).toHaveCount(1);

  const title = await ana.page.title();
  await setHidden(ana.page, true);
  await send(bruno.page, 'one');
  await expect(ana.page).toHaveTitle(`(1) ${title}`);
  await send(bruno.page, 'two');
  await expect(ana.page).toHaveTitle(`(2) ${title}`);
  await setHidden(ana.page, false);
  await expect(ana.page).toHaveTitle(title);
});
