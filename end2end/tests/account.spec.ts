import { test, expect, Browser, Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { linkInMail, PASSWORD, saveRecoveryCodes, signUp, uniqueName, waitLive } from './helpers';

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
  await signUp(page, name);
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

test('sign-up shows recovery codes once; "Forgot password?" with one sets a new password and logs the old browser out', async ({ browser }) => {
  const name = uniqueName('rc');
  const laptop = await (await browser.newContext()).newPage();
  await laptop.goto('/signup');
  await laptop.getByLabel('Username').fill(name);
  await laptop.getByLabel('Password').fill(PASSWORD);
  await laptop.getByRole('button', { name: 'Create account' }).click();
  await expect(laptop.getByRole('heading', { name: 'Save your recovery codes' })).toBeVisible();
  const list = laptop.getByRole('list', { name: 'Your recovery codes' });
  await expect(list.getByRole('listitem')).toHaveCount(10);
  // The text file holds the same codes.
  const [file] = await Promise.all([
    laptop.waitForEvent('download'),
    laptop.getByRole('link', { name: 'Download as a text file' }).click(),
  ]);
  const text = await readFile(await file.path(), 'utf8');
  const codes = await saveRecoveryCodes(laptop);
  for (const code of codes) expect(text).toContain(code);
  await expect(laptop.getByText('Logged in as')).toBeVisible();
  await laptop.goto('/recovery-codes');
  await expect(laptop.getByText('There are no new recovery codes to show')).toBeVisible();

  // Another browser forgot the password: the log-in page leads to recovery.
  const phone = await (await browser.newContext({ userAgent: PHONE_AGENT })).newPage();
  await phone.goto('/login');
  await phone.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(phone.getByRole('heading', { name: 'Set a new password' })).toBeVisible();
  await phone.getByLabel('Username', { exact: true }).fill(name);
  await phone.getByLabel('Recovery code').fill('aaaa-bbbb-cccc-dddd');
  await phone.getByLabel(/New password/).fill('a fresh start here');
  await phone.getByRole('button', { name: 'Set new password' }).click();
  await expect(phone.getByRole('alert').filter({ hasText: "That username and recovery code don't go together." })).toBeVisible();
  await expect(phone.getByLabel('Username', { exact: true })).toHaveValue(name);
  await phone.getByLabel('Recovery code').fill(codes[3].toUpperCase());
  await phone.getByLabel(/New password/).fill('a fresh start here');
  await phone.getByRole('button', { name: 'Set new password' }).click();
  await expect(phone.getByText('Your password is changed')).toBeVisible();
  await expect(phone.getByText('You have 9 unused recovery codes.')).toBeVisible();

  // The laptop is logged out; the code does not work twice.
  await laptop.reload();
  await expect(laptop.getByRole('link', { name: 'Log in' }).first()).toBeVisible();
  const again = await loggedIn(browser, name, 'a fresh start here');

  // A new set from the profile, with the password: shown once, then back to the profile.
  await again.goto('/profile');
  const card = again.getByRole('region', { name: 'Recovery codes' });
  await card.getByLabel('Your password').fill('a fresh start here');
  await card.getByRole('button', { name: 'Make new recovery codes' }).click();
  await expect(again.getByRole('heading', { name: 'Save your recovery codes' })).toBeVisible();
  const fresh = await saveRecoveryCodes(again);
  expect(fresh).not.toContain(codes[0]);
  await expect(again).toHaveURL(/\/profile$/);
  await expect(card).toContainText('You have 10 unused recovery codes.');
});

test('an email address is confirmed through its link, and "Forgot password?" mails a reset link that works without JavaScript', async ({ browser }) => {
  const { page, name } = await newAccount(browser, 'mail');
  const address = `${name}@example.com`;
  await page.goto('/profile');
  const card = page.getByRole('region', { name: 'Email for recovery' });
  await card.getByLabel('Email address').fill(address);
  await card.getByLabel('Your password').fill(PASSWORD);
  await card.getByRole('button', { name: 'Send confirmation link' }).click();
  await expect(card.getByText('Check your inbox')).toBeVisible();

  // Opened from the mail, on another device: a button confirms it.
  const phone = await (await browser.newContext({ userAgent: PHONE_AGENT })).newPage();
  await phone.goto(await linkInMail(address, 'Confirm your email address for Roomlink', '/email/confirm/'));
  await expect(phone.getByText(`Confirm ${address} as the recovery address of the Roomlink account ${name}?`)).toBeVisible();
  await phone.getByRole('button', { name: 'Confirm address' }).click();
  await expect(phone.getByText('Your email address is confirmed.')).toBeVisible();
  await page.reload();
  await expect(card.getByText(`Confirmed address: ${address}`)).toBeVisible();

  // Forgot the password, in a browser without JavaScript.
  const plain = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await plain.goto('/login');
  await plain.getByRole('link', { name: 'Forgot password?' }).click();
  await plain.getByLabel('Username or email address').fill(address.toUpperCase());
  await plain.getByRole('button', { name: 'Send reset link' }).click();
  await expect(plain.getByText('If that account has a confirmed email address, we sent a link to it.')).toBeVisible();
  await plain.goto(await linkInMail(address, 'Reset your Roomlink password', '/reset-password/'));
  await expect(plain.getByText(`Set a new password for ${name}.`)).toBeVisible();
  await plain.getByLabel(/New password/).fill('mailed me a way back');
  await plain.getByRole('button', { name: 'Set new password' }).click();
  await expect(plain.getByText('Your password is changed')).toBeVisible();
  await expect(plain.getByText('Logged in as')).toBeVisible();

  // The first browser was logged out; the new password works.
  await page.reload();
  await expect(page.getByRole('link', { name: 'Log in' }).first()).toBeVisible();
  await loggedIn(browser, name, 'mailed me a way back');
});

test('"Delete my account" names the rooms to hand over first, asks for the password, and logs out for good', async ({ browser }) => {
  const { page, name } = await newAccount(browser, 'leaver');
  await page.getByLabel('Room name').fill(`${name} room`);
  await page.getByRole('button', { name: 'Create room' }).click();
  await waitLive(page);
  await page.goto('/profile');
  const card = page.getByRole('region', { name: 'Delete my account' });
  await expect(card.getByText('hand each room you own over')).toBeVisible();
  await card.getByRole('link', { name: `${name} room` }).click();

  // The room goes first.
  await page.getByRole('button', { name: 'Room settings' }).click();
  await page.getByRole('textbox', { name: "Type the room's name to confirm" }).fill(`${name} room`);
  await page.getByRole('button', { name: 'Delete room' }).click();
  await expect(page.getByRole('heading', { name: 'Your rooms' })).toBeVisible();

  await page.goto('/profile');
  await expect(card.getByText('The messages you wrote stay')).toBeVisible();
  await card.getByLabel('Your password, to confirm').fill('not the password');
  await card.getByRole('button', { name: 'Delete my account for good' }).click();
  await expect(card.getByRole('alert')).toHaveText('That is not your current password. Type the one you log in with now.');
  await card.getByLabel('Your password, to confirm').fill(PASSWORD);
  await card.getByRole('button', { name: 'Delete my account for good' }).click();
  await expect(page.getByText('Your account was deleted')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Log in' }).first()).toBeVisible();

  await page.goto('/login');
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Wrong username or password.' })).toBeVisible();
});
