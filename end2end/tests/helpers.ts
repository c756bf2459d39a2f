import { expect, Page } from '@playwright/test';

export const PASSWORD = 'correct horse battery';

/** A username unique to this run. */
export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

/** Fills and sends the sign-up form on the current page. */
export async function signUp(page: Page, username: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
}

/** Waits until the room page's live connection is up. */
export async function waitLive(page: Page): Promise<void> {
  await expect(page.locator('form.composer')).toHaveAttribute('data-link', 'live');
}

/** Types a message and presses Send. */
export async function send(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

/** The bodies of the messages shown, in order. */
export async function bodies(page: Page): Promise<string[]> {
  return page.locator('ol.timeline li.message:not(.pending) .body').allTextContents();
}
