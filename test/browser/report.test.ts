/**
 * The report as people see it, in Debian's headless Chromium (`npm run test:browser`, not part of `npm test`):
 * the HTML page renders its charts with no network and no console error, and its screenshot is kept in
 * out/report-screenshot.png (a CI artifact); the Markdown's Mermaid timeline renders with Mermaid itself.
 */
import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { BrowserContext, Page, chromium } from "playwright-core";
import { cli } from "../driver/harness";
import { KIND_STYLE } from "../../automation/report/charts";
import { prodRolledBack } from "../report/fixtures";

// The page's globals, as far as the code run in the page uses them (the project compiles without the DOM library).
interface PageElement {
    getBoundingClientRect(): { width: number; height: number };
    innerHTML: string;
    width: number;
    height: number;
    getContext(kind: "2d"): { drawImage(image: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}
declare const document: { querySelector(selector: string): PageElement | null; querySelectorAll(selector: string): Iterable<PageElement> & { length: number }; getElementById(id: string): PageElement | null };
declare const Image: new () => { src: string; width: number; height: number; decode(): Promise<void> };
declare const window: unknown;

const CHROMIUM = process.env.MITENE_CHROMIUM ?? "/usr/bin/chromium";
const OUT = path.resolve(__dirname, "..", "..", "out");
const SCREENSHOT = path.join(OUT, "report-screenshot.png");

/** What a page did besides rendering: requests beyond its own document, console errors, uncaught errors. */
interface Watch {
    requests: string[];
    errors: string[];
}

function watch(page: Page, allowed: string): Watch {
    const seen: Watch = { requests: [], errors: [] };
    page.on("request", (request) => {
        if (request.url() !== allowed) seen.requests.push(request.url());
    });
    page.on("console", (message) => {
        if (message.type() === "error") seen.errors.push(message.text());
    });
    page.on("pageerror", (error) => seen.errors.push(error.message));
    return seen;
}

/** Distinct colors in a PNG and the share of pixels that are not white, decoded by the browser itself. */
async function pixelStats(context: BrowserContext, png: Buffer, colors: string[]): Promise<{ distinct: number; inked: number; found: Record<string, number> }> {
    const page = await context.newPage();
    try {
        await page.setContent("<canvas></canvas>");
        return await page.evaluate(
            async ({ data, wanted }) => {
                const image = new Image();
                image.src = `data:image/png;base64,${data}`;
                await image.decode();
                const canvas = document.querySelector("canvas")!;
                canvas.width = image.width;
                canvas.height = image.height;
                const context2d = canvas.getContext("2d");
                context2d.drawImage(image, 0, 0);
                const pixels = context2d.getImageData(0, 0, image.width, image.height).data;
                const distinct = new Set<number>();
                const found: Record<string, number> = Object.fromEntries(wanted.map((c) => [c, 0]));
                let inked = 0;
                for (let i = 0; i < pixels.length; i += 4) {
                    const [r, g, b] = [pixels[i], pixels[i + 1], pixels[i + 2]];
                    distinct.add((r << 16) | (g << 8) | b);
                    if (r < 245 || g < 245 || b < 245) inked++;
                    const hex = `#${[r, g, b].map((v) => v.toString(16).padStart(2, "0")).join("")}`;
                    if (hex in found) found[hex]++;
                }
                return { distinct: distinct.size, inked: inked / (pixels.length / 4), found };
            },
            { data: png.toString("base64"), wanted: colors },
        );
    } finally {
        await page.close();
    }
}

describe("report in a browser", function () {
    this.timeout(120_000);
    let context: BrowserContext;
    let userData: string;
    let work: string;

    before(async () => {
        if (!existsSync(CHROMIUM)) {
            throw new Error(`Chromium is missing at ${CHROMIUM}: npm run test:browser needs Debian's chromium (apt-get install -y chromium), or MITENE_CHROMIUM naming another build`);
        }
        userData = mkdtempSync(path.join(tmpdir(), "mitene-chromium-"));
        context = await chromium.launchPersistentContext(userData, {
            executablePath: CHROMIUM,
            headless: true,
            viewport: { width: 1100, height: 900 },
            args: [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        });
        work = mkdtempSync(path.join(tmpdir(), "mitene-report-browser-"));
        mkdirSync(path.join(work, "state", "journal"), { recursive: true });
        writeFileSync(path.join(work, "state", "journal", "prod.jsonl"), prodRolledBack().jsonl());
        mkdirSync(OUT, { recursive: true });
    });

    after(async () => {
        await context?.close();
        if (userData) rmSync(userData, { recursive: true, force: true });
    });

    const report = async (format: "md" | "html") => {
        const file = path.join(OUT, `report.${format}`);
        const run = await cli(["report", "--env", "prod", "--engine", "sim", "--state", path.join(work, "state"), "--format", format, "--out", file]);
        assert.equal(run.code, 0, run.stderr);
        return file;
    };

    it("the HTML page renders its charts offline, without console errors, and its screenshot shows them", async () => {
        const file = await report("html");
        const url = pathToFileURL(file).href;
        const page = await context.newPage();
        const seen = watch(page, url);
        await page.goto(url, { waitUntil: "load" });

        const charts = await page.$$eval("svg.chart", (svgs) => svgs.map((svg) => ({ id: svg.id, ...svg.getBoundingClientRect().toJSON(), title: svg.querySelector("title")?.textContent ?? "" })));
        assert.equal(charts.length, 10, "timeline, weights and 4 gate charts for each of the 2 regions");
        for (const chart of charts) {
            assert.ok(chart.width > 100 && chart.height > 100, `${chart.id} is drawn (${chart.width}x${chart.height})`);
            assert.ok(chart.title.length > 0, `${chart.id} has a title`);
        }
        const bars = await page.$$eval("#timeline .segment", (shapes) => shapes.map((s) => s.getBoundingClientRect()).filter((r) => r.width > 0 && r.height > 0).length);
        assert.equal(bars, 9 + 6, "every bar of both regions has a size");
        const looks = await page.$$eval("#weights .look", (marks) => marks.filter((m) => !m.closest(".key")).length);
        assert.equal(looks, 11, "every gate look is marked on the weight chart");

        await page.screenshot({ path: SCREENSHOT, fullPage: true });
        await page.close();
        assert.deepEqual(seen.errors, []);
        assert.deepEqual(seen.requests, [], "the page asks the network for nothing");

        const fills = [KIND_STYLE.traffic.fill, KIND_STYLE.hold.fill, KIND_STYLE["bring-up"].fill];
        const stats = await pixelStats(context, readFileSync(SCREENSHOT), fills);
        assert.ok(stats.distinct > 50, `the screenshot has ${stats.distinct} colors`);
        assert.ok(stats.inked > 0.05, `${Math.round(stats.inked * 100)}% of the screenshot is not white`);
        for (const fill of fills) assert.ok(stats.found[fill] > 200, `the screenshot shows bars filled ${fill} (${stats.found[fill]} pixels)`);
    });

    it("the Markdown's Mermaid timeline renders with Mermaid, one bar per task", async () => {
        const markdown = readFileSync(await report("md"), "utf8");
        const gantt = markdown.match(/```mermaid\n([\s\S]*?)```/)![1];
        const tasks = gantt.split("\n").filter((line) => / :(done|crit|active)/.test(line)).length;
        const page = await context.newPage();
        const seen = watch(page, "about:blank");
        await page.setContent(`<!DOCTYPE html><html><body><div id="out"></div></body></html>`);
        await page.addScriptTag({ path: require.resolve("mermaid/dist/mermaid.min.js") });
        const drawn = await page.evaluate(async (source) => {
            const mermaid = (window as { mermaid: { initialize(c: object): void; parse(s: string): Promise<unknown>; render(id: string, s: string): Promise<{ svg: string }> } }).mermaid;
            mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
            await mermaid.parse(source);
            const { svg } = await mermaid.render("gantt", source);
            document.getElementById("out")!.innerHTML = svg;
            // No named helper here: the test runner's transpiler would wrap it in a function the page lacks.
            return {
                tasks: document.querySelectorAll("#out rect.task").length,
                sized: [...document.querySelectorAll("#out rect.task")].filter((e) => e.getBoundingClientRect().width > 0).length,
                sections: [...document.querySelectorAll("#out .sectionTitle")].filter((e) => e.getBoundingClientRect().width > 0).length,
                critical: document.querySelectorAll("#out rect[class*=crit]").length,
            };
        }, gantt);
        await page.close();
        assert.deepEqual(seen.errors, []);
        assert.equal(drawn.tasks, tasks);
        assert.equal(drawn.sized, tasks, "every task has a size");
        assert.equal(drawn.sections, 2);
        assert.equal(drawn.critical, 2, "the failed step and the rollback are critical");
    });
});
