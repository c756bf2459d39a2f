import { test, expect, Browser, Page } from '@playwright/test';
import * as path from 'node:path';
import { PASSWORD, saveRecoveryCodes, uniqueName, waitLive } from './helpers';

// Every page a person meets first, in both languages, checked with axe-core
// (WCAG 2.1 A and AA rules): every control named, every name in the page's
// language, contrast, landmarks. A violation fails the test with its rule,
// its impact and the elements it found.

const AXE = path.join(__dirname, '..', 'node_modules', 'axe-core', 'axe.min.js');

type Violation = { id: string; impact: string; help: string; nodes: { target: string[] }[] };

/** axe-core's violations on the page as it is now. */
async function violations(page: Page): Promise<Violation[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    // @ts-expect-error axe is the script just added
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n: any) => ({ target: n.target })) }));
  });
}

/** Each violation on the page, one line each ("room (pt-BR): color-contrast (serious) …"). */
async function check(page: Page, what: string): Promise<string[]> {
  const found = await violations(page);
  return found.map((v) => `${what}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function browserIn(browser: Browser, locale: string): Promise<Page> {
  return (await browser.newContext({ locale, viewport: { width: 390, height: 844 } })).newPage();
}

for (const [locale, words] of [
  ['en-US', { username: 'Username', password: 'Password', create: 'Create account', roomName: 'Room name', createRoom: 'Create room', share: 'Share invite link', link: 'Invite link', yourName: 'Your name', join: 'Join chat', start: 'Start an instant chat', chatLink: 'Chat link', saved: 'I saved them, continue' }],
  ['pt-BR', { username: 'Nome de usuário', password: 'Senha', create: 'Criar conta', roomName: 'Nome da sala', createRoom: 'Criar sala', share: 'Compartilhar link de convite', link: 'Link de convite', yourName: 'Seu nome', join: 'Entrar no chat', start: 'Começar um chat instantâneo', chatLink: 'Link do chat', saved: 'Já guardei, continuar' }],
] as const) {
  test(`the first pages pass axe-core at phone width (${locale})`, async ({ browser }) => {
    const report: string[] = [];
    const expectAccessible = async (page: Page, what: string) => report.push(...(await check(page, what)));
    const page = await browserIn(browser, locale);
    await page.goto('/');
    await expectAccessible(page, `home (${locale})`);
    await page.goto('/recover');
    await expectAccessible(page, `forgot password (${locale})`);
    await page.goto('/signup');
    await expectAccessible(page, `sign-up (${locale})`);
    await page.getByLabel(words.username).fill(uniqueName('axe'));
    await page.getByLabel(words.password).fill(PASSWORD);
    await page.getByRole('button', { name: words.create }).click();
    await expect(page.locator('ol.codes code')).toHaveCount(10);
    await expectAccessible(page, `recovery codes (${locale})`);
    await saveRecoveryCodes(page, words.saved);
    await page.getByLabel(words.roomName).fill('Axe');
    await page.getByRole('button', { name: words.createRoom }).click();
    await waitLive(page);
    await expectAccessible(page, `room (${locale})`);
    await page.getByRole('button', { name: words.share }).click();
    const link = await page.getByLabel(words.link).inputValue();

    const stranger = await browserIn(browser, locale);
    await stranger.goto(link);
    await expectAccessible(stranger, `invite card (${locale})`);
    await stranger.goto('/');
    await stranger.getByRole('button', { name: words.start }).click();
    const chat = await stranger.getByLabel(words.chatLink).inputValue();
    await waitLive(stranger);
    await expectAccessible(stranger, `instant chat (${locale})`);
    const guest = await browserIn(browser, locale);
    await guest.goto(chat);
    await expectAccessible(guest, `instant chat card (${locale})`);
    await guest.getByLabel(words.yourName).fill('Bia');
    await guest.getByRole('button', { name: words.join }).click();
    await waitLive(guest);
    await expectAccessible(guest, `instant chat as a guest (${locale})`);
    await page.goto('/dashboard');
    await expectAccessible(page, `dashboard (${locale})`);
    await page.goto('/profile');
    await expectAccessible(page, `profile (${locale})`);
    expect(report, report.join('\n')).toEqual([]);
  });
}
