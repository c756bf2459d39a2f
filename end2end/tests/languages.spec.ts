import { test, expect, Browser, Page } from '@playwright/test';
import { PASSWORD, saveRecoveryCodes, uniqueName, waitLive } from './helpers';

// Issue 39: Roomlink in Brazilian Portuguese and English, chosen per person.

/** A fresh browser whose language is `locale` (its Accept-Language and navigator.languages). */
async function browserIn(browser: Browser, locale: string, javaScriptEnabled = true): Promise<Page> {
  const context = await browser.newContext({ locale, javaScriptEnabled });
  return context.newPage();
}

/** Signs up on /signup in Portuguese. */
async function signUpPt(page: Page, name: string): Promise<void> {
  await page.getByLabel('Nome de usuário').fill(name);
  await page.getByLabel('Senha').fill(PASSWORD);
  await page.getByRole('button', { name: 'Criar conta' }).click();
  await saveRecoveryCodes(page, 'Já guardei, continuar');
}

/** An English-speaking owner with a room and its invite link. */
async function ownerWithRoom(browser: Browser, room: string) {
  const page = await browserIn(browser, 'en-US');
  const name = uniqueName('ana');
  await page.goto('/signup');
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await saveRecoveryCodes(page);
  await expect(page.getByText('Logged in as')).toBeVisible();
  await page.getByLabel('Room name').fill(room);
  await page.getByRole('button', { name: 'Create room' }).click();
  await expect(page).toHaveURL(/\/rooms\/\d+$/);
  await page.getByRole('button', { name: 'Share invite link' }).click();
  const link = await page.getByLabel('Invite link').inputValue();
  return { page, name, link };
}

test('a Portuguese browser signs up from an invite link, joins and chats in Portuguese; each member reads the same system line in their own language', async ({ browser }) => {
  const room = uniqueName('Clube');
  const ana = await ownerWithRoom(browser, room);

  const bruno = await browserIn(browser, 'pt-BR');
  const brunoName = uniqueName('bruno');
  await bruno.goto(ana.link);
  await expect(bruno.locator('html')).toHaveAttribute('lang', 'pt-BR');
  await expect(bruno.getByText(`${ana.name} convidou você para entrar em`)).toBeVisible();
  await expect(bruno.getByText('1 membro', { exact: false })).toBeVisible();
  await expect(bruno.locator('meta[property="og:locale"]')).toHaveAttribute('content', 'pt_BR');
  await expect(bruno).toHaveTitle(`Entrar em ${room} · Roomlink`);
  await bruno.getByRole('link', { name: 'Criar conta e entrar' }).click();
  await expect(bruno.getByRole('heading', { name: 'Criar conta' })).toBeVisible();
  await signUpPt(bruno, brunoName);
  await bruno.getByRole('button', { name: `Entrar em ${room}` }).click();
  await waitLive(bruno);
  await expect(bruno.locator('html')).toHaveAttribute('lang', 'pt-BR');
  await expect(bruno.getByText('2 membros · 2 online')).toBeVisible();

  await bruno.getByRole('textbox', { name: 'Mensagem' }).fill('Olá, pessoal!');
  await bruno.getByRole('button', { name: 'Enviar' }).click();
  await expect(bruno.locator('ol.timeline li.message:not(.pending) .body')).toHaveText(['Olá, pessoal!']);

  // The same stored line, in each reader's words.
  const brunoJoined = bruno.locator('ol.timeline li.notice', { hasText: brunoName });
  await expect(brunoJoined).toContainText(`${brunoName} entrou`);
  await ana.page.reload();
  await waitLive(ana.page);
  await expect(ana.page.locator('html')).toHaveAttribute('lang', 'en');
  const anaSees = ana.page.locator('ol.timeline li.notice', { hasText: brunoName });
  // Ana made the link and manages links: she also sees which link it was.
  await expect(anaSees).toContainText(`${brunoName} joined via ${ana.name}'s link #`);
  await expect(ana.page.locator('ol.timeline li.message .body')).toHaveText(['Olá, pessoal!']);

  // Presence in Portuguese: Ana closes her tab, and Bruno sees when she was last here.
  await ana.page.close();
  await expect(bruno.locator(`li[data-member="${ana.name}"] .status`)).toHaveText('visto por último agora');

  // A refusal, in Portuguese: a wrong password.
  const again = await browserIn(browser, 'pt-BR');
  await again.goto('/login');
  await again.getByLabel('Nome de usuário').fill(brunoName);
  await again.getByLabel('Senha').fill('not the password');
  await again.getByRole('button', { name: 'Entrar', exact: true }).click();
  await expect(again.getByRole('alert').filter({ hasText: 'Nome de usuário ou senha incorretos.' })).toBeVisible();
});

test('switching to English in the header sticks across a reload and a new log-in on another device', async ({ browser }) => {
  const page = await browserIn(browser, 'pt-BR');
  const name = uniqueName('carla');
  await page.goto('/signup');
  await signUpPt(page, name);
  await expect(page.getByRole('button', { name: 'Sair' })).toBeVisible();

  await page.getByLabel('Language / Idioma').selectOption('en');
  await page.getByRole('button', { name: 'Mudar' }).click();
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.reload();
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
  await expect(page.getByLabel('Language / Idioma')).toHaveValue('en');

  // Another device, whose browser asks for Portuguese: the profile's choice follows the log-in.
  const phone = await browserIn(browser, 'pt-BR');
  await phone.goto('/login');
  await expect(phone.locator('html')).toHaveAttribute('lang', 'pt-BR');
  await phone.getByLabel('Nome de usuário').fill(name);
  await phone.getByLabel('Senha').fill(PASSWORD);
  await phone.getByRole('button', { name: 'Entrar', exact: true }).click();
  await expect(phone.getByRole('button', { name: 'Log out' })).toBeVisible();
  await expect(phone.locator('html')).toHaveAttribute('lang', 'en');
});

test('with JavaScript off, the join page is in Portuguese and the switcher still works', async ({ browser }) => {
  const room = uniqueName('Sala');
  const ana = await ownerWithRoom(browser, room);
  const page = await browserIn(browser, 'pt-BR', false);
  await page.goto(ana.link);
  await expect(page.locator('html')).toHaveAttribute('lang', 'pt-BR');
  await expect(page.getByRole('heading', { name: room })).toBeVisible();
  await expect(page.getByText('Entre ou crie uma conta para participar.')).toBeVisible();
  await page.getByLabel('Language / Idioma').selectOption('en');
  await page.getByRole('button', { name: 'Mudar' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByText('Log in or sign up to join.')).toBeVisible();
  expect(new URL(page.url()).pathname).toBe(new URL(ana.link).pathname);
});

test('a guest joins an instant chat in Portuguese', async ({ browser }) => {
  const host = await browserIn(browser, 'en-US');
  await host.goto('/');
  await host.getByLabel('Your name (optional)').fill('Ana');
  await host.getByRole('button', { name: 'Start an instant chat' }).click();
  await expect(host).toHaveURL(/\/instant-chat\//);
  const link = await host.getByLabel('Chat link').inputValue();

  const guest = await browserIn(browser, 'pt-BR');
  await guest.goto(link);
  await expect(guest.locator('html')).toHaveAttribute('lang', 'pt-BR');
  await expect(guest.getByText('Criado por')).toBeVisible();
  await expect(guest.getByText('1 pessoa aqui', { exact: false })).toBeVisible();
  await guest.getByLabel('Seu nome').fill('Bia');
  await guest.getByRole('button', { name: 'Entrar no chat' }).click();
  await waitLive(guest);
  await expect(guest.getByText('2 pessoas aqui', { exact: false })).toBeVisible();
  // History is off: the guest's timeline starts with their own arrival, tagged in Portuguese.
  await expect(guest.locator('ol.timeline li.notice').first()).toContainText('Bia convidado entrou');
  await expect(guest.getByRole('button', { name: 'Sair do chat' })).toBeVisible();
});

test("a teacher's dashboard in Portuguese", async ({ browser }) => {
  const page = await browserIn(browser, 'pt-BR');
  await page.goto('/signup');
  await signUpPt(page, uniqueName('prof'));
  await expect(page.getByRole('button', { name: 'Sair' })).toBeVisible();
  await page.getByRole('link', { name: 'Perfil' }).click();
  await page.getByLabel('Sou professor').check();
  await page.getByRole('button', { name: 'Salvar perfil' }).click();
  await expect(page.getByText('Papéis: professor.')).toBeVisible();
  await page.getByRole('link', { name: 'Crie convites de idioma no seu painel' }).click();
  await expect(page.getByRole('heading', { name: 'Painel', exact: true })).toBeVisible();
  const teaching = page.getByRole('region', { name: 'Ensino' });
  await teaching.getByLabel('Idioma', { exact: true }).fill('Alemão');
  await teaching.getByRole('button', { name: 'Criar convite de idioma' }).click();
  await expect(page.getByLabel('Link do convite de Alemão')).toHaveValue(/\/join\//);
  await expect(page.locator('html')).toHaveAttribute('lang', 'pt-BR');
});
