/**
 * The report as GitHub-flavoured Markdown: the run's result, per region the steps with the gate's verdicts,
 * figures and thresholds, a Mermaid timeline and the events. Kept well under GitHub's 65,536-character limit
 * of a pull request body: gate looks are summed up per step, and the event list is capped.
 */
import { count, formatMinutes } from "../core/wording";
import { METRIC_COLUMNS, breaks, clock, durationNote, offset, outcome, waveName, waveTitle } from "./format";
import { Thresholds } from "./journal";
import { ganttChart } from "./mermaid";
import { RegionModel, RunModel, StepModel } from "./model";
import { cycleMarkdown } from "./cycle";

/** Events listed at most; the journal has them all. */
export const MAX_EVENTS = 200;

/** Table cells hold one line, and no pipe or HTML tag. */
const cell = (text: string) => text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|").replace(/</g, "&lt;");

function summary(run: RunModel): string[] {
    const lines = [
        `## mitene ${run.title}: ${outcome(run.result)}`,
        "",
        `- **Result:** ${outcome(run.result)}`,
        `- **Run:** \`${run.runId}\` in env \`${run.env}\``,
        `- **Started:** ${clock(run.startedAt, 0)} UTC; **took** ${formatMinutes(run.durationMinutes)}${durationNote(run)}`,
    ];
    if (run.regions.length > 0) lines.push(`- **Regions:** ${run.regions.map((r) => `${r.wave === null ? "" : `${waveName(r.wave)}: `}${r.region} ${outcome(r.result)}`).join(", ")}`);
    if (run.result === "partial") lines.push("", "> **Partial:** the regions ended differently: the env now runs two versions.");
    if (run.halt) lines.push("", `> **Halted:** ${cell(run.halt)}`);
    for (const note of run.notes) lines.push("", `> **Note:** ${cell(note)}`);
    return lines;
}

function thresholdRow(thresholds: Thresholds): string {
    return `| *threshold* | | | ${METRIC_COLUMNS.map((c) => cell(c.limit(thresholds) ?? "")).join(" | ")} |`;
}

/** Service rows a region's table holds at most; above that, only those breaking a threshold (the HTML page has them all). */
export const MAX_SERVICE_ROWS = 40;

function figuresOf(measured: StepModel["measured"], thresholds: Thresholds | null, service = false): string[] {
    return METRIC_COLUMNS.map((c) => {
        if (!measured) return "-";
        const value = c.value(measured);
        return breaks(c.key, measured, thresholds, service) ? `**${value}**` : value;
    });
}

function stepsTable(region: RegionModel): string[] {
    const lines = [`| step | gate | looks | ${METRIC_COLUMNS.map((c) => c.title).join(" | ")} |`, `|---|---|---:|${METRIC_COLUMNS.map(() => "---:").join("|")}|`];
    const serviceRows = region.steps.reduce((n, step) => n + Object.keys(step.services).length, 0);
    const breaching = (step: StepModel, m: StepModel["measured"]) => m !== null && METRIC_COLUMNS.some((c) => breaks(c.key, m, step.thresholds, true));
    let hidden = 0;
    let shown: string | undefined;
    for (const step of region.steps) {
        const key = JSON.stringify(step.thresholds);
        if (step.thresholds && key !== shown) {
            lines.push(thresholdRow(step.thresholds));
            shown = key;
        }
        const name = region.to ? `${region.to} ${step.weight}%` : `${step.weight}%`;
        lines.push(`| ${name} | ${step.verdict} | ${step.looks} | ${figuresOf(step.measured, step.thresholds).join(" | ")} |`);
        for (const [service, measured] of Object.entries(step.services)) {
            if (serviceRows > MAX_SERVICE_ROWS && !breaching(step, measured) && !step.findings.some((f) => f.startsWith(`${service}: `))) {
                hidden++;
                continue;
            }
            lines.push(`| ↳ ${cell(service)} | | | ${figuresOf(measured, step.thresholds, true).join(" | ")} |`);
        }
    }
    if (hidden > 0) lines.push("", `${hidden} more service rows within every threshold are in the HTML report and the journal.`);
    return lines;
}

function regionSection(run: RunModel, region: RegionModel): string[] {
    const colors = region.from && region.to ? ` (${region.from} → ${region.to})` : "";
    const lines = ["", `### ${region.region}: ${outcome(region.result)}${colors}`, ""];
    if (region.wave !== null) lines.push(`**${waveTitle(region.wave)}** ${region.wave === 0 ? "first, alone" : cell(region.waveNote ?? "")}`.trimEnd(), "");
    if (region.reason) lines.push(`**Why:** ${cell(region.reason)}`, "");
    if (region.faultToRollbackMinutes !== null) lines.push(`**Fault to rollback:** ${count(region.faultToRollbackMinutes, "minute")}, from the fault's start to all traffic back.`, "");
    if (region.result === "interrupted" && region.lastEvent) lines.push(`**Last entry** at ${offset(region.lastEvent.atMinutes)}: ${cell(region.lastEvent.event)}`, "");
    if (region.steps.length === 0) {
        if (run.kind === "upgrade") lines.push("No traffic step was gated in this run.");
        return lines;
    }
    lines.push(...stepsTable(region));
    const unpassed = region.steps.filter((s) => s.verdict !== "pass" && s.findings.length > 0);
    if (unpassed.length > 0) lines.push("");
    for (const step of unpassed) lines.push(`- **${step.weight}% ${step.verdict}:** ${step.findings.map(cell).join("; ")}`);
    return lines;
}

function stagesSection(run: RunModel): string[] {
    if (run.stages.length === 0) return [];
    return ["", "### Stages", "", "| stage | result | detail |", "|---|---|---|", ...run.stages.map((s) => `| ${cell(s.stage)} | ${outcome(s.result)} | ${cell(s.detail ?? "")} |`)];
}

function outcomeSection(run: RunModel): string[] {
    if (!run.outcome) return [];
    const rows = Object.entries(run.outcome).map(([key, value]) => `| ${cell(key)} | ${cell(typeof value === "string" ? value : JSON.stringify(value))} |`);
    return ["", "### Outcome", "", "| field | value |", "|---|---|", ...rows];
}

function timelineSection(run: RunModel): string[] {
    const gantt = ganttChart(run);
    if (!gantt) return ["", "### Timeline", "", "Nothing in this run took time in a region."];
    return ["", "### Timeline", "", "```mermaid", gantt, "```"];
}

function eventsSection(run: RunModel): string[] {
    const shown = run.events.slice(0, MAX_EVENTS);
    const looks = run.regions.some((r) => r.looks.length > 0) ? "; gate looks are in the steps above" : "";
    const lines = ["", `<details><summary>Events (${run.events.length}${looks})</summary>`, "", "| time | region | phase | event |", "|---|---|---|---|"];
    for (const e of shown) lines.push(`| ${offset(e.atMinutes)} | ${cell(e.region ?? "")} | ${cell(e.phase)} | ${cell(e.event)}${e.result ? ` (**${outcome(e.result)}**)` : ""} |`);
    if (run.events.length > shown.length) lines.push("", `${run.events.length - shown.length} more events are in the journal.`);
    lines.push("", "</details>");
    return lines;
}

export function renderMarkdown(run: RunModel): string {
    return [
        ...summary(run),
        ...stagesSection(run),
        ...(run.cycle ? cycleMarkdown(run.cycle) : []),
        ...outcomeSection(run),
        ...run.regions.flatMap((region) => regionSection(run, region)),
        ...timelineSection(run),
        ...eventsSection(run),
    ].join("\n") + "\n";
}
