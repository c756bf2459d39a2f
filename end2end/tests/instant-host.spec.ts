import { test, expect } from '@playwright/test';
import { joinAs, send, stranger, waitLive } from './helpers';

test('the host deletes a guest\'s line, removes the guest for good and locks the chat against newcomers', async ({ browser }) => {
  const host = await stranger(browser);
  await host.goto('/');
  await host.getByLabel('Your name (optional)').fill('Ana');
  await host.getByRole('button', { name: 'Start an instant chat' }).click();
  await waitLive(host);
  const link = await host.getByLabel('Chat link').inputValue();

  const troll = await stranger(browser);
  await joinAs(troll, link, 'Troll');
  await waitLive(troll);
  const members = host.getByRole('region', { name: 'Members' });
  await expect(members).toContainText('Troll');

  // The host deletes the guest's line: both tabs keep only a marker; the guest may not delete the host's.
  await send(host, 'welcome everyone');
  await send(troll, 'buy cheap followers');
  const spam = host.locator('li.message', { hasText: 'buy cheap followers' });
  await spam.getByRole('button', { name: 'Delete' }).click();
  await expect(spam).toContainText('Delete this message for everyone?');
  await spam.getByRole('button', { name: 'Delete' }).click();
  for (const page of [host, troll]) {
    await expect(page.locator('li.message.deleted')).toHaveText(/Message deleted$/);
    await expect(page.getByText('buy cheap followers')).toHaveCount(0);
  }
  const welcome = troll.locator('li.message', { hasText: 'welcome everyone' });
  await expect(welcome.getByRole('button', { name: 'Delete' })).toHaveCount(0);

  // Removed: their tab is told at once, everyone sees why they went, and that browser cannot come back.
  await members.getByRole('button', { name: 'Remove Troll' }).click();
  await expect(troll.getByRole('alert').filter({ hasText: 'The host removed you from this chat.' })).toBeVisible();
  await expect(troll.getByRole('textbox', { name: 'Message' })).toBeDisabled();
  await expect(host.locator('ol.timeline li.notice').last()).toContainText('Troll guest was removed by the host');
  await expect(members).not.toContainText('Troll');
  await joinAs(troll, link, 'Nice person');
  await expect(troll.getByRole('alert').filter({ hasText: 'The host removed you from this chat.' })).toBeVisible();

  // Locked: a newcomer is told before and when they try; unlocked, they get in.
  await host.getByRole('button', { name: 'Lock chat' }).click();
  await expect(host.getByRole('button', { name: 'Unlock chat' })).toBeVisible();
  const late = await stranger(browser);
  await late.goto(link);
  await expect(late.getByText('Locked by the host: nobody new can join.')).toBeVisible();
  await joinAs(late, link, 'Late');
  await expect(late.getByRole('alert').filter({ hasText: 'The host locked this chat' })).toBeVisible();
  await host.getByRole('button', { name: 'Unlock chat' }).click();
  await expect(host.getByRole('button', { name: 'Lock chat' })).toBeVisible();
  await joinAs(late, link, 'Late');
  await waitLive(late);
});
