// End-to-end check of the dashboard in headless Chromium (run by
// tests/serve/dashboard_test.cc against `tinymlops ui --port 0` on a fixture project).
//
//   node ui/tests/dashboard_browser.mjs URL SCREENSHOT.png EXPERIMENT_ID...
//
// Checks that the table lists exactly the given experiments, that clicking the
// "accuracy" header sorts by it (and again reverses), that the filter box filters,
// that the charts drew pixels, that compare, registry (gates, lineage) and
// compression show, and that the page asked nothing of any other host. Saves a
// full-page screenshot, prints its path, and exits 0; else prints why and exits 1.
import { chromium } from "playwright-core";

const [url, screenshotPath, ...expectedIds] = process.argv.slice(2);
if (!url || !screenshotPath || expectedIds.length === 0) {
  console.error("usage: node dashboard_browser.mjs URL SCREENSHOT.png EXPERIMENT_ID...");
  process.exit(2);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium" });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const problems = [];
  const origin = new URL(url).origin;
  page.on("pageerror", (error) => problems.push("page error: " + error.message));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push("console error: " + message.text());
  });
  page.on("request", (request) => {
    if (!request.url().startsWith(origin + "/")) problems.push("request to another host: " + request.url());
  });

  await page.goto(url);
  await page.waitForSelector("body[data-ready]", { timeout: 10000 });
  const ready = await page.getAttribute("body", "data-ready");
  check(ready === "true", "the page did not load: " + (await page.textContent("#error")));

  // The table lists the fixture's experiments.
  const rowIds = () => page.$$eval("#experiments tbody tr", (rows) => rows.map((r) => r.dataset.id));
  const initial = await rowIds();
  check(initial.length === expectedIds.length && expectedIds.every((id) => initial.includes(id)),
    "table rows " + JSON.stringify(initial) + " are not the experiments " + JSON.stringify(expectedIds));

  // A click on a header sorts by that column; a second click reverses.
  const accuracyHeader = '#experiments th[data-key="metrics.accuracy"]';
  const accuracyIndex = await page.$$eval("#experiments thead th",
    (ths) => ths.findIndex((th) => th.dataset.key === "metrics.accuracy"));
  check(accuracyIndex >= 0, "no accuracy column");
  const accuracies = () => page.$$eval("#experiments tbody tr",
    (rows, i) => rows.map((r) => Number(r.children[i].textContent)), accuracyIndex);
  await page.click(accuracyHeader);
  const ascending = await rowIds();
  const ascendingValues = await accuracies();
  check(JSON.stringify(ascending) !== JSON.stringify(initial), "clicking the accuracy header did not change the order");
  check(ascendingValues.every((v, i) => i === 0 || ascendingValues[i - 1] <= v),
    "not sorted by accuracy ascending: " + ascendingValues);
  await page.click(accuracyHeader);
  const descending = await rowIds();
  check(JSON.stringify(descending) === JSON.stringify(ascending.slice().reverse()), "a second click did not reverse");

  // The filter box keeps the matching rows.
  const firstName = await page.textContent(`#experiments tbody tr[data-id="${expectedIds[0]}"] td:nth-child(2)`);
  await page.fill("#filter", firstName);
  const filtered = await rowIds();
  check(filtered.length === 1 && filtered[0] === expectedIds[0], "filter by " + firstName + " kept " + filtered);
  await page.fill("#filter", "");

  // The charts drew: datasets and non-blank pixels.
  const chartState = (id) => page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId);
    const chart = Chart.getChart(canvas);
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) inked++;
    return { datasets: chart ? chart.data.datasets.length : 0,
             points: chart ? chart.data.datasets.reduce((n, d) => n + d.data.length, 0) : 0,
             inked, width: canvas.width, height: canvas.height };
  }, id);
  const metricChart = await chartState("metric-chart");
  check(metricChart.points === expectedIds.length && metricChart.inked > 1000,
    "metric chart not drawn: " + JSON.stringify(metricChart));
  const curveChart = await chartState("curve-chart");
  check(curveChart.datasets === expectedIds.length && curveChart.inked > 1000,
    "training curves not drawn: " + JSON.stringify(curveChart));

  // Compare: the last two experiments, differences highlighted.
  const differing = await page.$$eval("#compare tbody tr.differs", (rows) => rows.length);
  check(differing > 0, "compare shows no differing row");

  // Registry: aliases, gates passed and failed; lineage on a click.
  const badges = await page.$$eval("#registry .badge", (b) => b.map((x) => x.className + ":" + x.textContent));
  check(badges.some((b) => b.includes("pass")) && badges.some((b) => b.includes("fail")) &&
        badges.some((b) => b.endsWith(":production")), "registry badges: " + JSON.stringify(badges));
  await page.click("#registry button.link");
  await page.waitForSelector("#lineage:not([hidden]) dl", { timeout: 5000 });

  // Compression table: a row per registered version.
  const compressionRows = await page.$$eval("#compression tbody tr", (rows) => rows.length);
  check(compressionRows >= 2, "compression table has " + compressionRows + " rows");

  check(problems.length === 0, problems.join("; "));
  await page.click('#experiments th[data-key="started_at"]');  // back to record order for the picture
  await page.screenshot({ path: screenshotPath, fullPage: true });
  console.log(JSON.stringify({ screenshot: screenshotPath, rows: initial.length, sorted: ascending,
                               metric_chart: metricChart, curve_chart: curveChart, compression_rows: compressionRows }));
} catch (error) {
  console.error("dashboard browser test: " + error.message);
  process.exitCode = 1;
} finally {
  await browser.close();
}
