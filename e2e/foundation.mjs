// Journey of the foundation: a community officer logs in, walks the area tree down to their
// community, searches, and logs out.
import { BASE, run, login, expect } from './lib.mjs';

await run('foundation', async (page, shot) => {
  await page.goto(`${BASE}/`);
  expect(page.url().includes('/login'), 'an anonymous visitor is sent to the login page');
  await shot(page, 'login');

  await login(page, 'community');
  expect((await page.textContent('main')).includes('柏树街社区居委会'), 'the home page names the community');
  await shot(page, 'home');

  await page.click('nav >> text=行政区划');
  await page.waitForURL(`${BASE}/areas`);
  for (const name of ['安徽省', '黄山市', '屯溪区', '昱中街道', '柏树街社区居委会']) {
    await Promise.all([page.waitForNavigation(), page.click(`#children >> text=${name}`)]);
    expect((await page.textContent('#area-name')).trim() === name, `the page of ${name} opens`);
  }
  expect((await page.textContent('main')).includes('341002002001'), 'the community code is shown');
  expect((await page.textContent('main')).includes('居委会'), 'the committee kind is shown');
  await shot(page, 'community-page');

  await page.goto(`${BASE}/areas/341002`);
  const rows = await page.locator('#children tbody tr').count();
  expect(rows === 1, `the county page shows only the path to the community (${rows} rows)`);
  await shot(page, 'path-only');

  await page.click('nav >> text=搜索区划');
  await page.fill('#q', '柏树');
  await page.waitForSelector('#results table');
  const found = await page.textContent('#results');
  expect(found.includes('柏树街社区居委会'), 'search finds the community as you type');
  await page.fill('#q', '歙县');
  await page.waitForSelector('#results >> text=没有找到');
  await shot(page, 'search');

  await Promise.all([page.waitForNavigation(), page.click('#logout')]);
  expect(page.url().includes('/login'), 'logging out returns to the login page');
  await page.goto(`${BASE}/`);
  expect(page.url().includes('/login'), 'after logout the home page needs a login again');
  await shot(page, 'logged-out');
});
