/**
 * `plan --write`: every pin the ledger says must move for the target, moved to the version it chose, in the
 * catalog files only (components/upstream/charts.ts holds each chart's pinned version and where it was found
 * published; components/addonCatalog.ts the Kubernetes range the project runs it on). No stack file holds a
 * chart pin today. Returns the diff; the files are edited in place, nothing else is touched.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CHART_COMPATIBILITY } from "../../components/upstream/compatibility";
import { compareMinor } from "../../components/kubernetesVersions";
import { ChartName } from "../../components/upstream/charts";
import { PINNED_CHARTS } from "./ledger";
import { LedgerItem } from "./types";

export interface ChartBump {
    upstream: ChartName;
    /** Add-on names whose range widens (one chart may serve several). */
    addons: string[];
    from: string;
    to: string;
    published: string;
    /** The lowest minor the release supports (its read range): the project range never starts below it. */
    kubernetesMin: string;
    /** The project range ends at the target: the first minor staging runs it on. */
    kubernetesMax: string;
}

/** The bumps the ledger chose: one per chart, from the blocking add-on items that have a version to move to. */
export function bumpsOf(ledger: readonly LedgerItem[], target: string): ChartBump[] {
    const bumps = new Map<ChartName, ChartBump>();
    for (const item of ledger.filter((i) => i.kind === "addon" && i.moveTo && i.severity === "blocking")) {
        const chart = PINNED_CHARTS.find((c) => c.name === item.item)!;
        const release = CHART_COMPATIBILITY[chart.upstream].newer.find((r) => r.version === item.moveTo)!;
        const bump = bumps.get(chart.upstream) ?? {
            upstream: chart.upstream,
            addons: [],
            from: chart.version,
            to: release.version,
            published: release.published,
            kubernetesMin: release.supports!.min,
            kubernetesMax: target,
        };
        if (!bump.addons.includes(chart.name)) bump.addons.push(chart.name);
        bumps.set(chart.upstream, bump);
    }
    return [...bumps.values()];
}

/** The text of charts.ts with `bump` applied to its chart's entry (version and where it was found published). */
export function bumpChartsText(text: string, bump: ChartBump): string {
    const key = /^[a-z]+$/.test(bump.upstream) ? `    ${bump.upstream}: {` : `    "${bump.upstream}": {`;
    const start = text.indexOf(key);
    if (start < 0) throw new Error(`components/upstream/charts.ts has no entry ${bump.upstream}`);
    const end = text.indexOf("\n    },\n", start);
    const entry = text.slice(start, end);
    const next = entry
        .replace(`version: "${bump.from}",`, `version: "${bump.to}",`)
        .replace(/\n {8}published: [^\n]*,\n/, `\n        published: ${JSON.stringify(`${bump.to}: ${bump.published}; chosen by mitene plan --write for Kubernetes ${bump.kubernetesMax}, values keys to re-read`)},\n`);
    if (!next.includes(`version: "${bump.to}",`)) throw new Error(`components/upstream/charts.ts: the entry ${bump.upstream} does not pin ${bump.from}`);
    return text.slice(0, start) + next + text.slice(end);
}

/** The text of addonCatalog.ts with each bumped add-on's range within the release's: from the later of both minimums to `kubernetesMax`. */
export function widenCatalogText(text: string, bump: ChartBump): string {
    let out = text;
    for (const addon of bump.addons) {
        const at = out.search(new RegExp(`name: "${addon}",`));
        if (at < 0) throw new Error(`components/addonCatalog.ts has no add-on ${addon}`);
        const range = /kubernetes: \{ min: "(1\.\d+)", max: "(1\.\d+)" \}/g;
        range.lastIndex = at;
        const match = range.exec(out)!;
        const min = compareMinor(match[1], bump.kubernetesMin) >= 0 ? match[1] : bump.kubernetesMin;
        out = out.slice(0, match.index) + `kubernetes: { min: "${min}", max: "${bump.kubernetesMax}" }` + out.slice(match.index + match[0].length);
    }
    return out;
}

/** A minimal unified diff of two texts, changed lines only with their line numbers. */
export function lineDiff(file: string, before: string, after: string): string {
    const a = before.split("\n");
    const b = after.split("\n");
    const lines = [`--- a/${file}`, `+++ b/${file}`];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
        if (a[i] === b[i]) continue;
        lines.push(`@@ line ${i + 1} @@`);
        if (a[i] !== undefined) lines.push(`-${a[i]}`);
        if (b[i] !== undefined) lines.push(`+${b[i]}`);
    }
    return lines.length > 2 ? lines.join("\n") : "";
}

/** The only files `--write` edits (the plan workflow refuses a bump that touches any other). */
export const CATALOG_FILES = { charts: "components/upstream/charts.ts", catalog: "components/addonCatalog.ts" } as const;

/** Applies the bumps to the catalog files under `root`; returns the diff (empty when nothing moved). */
export function writeBumps(root: string, bumps: readonly ChartBump[]): string {
    const files = CATALOG_FILES;
    const before = { charts: readFileSync(path.join(root, files.charts), "utf8"), catalog: readFileSync(path.join(root, files.catalog), "utf8") };
    let charts = before.charts;
    let catalog = before.catalog;
    for (const bump of bumps) {
        charts = bumpChartsText(charts, bump);
        catalog = widenCatalogText(catalog, bump);
    }
    if (charts !== before.charts) writeFileSync(path.join(root, files.charts), charts);
    if (catalog !== before.catalog) writeFileSync(path.join(root, files.catalog), catalog);
    return [lineDiff(files.charts, before.charts, charts), lineDiff(files.catalog, before.catalog, catalog)].filter(Boolean).join("\n");
}
