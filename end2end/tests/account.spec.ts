import { test, expect, Browser, Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { PASSWORD, uniqueName } from './helpers';

const PHONE_AGENT =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.135 Mobile Safari/537.36';

/** A new browser (its own cookies) logged in as `username` with `password`. */
async function loggedIn(browser: Browser, username: string, password: string, userAgent?: string): Promise<Page> {
  const page = await (await browser.newContext({ userAgent })).newPage();
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByText('Logged in as')).toBeVisible();
  return page;
}

/** A new account signed up in a new browser: its page and username. */
async function newAccount(browser: Browser, prefix: string): Promise<{ page: Page; name: string }> {
  const name = uniqueName(prefix);
  const page = await (await browser.newContext()).newPage();
  await page.goto('/signup');
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('Logged in as')).toBeVisible();
  return { page, name };
}

test('the profile lists where one is logged in; changing the password logs the other browser out', async ({ browser }) => {
  const { page: laptop, name } = await newAccount(browser, 'pw');
  const phone = await loggedIn(browser, name, PASSWORD, PHONE_AGENT);

  await laptop.goto('/profile');
  const sessions = laptop.getByRole('region', { name: "Where you're logged in" });
  await expect(sessions.getByRole('listitem')).toHaveCount(2);
  await expect(sessions.getByRole('listitem').first()).toContainText('this device');
  await expect(sessions).toContainText('Chrome 131 on Android');
  await expect(sessions.getByRole('button', { name: 'End session: Chrome 131 on Android' })).toBeVisible();

  // A wrong current password is refused and changes nothing.
  const password = laptop.getByRole('region', { name: 'Change password' });
  await password.getByLabel('Current password').fill('not my password');
  await password.getByLabel(/New password/).fill('a brand new secret');
  await password.getByRole('button', { name: 'Change password' }).click();
  await expect(password.getByRole('alert')).toContainText('That is not your current password.');

  await password.getByLabel('Current password').fill(PASSWORD);
  await password.getByLabel(/New password/).fill('a brand new secret');
  await password.getByRole('button', { name: 'Change password' }).click();
  await expect(password.getByRole('status')).toContainText('Password changed.');
  await expect(sessions.getByRole('listitem')).toHaveCount(1);

  // The phone is logged out; the new password logs in, the old one not.
  await phone.reload();
  await expect(phone.getByRole('link', { name: 'Log in' }).first()).toBeVisible();
  const again = await loggedIn(browser, name, 'a brand new secret', PHONE_AGENT);
  await laptop.reload();
  await expect(sessions.getByRole('listitem')).toHaveCount(2);
  await sessions.getByRole('button', { name: 'Log out everywhere else' }).click();
  await expect(sessions.getByRole('listitem')).toHaveCount(1);
  await again.reload();
  await expect(again.getByRole('link', { name: 'Log in' }).first()).toBeVisible();
});

test('"Download my data" gives a JSON file of the account', async ({ browser }) => {
  const { page, name } = await newAccount(browser, 'data');
  await page.goto('/profile');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download my data (JSON)' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`roomlink-${name}-data.json`);
  const data = JSON.parse(await readFile(await download.path(), 'utf8'));
  expect(data.account.username).toBe(name);
  expect(data.sessions).toHaveLength(1);
});
