/**
 * The run's pictures for the HTML page: the per-region timeline (one row of bars per region) and the new
 * color's share of traffic over time with the gate's looks on it. Shapes carry tooltips; every chart has a
 * title and a description, and the page repeats the figures in tables.
 */
import { formatMinutes } from "../core/wording";
import { offset, outcome } from "./format";
import { RunModel } from "./model";
import { SegmentKind } from "./timeline";
import { escapeXml, linear, minuteTicks, n, svg, text, withTooltip } from "./svg";

const WIDTH = 960;

/** Light fills with dark text (contrast above 4.5:1), each with a darker outline of its hue. */
export const KIND_STYLE: Record<SegmentKind, { fill: string; stroke: string; name: string }> = {
    "bring-up": { fill: "#b9d3f0", stroke: "#2f5f98", name: "bring-up" },
    argo: { fill: "#b3e0dc", stroke: "#24756d", name: "Argo CD sync" },
    queued: { fill: "#ececec", stroke: "#8a8a8a", name: "waiting for its turn" },
    traffic: { fill: "#bfe3b4", stroke: "#3b7a2c", name: "traffic step" },
    "wave-bake": { fill: "#d6ecc9", stroke: "#2e6b1f", name: "wave bake at 100%" },
    "cut-over": { fill: "#f6e09a", stroke: "#8a6d00", name: "cron cut-over" },
    hold: { fill: "#dcc3d6", stroke: "#7b4a70", name: "hold" },
    teardown: { fill: "#dcc8ba", stroke: "#6e4c35", name: "teardown" },
    rollback: { fill: "#f6b8b8", stroke: "#b3261e", name: "rollback" },
    halt: { fill: "#ffd8a8", stroke: "#9a4d00", name: "halted (stop the line)" },
    other: { fill: "#dedad8", stroke: "#6b6461", name: "other" },
};

/** Region lines: distinct hues and dash patterns, so they differ without color too. */
const REGION_STYLE = [
    { stroke: "#1f5fae", dash: "" },
    { stroke: "#c25e00", dash: "8 4" },
    { stroke: "#6a3d9a", dash: "2 3" },
    { stroke: "#00796b", dash: "12 3 2 3" },
    { stroke: "#8c564b", dash: "4 4" },
    { stroke: "#5b6770", dash: "1 5" },
];
export const regionStyle = (index: number) => REGION_STYLE[index % REGION_STYLE.length];

const FAILED = "#b3261e";
const AXIS = "#555";
const GRID = "#e3e3e3";

/** The run's time span, in minutes, for both charts' x axes. */
function timeSpan(run: RunModel): number {
    const ends = run.regions.flatMap((r) => [...r.segments.map((s) => s.end), ...r.looks.map((l) => l.atMinutes)]);
    return Math.max(1, run.durationMinutes, ...ends);
}

function timeAxis(x: (m: number) => number, span: number, top: number, bottom: number): string[] {
    return minuteTicks(span).flatMap((tick) => [
        `<line x1="${n(x(tick))}" y1="${n(top)}" x2="${n(x(tick))}" y2="${n(bottom)}" stroke="${GRID}"/>`,
        text(x(tick), bottom + 16, offset(tick), `text-anchor="middle" class="tick"`),
    ]);
}

function legend(items: { swatch: string; label: string }[], y: number, x0: number): string[] {
    let x = x0;
    return items.flatMap((item) => {
        const out = [`<g class="key" transform="translate(${n(x)} ${n(y)})">${item.swatch}${text(20, 10, item.label, `class="legend"`)}</g>`];
        x += 32 + item.label.length * 6.6;
        return out;
    });
}

export function timelineChart(run: RunModel): string | null {
    const regions = run.regions.filter((r) => r.segments.length > 0);
    if (regions.length === 0) return null;
    const left = 170;
    const rowHeight = 40;
    const top = 10;
    const axisY = top + regions.length * rowHeight;
    const height = axisY + 60;
    const span = timeSpan(run);
    const x = linear(0, span, left, WIDTH - 20);
    const hatch = "timeline-hatch";
    const body = [
        `<defs><pattern id="${hatch}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="${FAILED}" stroke-width="2"/></pattern></defs>`,
        ...timeAxis(x, span, top, axisY),
    ];
    regions.forEach((region, i) => {
        const y = top + i * rowHeight + 8;
        body.push(text(left - 10, y + 10, region.region, `text-anchor="end" class="row-label"`));
        const wave = region.wave === null ? "" : region.wave === 0 ? "canary · " : `wave ${region.wave} · `;
        body.push(text(left - 10, y + 24, `${wave}${outcome(region.result)}`, `text-anchor="end" class="row-sub${["rolled_back", "failed", "halted"].includes(region.result) ? " bad" : ""}"`));
        for (const segment of region.segments) {
            const style = KIND_STYLE[segment.kind];
            const x0 = x(segment.start);
            const w = x(segment.end) - x0;
            const label = segment.kind === "traffic" && region.to ? `${region.to} ${segment.label}` : segment.label;
            const stateText = `${segment.failed ? ", failed or rolled back" : ""}${segment.interrupted ? ", cut short: the run stopped here" : ""}`;
            const tooltip = `${region.region}: ${label}, ${offset(segment.start)} to ${offset(segment.end)} (${formatMinutes(segment.end - segment.start)})${stateText}`;
            const stroke = segment.failed ? FAILED : style.stroke;
            const dash = segment.interrupted ? ` stroke-dasharray="4 3"` : "";
            let shape: string;
            if (w < 3) {
                const cx = x0;
                const cy = y + 12;
                shape = `<path d="M${n(cx)} ${n(cy - 8)} L${n(cx + 8)} ${n(cy)} L${n(cx)} ${n(cy + 8)} L${n(cx - 8)} ${n(cy)} Z" fill="${style.fill}" stroke="${stroke}" stroke-width="2" class="segment milestone"/>`;
            } else {
                shape = `<rect x="${n(x0)}" y="${n(y)}" width="${n(w)}" height="24" rx="3" fill="${style.fill}" stroke="${stroke}" stroke-width="${segment.failed || segment.interrupted ? 2 : 1}"${dash} class="segment"/>`;
                if (segment.failed) shape += `<rect x="${n(x0)}" y="${n(y)}" width="${n(w)}" height="24" rx="3" fill="url(#${hatch})" opacity="0.35"/>`;
                if (w > label.length * 6.4 + 8) shape += text(x0 + w / 2, y + 16, label, `text-anchor="middle" class="bar-label"`);
            }
            body.push(withTooltip(shape, tooltip));
        }
    });
    const kinds = [...new Set(regions.flatMap((r) => r.segments.map((s) => s.kind)))];
    body.push(
        ...legend(
            [
                ...kinds.map((kind) => ({ swatch: `<rect width="14" height="12" fill="${KIND_STYLE[kind].fill}" stroke="${KIND_STYLE[kind].stroke}"/>`, label: KIND_STYLE[kind].name })),
                { swatch: `<rect width="14" height="12" fill="url(#${hatch})" stroke="${FAILED}" stroke-width="2"/>`, label: "failed or rolled back" },
                ...(regions.some((r) => r.segments.some((s) => s.interrupted))
                    ? [{ swatch: `<rect width="14" height="12" fill="#fff" stroke="${AXIS}" stroke-width="2" stroke-dasharray="4 3"/>`, label: "cut short" }]
                    : []),
            ],
            axisY + 32,
            10,
        ),
    );
    const description = regions
        .map((r) => `${r.region} (${outcome(r.result)}): ${r.segments.map((s) => `${s.kind === "traffic" && r.to ? `${r.to} ${s.label}` : s.label} ${offset(s.start)} to ${offset(s.end)}${s.failed ? " (failed)" : ""}${s.interrupted ? " (cut short)" : ""}`).join(", ")}`)
        .join(". ");
    return svg({ id: "timeline", width: WIDTH, height, title: `Timeline of the ${run.title}, minutes since the run started`, description }, body);
}

export function weightChart(run: RunModel): string | null {
    const regions = run.regions.map((region, index) => ({ region, index })).filter(({ region }) => region.weights.length > 0);
    if (regions.length === 0) return null;
    const left = 56;
    const top = 14;
    const bottom = 220;
    const span = timeSpan(run);
    const x = linear(0, span, left, WIDTH - 20);
    const y = linear(0, 100, bottom, top);
    const body = [...timeAxis(x, span, top, bottom)];
    for (const tick of [0, 25, 50, 75, 100]) {
        body.push(`<line x1="${left}" y1="${n(y(tick))}" x2="${WIDTH - 20}" y2="${n(y(tick))}" stroke="${GRID}"/>`, text(left - 8, y(tick) + 4, `${tick}%`, `text-anchor="end" class="tick"`));
    }
    body.push(`<line x1="${left}" y1="${bottom}" x2="${WIDTH - 20}" y2="${bottom}" stroke="${AXIS}"/>`, `<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="${AXIS}"/>`);
    for (const { region, index } of regions) {
        const style = regionStyle(index);
        const [first, ...rest] = region.weights;
        const d = [`M${n(x(first.atMinutes))} ${n(y(first.weight))}`, ...rest.map((p) => `H${n(x(p.atMinutes))} V${n(y(p.weight))}`)].join(" ");
        body.push(withTooltip(`<path d="${d}" fill="none" stroke="${style.stroke}" stroke-width="2.5"${style.dash ? ` stroke-dasharray="${style.dash}"` : ""} class="weight-line"/>`, `${region.region}: ${region.to ?? "new color"} ${region.weights.map((p) => `${p.weight}% at ${offset(p.atMinutes)}`).join(", ")}`));
        for (const look of region.looks) {
            const cx = x(look.atMinutes);
            const cy = y(look.weight);
            const tooltip = `${region.region}: gate look ${look.look} at ${look.weight}%, ${offset(look.atMinutes)}: ${look.verdict}${look.findings.length ? ` (${look.findings.map((f) => f.message).join("; ")})` : ""}`;
            body.push(withTooltip(lookMarker(look.verdict, cx, cy, style.stroke), tooltip));
        }
    }
    body.push(
        ...legend(
            [
                ...regions.map(({ region, index }) => ({
                    swatch: `<line x1="0" y1="6" x2="16" y2="6" stroke="${regionStyle(index).stroke}" stroke-width="2.5"${regionStyle(index).dash ? ` stroke-dasharray="${regionStyle(index).dash}"` : ""}/>`,
                    label: region.region,
                })),
                { swatch: lookMarker("pass", 7, 6, AXIS), label: "gate passed" },
                { swatch: lookMarker("inconclusive", 7, 6, AXIS), label: "inconclusive" },
                { swatch: lookMarker("fail", 7, 6, AXIS), label: "gate failed" },
            ],
            bottom + 30,
            10,
        ),
    );
    const description = regions.map(({ region }) => `${region.region}: ${region.weights.map((p) => `${p.weight}% at ${offset(p.atMinutes)}`).join(", ")}`).join(". ");
    return svg({ id: "weights", width: WIDTH, height: bottom + 50, title: "Share of traffic on the new color over time, with the gate's looks", description }, body);
}

/** pass: filled circle; inconclusive: hollow square; fail: a red cross. */
export function lookMarker(verdict: string, cx: number, cy: number, color: string): string {
    if (verdict === "pass") return `<circle cx="${n(cx)}" cy="${n(cy)}" r="4" fill="${color}" class="look pass"/>`;
    if (verdict === "fail") {
        return `<path d="M${n(cx - 5)} ${n(cy - 5)} L${n(cx + 5)} ${n(cy + 5)} M${n(cx - 5)} ${n(cy + 5)} L${n(cx + 5)} ${n(cy - 5)}" stroke="${FAILED}" stroke-width="3" class="look fail"/>`;
    }
    return `<rect x="${n(cx - 4)}" y="${n(cy - 4)}" width="8" height="8" fill="#fff" stroke="${escapeXml(color)}" stroke-width="2" class="look inconclusive"/>`;
}
