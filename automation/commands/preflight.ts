/**
 * `mitene preflight`: the checks alone, for the service clusters' blue/green upgrade or (--ops) the Ops
 * cluster's in-place one. Nothing is changed; exit 1 if any finding blocks.
 */
import { openEngine } from "../engines/open";
import { EngineIo, EngineOptions } from "../engines/options";
import { BadInputError } from "../core/errors";
import { selectRegions } from "../engines/facts";
import { parseVersion } from "../core/options";
import { envCalendar, preflightBlueGreen, preflightInPlace } from "../preflight/checks";
import { PreflightFinding, blockingFindings } from "../preflight/finding";
import { CalendarRow } from "../plan/calendar";
import { snapshotFromEngine } from "../plan/snapshot";
import { checkNotDowngrade } from "./upgrade";
import { checkInPlaceTarget } from "./opsUpgrade";
import { orderOverride } from "./orderOverride";
import { resultHeadline } from "../core/wording";

export interface PreflightFlags extends EngineOptions {
    env: string;
    to?: string;
    region: string[];
    ops?: boolean;
    skipOrderCheck?: string;
    enforceOrder?: boolean;
}

export interface PreflightReport {
    env: string;
    to: string;
    mode: "blue-green" | "in-place";
    result: "pass" | "blocked";
    findings: PreflightFinding[];
    /** Where every cluster of the env stands in EKS's calendar today. */
    calendar: CalendarRow[];
}

export async function preflightCommand(flags: PreflightFlags, io: EngineIo): Promise<PreflightReport> {
    if (flags.to === undefined) throw new BadInputError("--to is required (the target Kubernetes version)");
    const to = parseVersion("--to", flags.to, io.warn);
    let regions: string[] = [];
    const ports = await openEngine(flags, flags.env, io, {
        readOnly: true,
        validate: (facts) => {
            if (flags.ops) return checkInPlaceTarget(facts, to);
            regions = selectRegions(facts, flags.region);
            checkNotDowngrade(facts, regions, to);
        },
    });
    const context = { skipOrderCheck: orderOverride(flags) };
    const findings = flags.ops ? await preflightInPlace(ports, flags.env, to, context) : await preflightBlueGreen(ports, flags.env, to, regions, context);
    findings.sort((a, b) => compareSeverity(a, b) || a.id.localeCompare(b.id));
    const calendar = envCalendar(await snapshotFromEngine(ports.engine, flags.env), new Date().toISOString().slice(0, 10));
    return { env: flags.env, to, mode: flags.ops ? "in-place" : "blue-green", result: blockingFindings(findings).length ? "blocked" : "pass", findings, calendar };
}

const compareSeverity = (a: PreflightFinding, b: PreflightFinding) => (a.severity === b.severity ? 0 : a.severity === "blocking" ? -1 : 1);


export function formatPreflight(report: PreflightReport): string {
    const lines = [`preflight of ${report.env} to Kubernetes ${report.to} (${report.mode}): ${resultHeadline(report.result)}`];
    for (const row of report.calendar) {
        lines.push(`  ${row.cluster.padEnd(24)} ${row.version.padEnd(6)} ${row.phase.padEnd(9)} standard support until ${row.endOfStandardSupport ?? "?"}${row.datesVerified ? "" : " (UNVERIFIED dates)"}`);
    }
    if (report.findings.length === 0) lines.push("  no findings");
    for (const f of report.findings) lines.push(`  ${f.severity.padEnd(8)} [${f.id}] ${f.message}`);
    return lines.join("\n");
}
