// Journey of needs, on a phone: a resident raises a need (a bad form keeps what was typed and
// says which field is wrong), is its first supporter, and supports a neighbour's need once.
import { BASE, run, login, expect } from './lib.mjs';

await run('needs', async (desktop, shot) => {
  const page = await desktop.context().browser().newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  await login(page, 'resident');
  await page.goto(`${BASE}/needs`);
  expect((await page.textContent('#needs')).includes('独居老人午餐无人照料'), 'the board shows the community\'s needs');
  await shot(page, 'board-on-phone');

  // A form without a channel: refused, the field named, nothing typed lost.
  await page.fill('#title', '小区缺少休息座椅');
  await page.selectOption('#priority_group', 'special_elderly');
  await page.fill('#description', '老人散步走累了没有地方坐，希望在小区步道旁加几张座椅。');
  await Promise.all([page.waitForNavigation(), page.click('#raise')]);
  expect((await page.textContent('main')).includes('请选择需求的收集渠道'), 'the missing channel is named');
  expect((await page.inputValue('#title')) === '小区缺少休息座椅', 'the title is kept');
  expect((await page.inputValue('#description')).includes('步道旁加几张座椅'), 'the description is kept');
  expect((await page.inputValue('#community')) === '341002002001', 'the community is the resident\'s own');
  await shot(page, 'refused-form-kept');

  await page.selectOption('#channel', 'online');
  await Promise.all([page.waitForNavigation(), page.click('#raise')]);
  expect(/\/needs\/3410-/.test(page.url()), `the new need has its page (${page.url()})`);
  expect((await page.textContent('#supporters')).trim() === '1', 'the resident is its first supporter');
  expect((await page.textContent('#supported')).includes('您已附议'), 'the page says so');
  expect(await page.$('#support') === null, 'no second support is offered');
  await shot(page, 'raised');

  // Support a neighbour's need once.
  await page.goto(`${BASE}/needs`);
  await Promise.all([page.waitForNavigation(), page.click('#needs >> text=残疾人康复训练')]);
  const before = parseInt(await page.textContent('#supporters'), 10);
  await Promise.all([page.waitForNavigation(), page.click('#support')]);
  const after = parseInt(await page.textContent('#supporters'), 10);
  expect(after === before + 1, `the support counts (${before} → ${after})`);
  expect(await page.$('#support') === null, 'and only once');
  await shot(page, 'supported');
  await page.close();
});
