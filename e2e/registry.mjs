// Journey of the registries: a township officer records a filed organization, sees the
// validation error for a bad credit code (with what they typed kept), corrects it and finds the
// organization in the ledger.
import { BASE, run, login, expect } from './lib.mjs';

await run('registry', async (page, shot) => {
  await login(page, 'township');
  await page.click('nav >> text=社会组织');
  await page.waitForURL(`${BASE}/organizations`);
  expect(await page.locator('#organizations tbody tr').count() > 0, 'the demonstration ledger is listed');
  await shot(page, 'ledger');

  await Promise.all([page.waitForNavigation(), page.click('#new-org')]);
  await page.fill('#name', '昱中街道青年志愿者协会');
  await page.selectOption('#registration_status', 'filed');
  await page.fill('#uscc', '53100000500020462H');
  await page.selectOption('#category', 'volunteer_service');
  await page.fill('#area', '341002002001');
  await page.fill('#address', '昱中街道办事处二楼');
  await Promise.all([page.waitForNavigation(), page.click('#save-org')]);
  const error = await page.textContent('#uscc-error');
  expect(error.includes('校验码错误') && error.includes('K'), `the bad code is explained in Chinese (${error})`);
  expect((await page.inputValue('#name')) === '昱中街道青年志愿者协会', 'the name typed is kept');
  expect((await page.inputValue('#address')) === '昱中街道办事处二楼', 'the address typed is kept');
  await shot(page, 'bad-code');

  await page.fill('#uscc', '');
  await Promise.all([page.waitForNavigation(), page.click('#save-org')]);
  expect((await page.textContent('#org-name')).trim() === '昱中街道青年志愿者协会', 'the organization page opens');
  expect((await page.textContent('#org-status')).includes('备案'), 'it is filed');
  await shot(page, 'recorded');

  await page.goto(`${BASE}/organizations?q=${encodeURIComponent('青年志愿者')}`);
  expect((await page.locator('#organizations tbody tr').count()) === 1, 'the ledger finds it by name');
  await shot(page, 'found');
});
