/**
 * The project's table of deprecated and removed Kubernetes APIs (automation/preflight/apiDeprecations.ts, which
 * preflight judges the graphs by) against pluto's (`pluto list-versions -o json`).
 *
 *   node --import tsx .ci/validators/apiVersions.ts --pluto pluto.json --waivers .ci/waivers.yaml \
 *        --render out/render/prod [--render out/render/staging ...]
 *
 * Compared: every API version (apiVersion and kind) the rendered graphs create, every row of the project's
 * table, and every row of pluto's for Kubernetes itself that still matters on the oldest EKS version the
 * project knows. A difference in the minor of deprecation or removal, or a row only one side has, is a
 * finding; exit 1 when one is neither fixed nor waived, or a waiver is stale.
 *
 * Not compared: the APIs inside Helm charts (the graph holds the release, not the chart's objects).
 */
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import type { RenderedStack } from "../../automation/programs/render";
import { API_DEPRECATIONS, ApiDeprecation, kubernetesApiOf } from "../../automation/preflight/apiDeprecations";
import { EKS_VERSIONS, compareMinor } from "../../components/kubernetesVersions";
import { Finding, judge, printJudged, readWaivers } from "./waivers";

/** One row of pluto's versions file. */
export interface PlutoRow {
    version: string;
    kind: string;
    "deprecated-in": string;
    "removed-in": string;
    "replacement-api": string;
    component: string;
}

/** A table row reduced to what is compared: minors as `1.25`, null for "not scheduled". */
export interface Lifecycle {
    deprecatedIn: string | null;
    removedIn: string | null;
}

export const apiKey = (apiVersion: string, kind: string) => `${apiVersion} ${kind}`;

/** `v1.25.0` -> `1.25`; "" -> null. Anything else is not a version pluto writes: refuse it. */
export function plutoMinor(version: string): string | null {
    if (version === "") return null;
    const match = version.match(/^v?(\d+)\.(\d+)(?:\.\d+)?$/);
    if (!match) throw new Error(`pluto version "${version}" is not vX.Y.Z`);
    return `${match[1]}.${match[2]}`;
}

export function parsePluto(text: string): PlutoRow[] {
    const rows = (JSON.parse(text) as { "deprecated-versions"?: unknown })["deprecated-versions"];
    if (!Array.isArray(rows) || rows.length === 0) throw new Error("not the output of `pluto list-versions -o json`: no deprecated-versions");
    return rows as PlutoRow[];
}

/** Pluto lists some APIs twice (e.g. under two components); they must agree, or the table is ambiguous. */
function plutoTable(rows: PlutoRow[]): Map<string, Lifecycle> {
    const table = new Map<string, Lifecycle>();
    for (const row of rows) {
        const key = apiKey(row.version, row.kind);
        const lifecycle = { deprecatedIn: plutoMinor(row["deprecated-in"]), removedIn: plutoMinor(row["removed-in"]) };
        const seen = table.get(key);
        if (seen && (seen.deprecatedIn !== lifecycle.deprecatedIn || seen.removedIn !== lifecycle.removedIn)) {
            throw new Error(`pluto lists ${key} twice with different versions`);
        }
        table.set(key, lifecycle);
    }
    return table;
}

function projectTable(rows: readonly ApiDeprecation[]): Map<string, Lifecycle> {
    return new Map(rows.map((row) => [apiKey(row.apiVersion, row.kind), { deprecatedIn: row.deprecatedIn, removedIn: row.removedIn }]));
}

const show = (minor: string | null) => minor ?? "never";

/** The findings for one API: where the two tables disagree about it (nothing when neither lists it). */
export function compareApi(key: string, project: Lifecycle | undefined, pluto: Lifecycle | undefined, where: string): Finding[] {
    const finding = (rule: string, message: string): Finding => ({ validator: "pluto", rule, subject: key, message: `${message} (${where})` });
    if (!project && !pluto) return [];
    if (!pluto) return [finding("missing-in-pluto", `the project deprecates it in ${show(project!.deprecatedIn)}, removed ${show(project!.removedIn)}; pluto does not list it`)];
    if (!project) return [finding("missing-in-project", `pluto: deprecated in ${show(pluto.deprecatedIn)}, removed in ${show(pluto.removedIn)}; the project's table does not list it`)];
    const findings: Finding[] = [];
    if (project.deprecatedIn !== pluto.deprecatedIn) findings.push(finding("deprecated-in", `deprecated in ${show(project.deprecatedIn)} says the project, ${show(pluto.deprecatedIn)} says pluto`));
    if (project.removedIn !== pluto.removedIn) findings.push(finding("removed-in", `removed in ${show(project.removedIn)} says the project, ${show(pluto.removedIn)} says pluto`));
    return findings;
}

/** A pluto row of Kubernetes' own APIs that the project's table must also have: still served on `oldest`. */
export function mattersFrom(oldest: string, key: string, row: Lifecycle, component: string): boolean {
    if (component !== "k8s" || key.endsWith("List")) return false;
    return row.removedIn === null || compareMinor(row.removedIn, oldest) > 0;
}

export interface Comparison {
    /** API versions of the graphs, with the stacks that create them. */
    graphApis: Map<string, Set<string>>;
    findings: Finding[];
}

export function compareTables(graphs: RenderedStack[], plutoRows: PlutoRow[], projectRows: readonly ApiDeprecation[], oldestMinor: string): Comparison {
    const pluto = plutoTable(plutoRows);
    const project = projectTable(projectRows);
    const graphApis = new Map<string, Set<string>>();
    for (const graph of graphs) {
        for (const resource of graph.resources) {
            const api = kubernetesApiOf(resource.type);
            if (!api) continue;
            const key = apiKey(api.apiVersion, api.kind);
            graphApis.set(key, (graphApis.get(key) ?? new Set()).add(graph.stack));
        }
    }
    const reasons = new Map<string, string>();
    for (const [key, stacks] of graphApis) reasons.set(key, `created by ${[...stacks].sort().join(", ")}`);
    for (const key of project.keys()) if (!reasons.has(key)) reasons.set(key, "a row of the project's table");
    const components = new Map(plutoRows.map((row) => [apiKey(row.version, row.kind), row.component]));
    for (const [key, row] of pluto) {
        if (!reasons.has(key) && mattersFrom(oldestMinor, key, row, components.get(key) ?? "")) reasons.set(key, `pluto: still served on EKS ${oldestMinor}`);
    }
    const findings = [...reasons].sort(([a], [b]) => a.localeCompare(b)).flatMap(([key, where]) => compareApi(key, project.get(key), pluto.get(key), where));
    return { graphApis, findings };
}

function readGraphs(dirs: string[]): RenderedStack[] {
    return dirs.flatMap((dir) => {
        const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
        if (files.length === 0) throw new Error(`${dir}: no rendered stacks (*.json)`);
        return files.map((f) => JSON.parse(readFileSync(path.join(dir, f), "utf8")) as RenderedStack);
    });
}

function main(argv: string[]): boolean {
    const values = (name: string) => argv.flatMap((arg, i) => (arg === name && argv[i + 1] && !argv[i + 1].startsWith("--") ? [argv[i + 1]] : []));
    const [pluto, waivers, renders] = [values("--pluto"), values("--waivers"), values("--render")];
    if (pluto.length !== 1 || waivers.length !== 1 || renders.length === 0) {
        throw new Error("usage: apiVersions.ts --pluto <pluto list-versions -o json> --waivers <file> --render <dir> [--render <dir> ...]");
    }
    const oldest = EKS_VERSIONS[0].version;
    const { graphApis, findings } = compareTables(readGraphs(renders), parsePluto(readFileSync(pluto[0], "utf8")), API_DEPRECATIONS, oldest);
    const write = (line: string) => process.stdout.write(`${line}\n`);
    write(`pluto: API versions created by the rendered graphs: ${[...graphApis.keys()].sort().join(", ")}`);
    write(`pluto: compared with the project's table (${API_DEPRECATIONS.length} rows) and pluto's rows still served on EKS ${oldest}; Helm charts' own objects are not in the graphs`);
    return printJudged("pluto", judge("pluto", findings, readWaivers(waivers[0])), write);
}

if (require.main === module) {
    try {
        process.exitCode = main(process.argv.slice(2)) ? 0 : 1;
    } catch (error) {
        process.stderr.write(`apiVersions: ${(error as Error).message}\n`);
        process.exitCode = 2;
    }
}
