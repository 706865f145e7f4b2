/**
 * The run's timeline as a Mermaid gantt chart, for GitHub (job summaries, pull requests). The syntax is
 * kept to what every Mermaid GitHub has shipped understands: dateFormat, axisFormat, todayMarker, sections,
 * tasks with explicit start and end, and the done / active / crit / milestone tags.
 */
import { clock, outcome } from "./format";
import { RunModel } from "./model";
import { Segment } from "./timeline";

const DAY_MINUTES = 24 * 60;

/** Task and section names end at a colon and may not hold a comment or an entity start. */
const label = (text: string) => text.replace(/[:;#]/g, " ").replace(/\s+/g, " ").trim();

function tags(segment: Segment, zeroLength: boolean): string[] {
    const state = [...(segment.failed ? ["crit"] : []), ...(segment.interrupted ? ["active"] : [])];
    return [...(state.length > 0 ? state : ["done"]), ...(zeroLength ? ["milestone"] : [])];
}

/** The gantt source, or null when no region has anything to draw (nothing to do). */
export function ganttChart(run: RunModel): string | null {
    const regions = run.regions.filter((r) => r.segments.length > 0);
    if (regions.length === 0) return null;
    const lines = [
        "gantt",
        `    title ${label(`${run.title}, times in UTC`)}`,
        "    dateFormat YYYY-MM-DD HH:mm",
        `    axisFormat ${run.durationMinutes >= DAY_MINUTES ? "%m-%d %H:%M" : "%H:%M"}`,
        "    todayMarker off",
    ];
    regions.forEach((region, r) => {
        const ended = ["rolled_back", "failed", "halted", "interrupted"].includes(region.result) ? ` (${outcome(region.result)})` : "";
        // Regions come wave by wave (model.ts); the section says which.
        const wave = region.wave === null ? "" : region.wave === 0 ? "canary · " : `wave ${region.wave} · `;
        lines.push(`    section ${label(wave + region.region + ended)}`);
        region.segments.forEach((segment, s) => {
            const start = clock(run.startedAt, segment.start);
            const end = clock(run.startedAt, segment.end);
            const name = segment.kind === "traffic" && segment.weight !== undefined && region.to ? `${region.to} ${segment.label}` : segment.label;
            lines.push(`    ${label(name)} :${[...tags(segment, start === end), `r${r}s${s}`, start, end].join(", ")}`);
        });
    });
    return lines.join("\n");
}
