import { readdir, readFile } from 'node:fs/promises';
import { expect, Browser, Page } from '@playwright/test';

export const PASSWORD = 'correct horse battery';

/** A username unique to this run. */
export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

/** Fills and sends the sign-up form on the current page, then goes on
 * past the recovery codes it shows; returns the codes. */
export async function signUp(page: Page, username: string): Promise<string[]> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  return saveRecoveryCodes(page);
}

/** On the recovery codes a sign-up shows: reads the ten codes and presses
 * "I saved them, continue" (`saved`, in the page's language). */
export async function saveRecoveryCodes(page: Page, saved = 'I saved them, continue'): Promise<string[]> {
  const codes = page.locator('ol.codes code');
  await expect(codes).toHaveCount(10);
  const shown = await codes.allTextContents();
  await page.getByRole('button', { name: saved }).click();
  await expect(page.locator('ol.codes')).toHaveCount(0);
  return shown;
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

/** A fresh browser context signed up as a new user; returns the page and the username. */
export async function member(browser: Browser, prefix: string): Promise<{ page: Page; name: string }> {
  const page = await (await browser.newContext()).newPage();
  const name = uniqueName(prefix);
  await page.goto('/signup');
  await signUp(page, name);
  await expect(page.getByText('Logged in as')).toBeVisible();
  return { page, name };
}

/** A new member ("ana…") who makes a room named `room` and is on its page, live. */
export async function roomOwner(browser: Browser, room: string): Promise<{ page: Page; name: string }> {
  const ana = await member(browser, 'ana');
  await ana.page.getByLabel('Room name').fill(room);
  await ana.page.getByRole('button', { name: 'Create room' }).click();
  await expect(ana.page).toHaveURL(/\/rooms\/\d+$/);
  await waitLive(ana.page);
  return ana;
}

/** A fresh browser that runs no script, signed up as a new user. */
export async function memberWithoutScript(browser: Browser, prefix: string): Promise<Page> {
  const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await page.goto('/signup');
  await signUp(page, uniqueName(prefix));
  await expect(page.getByText('Logged in as')).toBeVisible();
  return page;
}

/** On the owner's room page: makes a link whose new members need approval; its address. */
export async function approvalLink(owner: Page, label: string): Promise<string> {
  await owner.getByRole('button', { name: 'Share invite link' }).click();
  const plain = await owner.getByLabel('Invite link').inputValue();
  await owner.getByText('Link options').click();
  await owner.getByLabel('Label (optional)').fill(label);
  await owner.getByLabel('New members need approval').check();
  await owner.getByRole('button', { name: 'Create link' }).click();
  await expect(owner.getByLabel('Invite link')).not.toHaveValue(plain);
  return owner.getByLabel('Invite link').inputValue();
}

/** Ana makes a room and Bruno joins it by link; both end on the room page, live. */
export async function roomOfTwo(browser: Browser, room: string) {
  const ana = await roomOwner(browser, room);
  await ana.page.getByRole('button', { name: 'Share invite link' }).click();
  const link = await ana.page.getByLabel('Invite link').inputValue();
  const bruno = await member(browser, 'bruno');
  await bruno.page.goto(link);
  await bruno.page.getByRole('button', { name: `Join ${room}` }).click();
  await waitLive(bruno.page);
  await ana.page.reload();
  await waitLive(ana.page);
  return { ana, bruno };
}

/** A real 40×30 PNG (one colour). */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAACgAAAAeCAIAAADRv8uKAAAAK0lEQVR42u3NMQ0AAAgDsIlCCsZxhAw4mvRvqudExGKxWCwWi8VisVj8N15pVVGLBnIm1wAAAABJRU5ErkJggg==',
  'base64',
);

/** A fresh anonymous browser (its own cookies), on a phone-sized screen when asked. */
export async function stranger(browser: Browser, phone = false): Promise<Page> {
  const context = await browser.newContext(phone ? { viewport: { width: 375, height: 740 } } : {});
  return context.newPage();
}

/** Opens an instant chat's link and joins under `name`. */
export async function joinAs(page: Page, link: string, name: string): Promise<void> {
  await page.goto(link);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join chat' }).click();
}

/** Undoes quoted-printable (RFC 2045): soft line breaks, then `=XX` bytes. */
function unquote(text: string): string {
  const bytes = Buffer.from(text.replace(/=\r?\n/g, ''), 'latin1');
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const hex = bytes.subarray(i + 1, i + 3).toString('latin1');
    if (bytes[i] === 0x3d && /^[0-9A-F]{2}$/i.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      out.push(bytes[i]);
    }
  }
  return Buffer.from(out).toString('utf8');
}

/** Waits for the mail to `to` whose subject is `subject` to reach the
 * tests' SMTP server (playwright.config.ts), and returns the link to
 * `path` in it (e.g. `/email/confirm/`). */
export async function linkInMail(to: string, subject: string, path: string): Promise<string> {
  const dir = `${process.env.E2E_MAILDIR}/new`;
  let body = '';
  await expect
    .poll(async () => {
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        const raw = await readFile(`${dir}/${name}`, 'latin1');
        const [head, ...rest] = raw.split(/\r?\n\r?\n/);
        if (!new RegExp(`^To: ${to}$`, 'mi').test(head) || !head.includes(`Subject: ${subject}`)) continue;
        const text = rest.join('\n\n');
        body = /quoted-printable/i.test(head) ? unquote(text)
          : /base64/i.test(head) ? Buffer.from(text, 'base64').toString('utf8') : text;
        return true;
      }
      return false;
    }, { message: `a mail to ${to}: ${subject}`, timeout: 30_000 })
    .toBe(true);
  const link = body.match(new RegExp(`https?://[^\\s]*${path}[A-Za-z0-9_-]+`));
  expect(link, body).not.toBeNull();
  return link![0];
}
