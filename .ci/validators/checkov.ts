/**
 * checkov over the rendered Kubernetes manifests and the GitHub workflows, judged against .ci/waivers.yaml.
 *
 *   node --import tsx .ci/validators/checkov.ts --checkov <checkov binary> --waivers .ci/waivers.yaml \
 *        --scan kubernetes=out/ci/manifests --scan github_actions=.github/workflows
 *
 * Each scan is one checkov process (they run side by side) with `--skip-download`: checkov otherwise asks
 * its vendor's API for guidelines, which is neither reachable nor needed. Exit 1 when a failed check is not
 * waived or a waiver is stale, 2 when checkov itself fails or reports parsing errors (a file it could not
 * read was not checked, which must not pass silently).
 *
 * Finding subjects: the workflow file for github_actions (`.github/workflows/upgrade.yml`), checkov's resource
 * id for kubernetes (`Secret.argocd.cluster-mitene-prod-usw2-blue`).
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { Finding, judge, printJudged, readWaivers } from "./waivers";

export interface CheckovFailure {
    check_id: string;
    check_name: string;
    resource: string;
    repo_file_path?: string;
    file_path: string;
    file_line_range?: [number, number];
}

interface CheckovReport {
    check_type: string;
    results: { failed_checks?: CheckovFailure[] };
    summary: { passed: number; failed: number; parsing_errors: number; resource_count?: number };
}

export const FRAMEWORKS = ["kubernetes", "github_actions"] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/**
 * checkov's JSON: one report per framework, or a list of them; with nothing to scan it prints a bare summary
 * (no `results`), which counts as zero checks.
 */
export function parseReports(text: string): CheckovReport[] {
    const parsed = JSON.parse(text) as unknown;
    const reports = (Array.isArray(parsed) ? parsed : [parsed]) as Partial<CheckovReport>[];
    return reports.map((report) => ({
        check_type: report.check_type ?? "none",
        results: report.results ?? {},
        summary: { passed: 0, failed: 0, parsing_errors: 0, ...(report.summary ?? {}) },
    }));
}

export function findingOf(framework: Framework, failure: CheckovFailure): Finding {
    const subject = framework === "github_actions" ? (failure.repo_file_path ?? failure.file_path).replace(/^\//, "") : failure.resource;
    const lines = failure.file_line_range ? ` (lines ${failure.file_line_range[0]}-${failure.file_line_range[1]})` : "";
    return { validator: "checkov", rule: failure.check_id, subject, message: `${failure.check_name.trim()}: ${failure.resource}${lines}` };
}

export function parseScan(arg: string): { framework: Framework; dir: string } {
    const [framework, dir] = arg.split("=", 2);
    if (!FRAMEWORKS.includes(framework as Framework) || !dir) throw new Error(`--scan ${arg}: expected ${FRAMEWORKS.join("|")}=<dir>`);
    return { framework: framework as Framework, dir };
}

function run(checkov: string, framework: Framework, dir: string): Promise<CheckovReport[]> {
    return new Promise((resolve, reject) => {
        const child = spawn(checkov, ["--directory", dir, "--framework", framework, "--skip-download", "--output", "json", "--quiet", "--compact"], { stdio: ["ignore", "pipe", "pipe"] });
        const [out, err]: Buffer[][] = [[], []];
        child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
        child.on("error", reject);
        child.on("close", (code) => {
            // checkov exits 1 when a check fails: that is data here; anything else is checkov failing.
            if (code !== 0 && code !== 1) return reject(new Error(`checkov ${framework} ${dir} exited ${code}: ${Buffer.concat(err).toString().trim().slice(-2000)}`));
            try {
                resolve(parseReports(Buffer.concat(out).toString()));
            } catch (error) {
                reject(new Error(`checkov ${framework} ${dir}: unreadable output (${(error as Error).message})`));
            }
        });
    });
}

async function main(argv: string[]): Promise<boolean> {
    const values = (name: string) => argv.flatMap((arg, i) => (arg === name && argv[i + 1] && !argv[i + 1].startsWith("--") ? [argv[i + 1]] : []));
    const [checkov, waiverFiles, scans] = [values("--checkov"), values("--waivers"), values("--scan").map(parseScan)];
    if (checkov.length !== 1 || waiverFiles.length !== 1 || scans.length === 0) {
        throw new Error("usage: checkov.ts --checkov <bin> --waivers <file> --scan <framework>=<dir> [--scan ...]");
    }
    const waivers = readWaivers(waiverFiles[0]);
    const results = await Promise.all(scans.map(async ({ framework, dir }) => ({ framework, dir, reports: await run(checkov[0], framework, dir) })));
    const findings: Finding[] = [];
    for (const { framework, dir, reports } of results) {
        const passed = reports.reduce((n, r) => n + r.summary.passed, 0);
        const parsingErrors = reports.reduce((n, r) => n + r.summary.parsing_errors, 0);
        if (parsingErrors > 0) throw new Error(`checkov ${framework}: ${parsingErrors} files in ${dir} could not be parsed`);
        const failed = reports.flatMap((r) => r.results.failed_checks ?? []);
        if (passed + failed.length === 0) throw new Error(`checkov ${framework}: no check ran on ${path.resolve(dir)}`);
        process.stdout.write(`checkov ${framework} ${dir}: ${passed} passed, ${failed.length} failed\n`);
        findings.push(...failed.map((failure) => findingOf(framework, failure)));
    }
    return printJudged("checkov", judge("checkov", findings, waivers), (line) => process.stdout.write(`${line}\n`));
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (ok) => (process.exitCode = ok ? 0 : 1),
        (error: Error) => {
            process.stderr.write(`checkov: ${error.message}\n`);
            process.exitCode = 2;
        },
    );
}
