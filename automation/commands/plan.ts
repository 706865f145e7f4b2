/**
 * `mitene plan`: the next version cycle of an env, changing nothing (docs/cli.md). `--write` then moves the pins
 * the ledger chose in the catalog files and returns the diff; `--markdown FILE` writes the ledger for a pull
 * request's body.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { compareMinor } from "../../components/kubernetesVersions";
import { openEngine } from "../engines/open";
import { EngineIo, EngineOptions } from "../engines/options";
import { BadInputError } from "../core/errors";
import { parseVersion } from "../core/options";
import { ledgerMarkdown } from "../plan/format";
import { scanManifests } from "../plan/manifests";
import { PlanReport, buildPlan } from "../plan/plan";
import { snapshotEnv } from "../plan/snapshot";
import { ChartBump, bumpsOf, writeBumps } from "../plan/write";
import { outTarget } from "./report";

/** The repository whose catalog files `--write` edits. */
const REPOSITORY_ROOT = path.resolve(__dirname, "..", "..");

export interface PlanFlags extends EngineOptions {
    env: string;
    to?: string;
    at?: string;
    manifests?: string;
    write?: boolean;
    markdown?: string;
}

export type PlanOutcome = PlanReport & { written: { bumps: ChartBump[]; diff: string } | null };

/** `--at`: a real calendar date, yyyy-mm-dd. */
export function parseDate(flag: string, value: string): string {
    const time = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
    // 2026-02-30 parses too (as March 2nd): a real date is one that prints back as itself.
    const valid = !Number.isNaN(time) && new Date(time).toISOString().startsWith(value);
    if (!valid) throw new BadInputError(`${flag} "${value}" is not a date like 2026-12-04`);
    return value;
}

export async function planCommand(flags: PlanFlags, io: EngineIo, today = new Date().toISOString().slice(0, 10)): Promise<PlanOutcome> {
    const to = flags.to === undefined ? undefined : parseVersion("--to", flags.to, io.warn);
    const at = flags.at === undefined ? today : parseDate("--at", flags.at);
    const manifestsDir = flags.manifests === undefined ? undefined : path.resolve(io.cwd, flags.manifests);
    // Checked before anything runs; the plan itself goes to stdout.
    const markdownFile = flags.markdown === undefined ? undefined : outTarget(flags.markdown, io.cwd, "--markdown");
    if (markdownFile === null) throw new BadInputError(`--markdown "${flags.markdown}": give a file (the plan itself is printed on stdout)`);
    const scan = manifestsDir === undefined ? undefined : scanManifests(manifestsDir);
    const ports = await openEngine(flags, flags.env, io, {
        readOnly: true,
        validate: (facts) => {
            const above = Object.entries(facts.servingVersions).filter(([, version]) => to !== undefined && compareMinor(to, version) < 0);
            if (above.length > 0) throw new BadInputError(`--to ${to} is lower than Kubernetes ${above[0][1]} running in ${above[0][0]}: downgrades are not supported`);
        },
    });
    const snapshot = await snapshotEnv(ports.engine, flags.env, ports.stacksDir);
    if (!snapshot) throw new BadInputError(`unknown env "${flags.env}"`);
    const nowMs = flags.at === undefined ? ports.clock.now() : Date.parse(`${at}T00:00:00Z`);
    const plan = await buildPlan(ports, snapshot, { env: flags.env, to, at, nowMs, manifests: scan && manifestsDir ? { dir: flags.manifests!, scan } : undefined });
    let written: PlanOutcome["written"] = null;
    if (flags.write) {
        const bumps = bumpsOf(plan.ledger, plan.to);
        written = { bumps, diff: writeBumps(REPOSITORY_ROOT, bumps) };
    }
    if (markdownFile) writeFileSync(markdownFile, ledgerMarkdown(plan));
    return { ...plan, written };
}
