/**
 * `mitene preflight`: the checks alone, for the service clusters' blue/green upgrade or (--ops) the Ops
 * cluster's in-place one. Nothing is changed; exit 1 if any finding blocks.
 */
import { openEngine } from "../engines/open";
import { EngineIo, EngineOptions } from "../engines/options";
import { BadInputError } from "../core/errors";
import { selectRegions } from "../engines/facts";
import { parseVersion } from "../core/options";
import { PreflightFinding, blockingFindings, preflightBlueGreen, preflightInPlace } from "../preflight/checks";
import { checkNotDowngrade } from "./upgrade";
import { checkInPlaceTarget } from "./opsUpgrade";
import { resultHeadline } from "../core/wording";

export interface PreflightFlags extends EngineOptions {
    env: string;
    to?: string;
    region: string[];
    ops?: boolean;
}

export interface PreflightReport {
    env: string;
    to: string;
    mode: "blue-green" | "in-place";
    result: "pass" | "blocked";
    findings: PreflightFinding[];
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
    const findings = flags.ops ? await preflightInPlace(ports, flags.env, to) : await preflightBlueGreen(ports, flags.env, to, regions);
    findings.sort((a, b) => compareSeverity(a, b) || a.id.localeCompare(b.id));
    return { env: flags.env, to, mode: flags.ops ? "in-place" : "blue-green", result: blockingFindings(findings).length ? "blocked" : "pass", findings };
}

const compareSeverity = (a: PreflightFinding, b: PreflightFinding) => (a.severity === b.severity ? 0 : a.severity === "blocking" ? -1 : 1);

export function formatPreflight(report: PreflightReport): string {
    const lines = [`preflight of ${report.env} to Kubernetes ${report.to} (${report.mode}): ${resultHeadline(report.result)}`];
    if (report.findings.length === 0) lines.push("  no findings");
    for (const f of report.findings) lines.push(`  ${f.severity.padEnd(8)} [${f.id}] ${f.message}`);
    return lines.join("\n");
}

