// make a11y: render built reports in Debian's headless Chromium and run axe-core over them.
//
//   node .a11y/check.mjs OUT_DIR LANG=path/to/report.html [LANG=path/to/report.html ...]
//
// For each report: every WCAG 2.1 A and AA rule of axe-core (tags wcag2a, wcag2aa, wcag21a,
// wcag21aa) must pass; best-practice rules are listed for information. The page must load
// nothing from outside (any request other than the file itself fails the check), and the table
// of contents must work by keyboard (Tab to a link, Enter moves focus to the chapter).
// Writes OUT_DIR/axe-LANG.json and one screenshot per chapter, OUT_DIR/screenshots/LANG/NN-id.png.
// Exit status: 0 when every report has 0 violations, 1 otherwise, 2 on a usage or set-up error.
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const AXE_SOURCE = require.resolve('axe-core/axe.min.js');
const AXE_VERSION = require('axe-core/package.json').version;
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// No first-run, sync, update or background traffic: the machine's network is closed, and the
// check must not depend on anything outside the page.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

function usage(message) {
  console.error(message);
  console.error('usage: node .a11y/check.mjs OUT_DIR LANG=report.html [LANG=report.html ...]');
  process.exit(2);
}

async function runAxe(page, options) {
  return page.evaluate(async (opts) => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, opts);
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, tags: v.tags, helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html.slice(0, 300), summary: n.failureSummary })),
    }));
  }, options);
}

async function keyboardToc(page) {
  // Tab from the top of the page until focus is on the first link of the table of contents.
  await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
  for (let i = 0; i < 10; i += 1) {
    await page.keyboard.press('Tab');
    const inToc = await page.evaluate(() => !!document.activeElement?.closest('nav.toc'));
    if (inToc) {
      const href = await page.evaluate(() => document.activeElement.getAttribute('href'));
      await page.keyboard.press('Enter');
      await page.waitForTimeout(200);
      const state = await page.evaluate((h) => {
        const target = document.getElementById(decodeURIComponent(h.slice(1)));
        const box = target ? target.getBoundingClientRect() : null;
        return { hash: location.hash, visible: !!box && box.top >= -1 && box.top < window.innerHeight };
      }, href);
      return state.hash === href && state.visible ? null : `Enter on the contents link ${href} did not bring it into view`;
    }
  }
  return 'the table of contents cannot be reached with Tab';
}

async function checkReport(lang, reportPath, outDir) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'a11y-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 },
  });
  const url = pathToFileURL(path.resolve(reportPath)).href;
  const outside = [];
  await context.route('**/*', (route) => {
    const requested = route.request().url();
    if (requested === url || requested.startsWith('data:')) return route.continue();
    outside.push(requested);
    return route.abort();
  });
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    await page.addScriptTag({ path: AXE_SOURCE });
    const violations = await runAxe(page, { runOnly: { type: 'tag', values: WCAG_TAGS }, resultTypes: ['violations'] });
    const bestPractice = await runAxe(page, { runOnly: { type: 'tag', values: ['best-practice'] }, resultTypes: ['violations'] });
    const lang_ = await page.evaluate(() => document.documentElement.lang);
    const keyboard = await keyboardToc(page);

    const shotDir = path.join(outDir, 'screenshots', lang);
    fs.rmSync(shotDir, { recursive: true, force: true });
    fs.mkdirSync(shotDir, { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(shotDir, '00-contents.png') });
    const chapters = await page.$$('section.theme, section.methods');
    const shots = [];
    for (const [i, chapter] of chapters.entries()) {
      const id = (await chapter.getAttribute('aria-labelledby')) || `chapter-${i + 1}`;
      const file = path.join(shotDir, `${String(i + 1).padStart(2, '0')}-${id}.png`);
      await chapter.screenshot({ path: file });
      shots.push(file);
    }
    const problems = [];
    if (lang_ !== lang) problems.push(`<html lang="${lang_}">, expected "${lang}"`);
    if (outside.length) problems.push(`the page requested ${outside.length} resource(s) from outside: ${outside.slice(0, 3).join(', ')}`);
    if (keyboard) problems.push(keyboard);
    const result = { report: reportPath, lang, axe: AXE_VERSION, tags: WCAG_TAGS, violations, bestPractice, problems, screenshots: shots };
    fs.writeFileSync(path.join(outDir, `axe-${lang}.json`), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

const [outDir, ...reports] = process.argv.slice(2);
if (!outDir || reports.length === 0) usage('no output folder or no report given');
if (!fs.existsSync(CHROMIUM)) usage(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);
fs.mkdirSync(outDir, { recursive: true });

let failed = false;
for (const spec of reports) {
  const [lang, reportPath] = spec.split('=');
  if (!lang || !reportPath || !fs.existsSync(reportPath)) usage(`not a LANG=report.html pair, or no such file: ${spec}`);
  const r = await checkReport(lang, reportPath, outDir);
  const nodes = r.violations.reduce((sum, v) => sum + v.nodes.length, 0);
  console.log(`${lang}: ${r.violations.length} axe-core ${AXE_VERSION} violation(s) of WCAG 2.1 A/AA (${nodes} element(s)); `
    + `${r.bestPractice.length} best-practice note(s); ${r.screenshots.length} chapter screenshots in ${path.join(outDir, 'screenshots', lang)}`);
  for (const v of r.violations) {
    console.log(`  ${v.id} [${v.impact}] ${v.help} (${v.nodes.length}x)`);
    for (const n of v.nodes.slice(0, 3)) console.log(`    ${n.target.join(' ')}: ${n.summary.split('\n').slice(1, 3).join(' ')}`);
  }
  for (const v of r.bestPractice) console.log(`  (best practice) ${v.id}: ${v.help} (${v.nodes.length}x)`);
  for (const p of r.problems) console.log(`  ${p}`);
  failed ||= r.violations.length > 0 || r.problems.length > 0;
}
process.exit(failed ? 1 : 0);
