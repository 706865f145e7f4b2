/**
 * The report as one self-contained HTML page: inline CSS and SVG, no script, and a Content-Security-Policy
 * that forbids the page any network access, so it opens the same from a CI artifact, a mail or a laptop.
 */
import { gateCharts } from "./gateCharts";
import { count, formatMinutes } from "../core/wording";
import { METRIC_COLUMNS, breaks, clock, durationNote, offset, outcome, waveName, waveTitle } from "./format";
import { RegionModel, RunModel, StepModel } from "./model";
import { cycleHtml } from "./cycle";
import { timelineChart, weightChart } from "./charts";
import { escapeXml as esc } from "./svg";

const STYLE = `
:root { color-scheme: light; }
body { margin: 0; background: #fff; color: #1b1b1b; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1000px; margin: 0 auto; padding: 24px; }
h1 { font-size: 1.6em; margin: 0 0 12px; }
h2 { font-size: 1.25em; margin: 32px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
.outcome { display: inline-block; padding: 0 8px; border-radius: 4px; border: 1px solid; }
.outcome.good { background: #e6f4ea; border-color: #1e7e34; color: #14532d; }
.outcome.bad { background: #fdecea; border-color: #b3261e; color: #7f1d1d; }
.outcome.neutral { background: #f1f3f5; border-color: #6b7280; color: #1f2937; }
.note { background: #fff8e1; border-left: 4px solid #b7791f; padding: 8px 12px; margin: 12px 0; }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; }
tr.limits td { color: #555; font-style: italic; background: #fafafa; }
tr.service td { color: #333; font-size: 0.93em; }
tr.service td:first-child { padding-left: 20px; }
.breach { color: #b3261e; font-weight: 700; }
svg.chart { max-width: 100%; height: auto; display: block; margin: 8px 0; }
svg .tick, svg .legend, svg .note { font-size: 11px; fill: #444; }
svg .row-label { font-size: 13px; font-weight: 600; fill: #1b1b1b; }
svg .row-sub { font-size: 11px; fill: #555; }
svg .row-sub.bad { fill: #b3261e; font-weight: 600; }
svg .bar-label { font-size: 11px; fill: #1b1b1b; }
.small-multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 8px; }
.small-multiples figure { margin: 0; border: 1px solid #e5e5e5; padding: 4px; }
.small-multiples figcaption { font-size: 13px; font-weight: 600; }
.small-multiples svg.chart { margin: 0; width: 100%; }
p.key { font-size: 13px; color: #444; }
details { margin: 16px 0; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
summary { cursor: pointer; font-weight: 600; }
`;

const GOOD = new Set(["completed", "nothing_to_do"]);
const BAD = new Set(["rolled_back", "failed", "interrupted", "partial", "halted"]);

function badge(result: string): string {
    const tone = GOOD.has(result) ? "good" : BAD.has(result) ? "bad" : "neutral";
    return `<span class="outcome ${tone}">${esc(outcome(result))}</span>`;
}

const verdictBadge = (verdict: string) => `<span class="outcome ${verdict === "pass" ? "good" : verdict === "fail" ? "bad" : "neutral"}">${esc(verdict)}</span>`;

function facts(run: RunModel): string {
    const rows: [string, string][] = [
        ["Result", badge(run.result)],
        ["Run", `<code>${esc(run.runId)}</code> in env <code>${esc(run.env)}</code>`],
        ["Started", `${esc(clock(run.startedAt, 0))} UTC`],
        ["Took", esc(`${formatMinutes(run.durationMinutes)}${durationNote(run)}`)],
    ];
    if (run.regions.length > 0) rows.push(["Regions", run.regions.map((r) => `${r.wave === null ? "" : `${esc(waveName(r.wave))}: `}${esc(r.region)} ${badge(r.result)}`).join(", ")]);
    return `<dl class="facts">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>`;
}

function stepsTable(region: RegionModel): string {
    const head = `<tr><th scope="col">step</th><th scope="col">gate</th><th scope="col">looks</th>${METRIC_COLUMNS.map((c) => `<th scope="col">${esc(c.title)}</th>`).join("")}</tr>`;
    const rows: string[] = [];
    let shown: string | undefined;
    for (const step of region.steps) {
        const key = JSON.stringify(step.thresholds);
        if (step.thresholds && key !== shown) {
            rows.push(`<tr class="limits"><td>threshold</td><td></td><td></td>${METRIC_COLUMNS.map((c) => `<td class="num">${esc(c.limit(step.thresholds!) ?? "")}</td>`).join("")}</tr>`);
            shown = key;
        }
        const cells = (measured: StepModel["measured"], service = false) =>
            METRIC_COLUMNS.map((c) => {
                if (!measured) return `<td class="num">-</td>`;
                const breach = breaks(c.key, measured, step.thresholds, service);
                return `<td class="num${breach ? " breach" : ""}">${esc(c.value(measured))}${breach ? " (over)" : ""}</td>`;
            }).join("");
        rows.push(`<tr><td>${esc(region.to ? `${region.to} ${step.weight}%` : `${step.weight}%`)}</td><td>${verdictBadge(step.verdict)}</td><td class="num">${step.looks}</td>${cells(step.measured)}</tr>`);
        for (const [service, measured] of Object.entries(step.services)) rows.push(`<tr class="service"><td>↳ ${esc(service)}</td><td></td><td></td>${cells(measured, true)}</tr>`);
    }
    const caption = `<caption class="visually-hidden">Gate of ${esc(region.region)} per traffic step</caption>`;
    return `<table>${caption}<thead>${head}</thead><tbody>${rows.join("")}</tbody></table>`;
}

function regionSection(run: RunModel, region: RegionModel, index: number): string {
    const colors = region.from && region.to ? ` (${esc(region.from)} → ${esc(region.to)})` : "";
    const parts = [`<section aria-labelledby="region-${index}"><h2 id="region-${index}">${esc(region.region)}: ${badge(region.result)}${colors}</h2>`];
    if (region.wave !== null) parts.push(`<p><strong>${esc(waveTitle(region.wave))}</strong> ${esc(region.wave === 0 ? "first, alone" : region.waveNote ?? "")}</p>`);
    if (region.reason) parts.push(`<p><strong>Why:</strong> ${esc(region.reason)}</p>`);
    if (region.faultToRollbackMinutes !== null) parts.push(`<p><strong>Fault to rollback:</strong> ${count(region.faultToRollbackMinutes, "minute")}, from the fault's start to all traffic back.</p>`);
    if (region.result === "interrupted" && region.lastEvent) parts.push(`<p><strong>Last entry</strong> at ${esc(offset(region.lastEvent.atMinutes))}: ${esc(region.lastEvent.event)}</p>`);
    if (region.steps.length === 0) {
        if (run.kind === "upgrade") parts.push(`<p>No traffic step was gated in this run.</p>`);
    } else {
        parts.push(stepsTable(region));
        const findings = region.steps.filter((s) => s.verdict !== "pass" && s.findings.length > 0);
        if (findings.length > 0) parts.push(`<ul>${findings.map((s) => `<li><strong>${s.weight}% ${esc(s.verdict)}:</strong> ${esc(s.findings.join("; "))}</li>`).join("")}</ul>`);
    }
    const charts = gateCharts(region, index);
    if (charts.length > 0) {
        parts.push(
            `<h3>Gate looks against their thresholds</h3>`,
            `<p class="key">Each look of the gate, grouped by traffic step: ● passed, □ inconclusive, <span class="breach">✕</span> failed; red dashes: the threshold; grey dots: the old color.</p>`,
            `<div class="small-multiples">${charts.map((c) => `<figure><figcaption>${esc(c.caption)}</figcaption>${c.svg}</figure>`).join("\n")}</div>`,
        );
    }
    parts.push("</section>");
    return parts.join("\n");
}

function keyValueTable(caption: string, rows: [string, string][]): string {
    return `<table><caption>${esc(caption)}</caption><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(v)}</td></tr>`).join("")}</tbody></table>`;
}

function eventsTable(run: RunModel): string {
    const rows = run.events.map((e) => `<tr><td class="num">${esc(offset(e.atMinutes))}</td><td>${esc(e.region ?? "")}</td><td>${esc(e.phase)}</td><td>${esc(e.event)}${e.result ? ` <strong>(${esc(outcome(e.result))})</strong>` : ""}</td></tr>`);
    return `<details><summary>Events (${run.events.length}; gate looks are in the charts and tables above)</summary><table><thead><tr><th scope="col">time</th><th scope="col">region</th><th scope="col">phase</th><th scope="col">event</th></tr></thead><tbody>${rows.join("")}</tbody></table></details>`;
}

export function renderHtml(run: RunModel): string {
    const timeline = timelineChart(run);
    const weights = weightChart(run);
    const sections = [
        `<h1>mitene ${esc(run.title)}: ${badge(run.result)}</h1>`,
        facts(run),
        ...(run.result === "partial" ? [`<p class="note" role="note">Partial: the regions ended differently: the env now runs two versions.</p>`] : []),
        ...(run.halt ? [`<p class="note" role="note">Halted: ${esc(run.halt)}</p>`] : []),
        ...run.notes.map((note) => `<p class="note" role="note">${esc(note)}</p>`),
    ];
    if (run.stages.length > 0) sections.push(`<h2>Stages</h2>`, keyValueTable("Stages of the in-place upgrade", run.stages.map((s) => [s.stage, `${outcome(s.result)}${s.detail ? `: ${s.detail}` : ""}`])));
    if (run.outcome) sections.push(`<h2>Outcome</h2>`, keyValueTable("What the command reported", Object.entries(run.outcome).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])));
    sections.push(`<h2>Timeline</h2>`, timeline ?? `<p>Nothing in this run took time in a region.</p>`);
    if (weights) sections.push(`<h2>Traffic on the new color</h2>`, weights);
    sections.push(...run.regions.map((region, i) => regionSection(run, region, i)));
    if (run.cycle) sections.push(cycleHtml(run.cycle));
    sections.push(eventsTable(run));
    return [
        "<!DOCTYPE html>",
        `<html lang="en">`,
        "<head>",
        `<meta charset="utf-8">`,
        `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
        `<meta name="viewport" content="width=device-width, initial-scale=1">`,
        `<title>mitene ${esc(run.title)}: ${esc(outcome(run.result))}</title>`,
        `<style>${STYLE}</style>`,
        "</head>",
        "<body>",
        "<main>",
        ...sections,
        "</main>",
        "</body>",
        "</html>",
        "",
    ].join("\n");
}
