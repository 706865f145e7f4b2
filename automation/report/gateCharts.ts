/**
 * Each gate look's figures against their thresholds, one small chart per figure the gate judges: the new
 * color's value at every look (marked by its verdict), the threshold as a dashed line, and the old color's
 * value, where the gate compared with it, as a dotted grey line. Looks are grouped into their traffic steps.
 */
import { METRIC_COLUMNS, MetricColumn } from "./format";
import { Metrics, Thresholds } from "./journal";
import { GateLook, RegionModel } from "./model";
import { lookMarker, regionStyle } from "./charts";
import { linear, n, svg, text, ticks, withTooltip } from "./svg";
import { count } from "../core/wording";

const WIDTH = 232;
const HEIGHT = 160;
const LEFT = 54;
const RIGHT = 12;
const TOP = 26;
const BOTTOM = 150;
const THRESHOLD = "#b3261e";
const BASELINE = "#7a7a7a";

interface Figure {
    column: MetricColumn;
    value: (m: Metrics) => number | null;
    threshold: (t: Thresholds) => number | undefined;
    /** Whether the threshold is a floor (requests) rather than a ceiling. */
    floor: boolean;
    axis: (v: number) => string;
}

const column = (key: MetricColumn["key"]) => METRIC_COLUMNS.find((c) => c.key === key)!;

const FIGURES: Figure[] = [
    { column: column("errorRate"), value: (m) => m.errorRate, threshold: (t) => t.maxErrorRate, floor: false, axis: (v) => `${Number((v * 100).toPrecision(3))}%` },
    { column: column("p99Ms"), value: (m) => m.p99Ms, threshold: (t) => t.maxP99Ms, floor: false, axis: (v) => `${v} ms` },
    { column: column("unhealthyHosts"), value: (m) => m.unhealthyHosts, threshold: (t) => t.maxUnhealthyHosts, floor: false, axis: (v) => String(v) },
    { column: column("requests"), value: (m) => m.requests, threshold: (t) => t.minRequests, floor: true, axis: (v) => String(v) },
];

/** Looks of the same step side by side, with a band and the step's weight above them. */
function stepBands(looks: GateLook[], x: (i: number) => number, half: number): string[] {
    const out: string[] = [];
    let start = 0;
    looks.forEach((look, i) => {
        if (i + 1 < looks.length && looks[i + 1].weight === look.weight) return;
        const x0 = x(start) - half;
        const x1 = x(i) + half;
        const shade = out.length % 4 === 0 ? "#f3f6fa" : "#ffffff";
        out.push(`<rect x="${n(x0)}" y="${TOP}" width="${n(x1 - x0)}" height="${BOTTOM - TOP}" fill="${shade}"/>`, text((x0 + x1) / 2, TOP - 6, `${look.weight}%`, `text-anchor="middle" class="tick"`));
        start = i + 1;
    });
    return out;
}

function figureChart(region: RegionModel, regionIndex: number, figure: Figure): string {
    const looks = region.looks;
    const values = looks.map((l) => figure.value(l.measured));
    const limits = looks.map((l) => figure.threshold(l.thresholds));
    const baselines = looks.map((l) => (l.baseline ? figure.value(l.baseline) : null));
    const top = Math.max(...[...values, ...limits, ...baselines].filter((v): v is number => typeof v === "number"), 0);
    const yTicks = ticks(top * 1.1 || 1, 4);
    const y = linear(0, yTicks[yTicks.length - 1], BOTTOM, TOP);
    const half = Math.min(14, (WIDTH - LEFT - RIGHT) / Math.max(looks.length, 1) / 2);
    const x = linear(0, Math.max(looks.length - 1, 1), LEFT + half, WIDTH - RIGHT - half);
    const xOf = (i: number) => (looks.length === 1 ? (LEFT + WIDTH - RIGHT) / 2 : x(i));
    const body = [...stepBands(looks, xOf, half)];
    for (const tick of yTicks) {
        body.push(`<line x1="${LEFT}" y1="${n(y(tick))}" x2="${WIDTH - RIGHT}" y2="${n(y(tick))}" stroke="#e3e3e3"/>`, text(LEFT - 6, y(tick) + 4, figure.axis(tick), `text-anchor="end" class="tick"`));
    }
    body.push(`<line x1="${LEFT}" y1="${BOTTOM}" x2="${WIDTH - RIGHT}" y2="${BOTTOM}" stroke="#555"/>`);
    // The threshold at each look (it can change between steps when the stack file's gate changes).
    const limitPath = limits.map((limit, i) => (limit === undefined ? "" : `M${n(xOf(i) - half)} ${n(y(limit))} H${n(xOf(i) + half)}`)).join(" ");
    if (limitPath.trim()) body.push(`<path d="${limitPath}" stroke="${THRESHOLD}" stroke-width="2" stroke-dasharray="5 3" fill="none" class="threshold"/>`);
    const line = (points: (number | null)[], attributes: string) => {
        const d = points.map((v, i) => (v === null ? "" : `${i === 0 || points[i - 1] === null ? "M" : "L"}${n(xOf(i))} ${n(y(v))}`)).join(" ").trim();
        return d ? [`<path d="${d}" fill="none" ${attributes}/>`] : [];
    };
    body.push(...line(baselines, `stroke="${BASELINE}" stroke-width="1.5" stroke-dasharray="2 3" class="baseline"`));
    body.push(...line(values, `stroke="${regionStyle(regionIndex).stroke}" stroke-width="1.5" class="measured"`));
    looks.forEach((look, i) => {
        const value = values[i];
        if (value === null) return;
        const limit = limits[i];
        const tooltip = `${region.region} ${look.weight}% look ${look.look}: ${figure.column.title} ${figure.column.value(look.measured)}${limit === undefined ? "" : `, threshold ${figure.column.limit(look.thresholds)}`}${baselines[i] !== null && look.baseline ? `, old color ${figure.column.value(look.baseline)}` : ""}; gate ${look.verdict}`;
        body.push(withTooltip(lookMarker(look.verdict, xOf(i), y(value), regionStyle(regionIndex).stroke), tooltip));
    });
    const breached = values.filter((value, i) => {
        const limit = limits[i];
        return value !== null && limit !== undefined && (figure.floor ? value < limit : value > limit);
    }).length;
    const description = `${figure.column.title} of ${region.region}'s new color at each gate look: ${looks.map((l) => `${l.weight}% look ${l.look} ${figure.column.value(l.measured)}`).join(", ")}. ${breached} of ${count(looks.length, "look")} ${figure.floor ? "below" : "above"} the threshold.`;
    return svg({ id: `gate-${region.region}-${figure.column.key}`, width: WIDTH, height: HEIGHT, title: `${region.region}: ${figure.column.title} at each gate look, against its threshold`, description, className: "chart small" }, body);
}

export interface GateChart {
    /** What the chart shows, with its threshold: "error rate (≤ 1.00%)". */
    caption: string;
    svg: string;
}

/** The four charts of a region, or none when its gate never looked. */
export function gateCharts(region: RegionModel, regionIndex: number): GateChart[] {
    const last = region.looks.at(-1);
    if (!last) return [];
    return FIGURES.map((figure) => {
        const limit = figure.column.limit(last.thresholds);
        return { caption: `${figure.column.title}${limit ? ` (${limit})` : ""}`, svg: figureChart(region, regionIndex, figure) };
    });
}
