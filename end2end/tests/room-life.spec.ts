import { test, expect } from '@playwright/test';
import { roomOfTwo } from './helpers';

test('the owner renames the room and the member\'s open page follows without a reload', async ({ browser }) => {
  const { ana, bruno } = await roomOfTwo(browser, 'Old name');
  await ana.page.getByRole('button', { name: 'Room settings' }).click();
  const name = ana.page.getByRole('textbox', { name: 'Room name' });
  await expect(name).toHaveValue('Old name');
  await name.fill('New name');
  await ana.page.getByRole('button', { name: 'Rename' }).click();

  for (const page of [ana.page, bruno.page]) {
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('New name');
    await expect(page).toHaveTitle('New name · Roomlink');
    await expect(page.getByRole('list', { name: 'Messages' })).toContainText(`${ana.name} renamed the room to “New name”`);
  }

  // A bad name is refused with the reason, and the name stays.
  await name.fill('   ');
  await ana.page.getByRole('button', { name: 'Rename' }).click();
  await expect(ana.page.locator('form.rename-room').getByRole('alert')).not.toBeEmpty();
  await expect(bruno.page.getByRole('heading', { level: 1 })).toHaveText('New name');
});
