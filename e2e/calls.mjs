// Journey of a call: an organization's manager applies to the community's open micro call (a
// refused form keeps what was typed and names the field), then opens the city's venture call,
// whose scores are sealed, and sees the ranking and its own scores member by member. The
// township then awards the contested item's selection to the best-ranked applicant, and the
// result is on the public site.
import { BASE, run, expect, login } from './lib.mjs';

async function click(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

await run('calls', async (page, shot) => {
  await login(page, 'orgmanager');
  await click(page, 'nav >> text=征集评审');
  await click(page, '#calls >> text=柏树街社区微公益创投');
  expect((await page.textContent('#call-stage')).includes('征集中'), 'the micro call is open');
  await page.fill('#a-proposal', '每月两次楼道邻里茶话会，由社工带领志愿者组织，邀请独居老人参加。');
  await page.fill('#a-amount', '4800');
  await click(page, '#submit-application');
  expect((await page.textContent('#apply')).includes('请填写项目名称'), 'the missing title is named');
  expect((await page.inputValue('#a-proposal')).includes('楼道邻里茶话会'), 'the proposal typed is kept');
  expect((await page.inputValue('#a-amount')) === '4800', 'the amount typed is kept');
  await shot(page, 'application-refused');
  await page.fill('#a-title', '楼道邻里茶话会');
  await click(page, '#submit-application');
  expect((await page.textContent('#applications')).includes('楼道邻里茶话会'), 'the application is recorded');
  expect(await page.$('#apply') === null, 'one application per organization');
  await shot(page, 'application-submitted');

  await click(page, 'nav >> text=征集评审');
  await click(page, '#calls >> text=一老一小');
  const ranking = await page.textContent('#ranking');
  expect(ranking.includes('柏树街社区邻里守望互助会') && ranking.includes('87.67'), 'the ranking with averages');
  const own = await page.textContent('#own-scores');
  expect(own.includes('评审专家') && own.includes('88'), 'its own scores, member by member');
  await shot(page, 'own-scores');
  await click(page, '#logout');

  await login(page, 'township');
  await click(page, 'nav >> text=征集评审');
  await click(page, '#calls >> text=残疾人康复陪伴项目竞争承接');
  expect((await page.textContent('#call-stage')).includes('评分已封存'), 'the selection is sealed');
  await page.fill('#w-reasons', '平均分第一，康复陪伴方案可行');
  await click(page, '#make-award');
  expect((await page.textContent('#call-stage')).includes('已评定'), 'the selection is awarded');
  expect((await page.textContent('#ranking')).includes('56,000.00'), 'the award is shown with its amount');
  await shot(page, 'selection-awarded');
  const url = page.url();
  await page.goto(url.replace('/calls/', '/public/calls/'));
  expect((await page.textContent('#public-ranking')).includes('56,000.00'), 'the result is public');
  await shot(page, 'public-result');
});
