/**
 * Markdown report of a `mitene upgrade --json` or `mitene ops-upgrade --json` run, for the pull request that
 * commits the stack files the run changed and for the job summary (.github/workflows/upgrade.yml and
 * ops-upgrade.yml).
 *
 *   node --import tsx .github/scripts/upgrade-report.ts --kind upgrade --env prod --to 1.35 \
 *        --result result.json --exit-code 0 --out pr-body.md
 *
 * writes the report to --out, appends it to $GITHUB_STEP_SUMMARY and `result=<word>` to $GITHUB_OUTPUT.
 * The result file may be empty or not JSON (the driver prints nothing on stdout for bad input): the report
 * then says so. Pure logic in `report`, tested in test/workflows/workflows.test.ts.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";

export type Kind = "upgrade" | "ops-upgrade";

export interface ReportContext {
    kind: Kind;
    env: string;
    to: string;
    exitCode: number;
    /** Link to the workflow run, when known. */
    runUrl?: string;
}

/** What each exit code of the CLI contract means (CONTRACT.md). */
export const EXIT_CODES: Record<number, string> = {
    0: "done",
    1: "ran and did not succeed (a gate failed and traffic went back, a blocking preflight finding, or a timeout)",
    2: "bad input: nothing was changed",
    3: "another run holds this env's lease: nothing was changed",
    4: "a stack has pending operations from an interrupted update: nothing was changed; dispatch again with `recover`",
};

/** GitHub refuses pull-request bodies above 65,536 characters. */
export const MAX_BODY = 60_000;

interface RegionResult {
    region?: string;
    from?: string;
    to?: string;
    result?: string;
    reason?: string | null;
    steps?: { weight?: number; gate?: string }[];
}

interface StageResult {
    stage?: string;
    result?: string;
    detail?: string;
}

interface TimelineEntry {
    atMinutes?: number;
    region?: string | null;
    event?: string;
}

interface RunResult {
    result?: string;
    regions?: RegionResult[];
    stages?: StageResult[];
    durationMinutes?: number;
    timeline?: TimelineEntry[];
}

/** A table cell: one line, no column breaks, no HTML. */
export function cell(value: string | number | boolean | null | undefined): string {
    if (value === undefined || value === null || value === "") return "";
    return String(value).replace(/[\r\n]+/g, " ").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A fenced block whose fence is longer than any backtick run inside it. */
export function fenced(text: string, lang = ""): string {
    const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
    const fence = "`".repeat(longest + 1);
    return `${fence}${lang}\n${text}\n${fence}`;
}

export function parseResult(text: string): RunResult | undefined {
    if (text.trim() === "") return undefined;
    try {
        const value: unknown = JSON.parse(text);
        return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
    } catch {
        return undefined;
    }
}

/** One word for titles and outputs: the driver's `result`, or `no-result`. */
export function resultWord(result: RunResult | undefined): string {
    return typeof result?.result === "string" && /^[a-z_]+$/.test(result.result) ? result.result : "no-result";
}

/** What the reader should do with the stack files of the pull request. */
export function closingNote(word: string, exitCode: number): string {
    if (exitCode >= 2 && exitCode <= 4) return "Nothing was changed, so there are no stack files to commit.";
    if (word === "completed" || word === "nothing_to_do") return "The stack files in this pull request are what the run left deployed: merge it so the repository says what runs.";
    return "**The run did not complete.** The stack files in this pull request are still what it left deployed (the driver keeps them in step with the stacks): merge them, or the next run starts from stale config. See the journal artifact of the run.";
}

const gates = (steps: RegionResult["steps"]) => (steps ?? []).map((s) => `${cell(s.weight)}% ${cell(s.gate)}`).join(", ");

export function report(text: string, context: ReportContext): string {
    const result = parseResult(text);
    const word = resultWord(result);
    const what = context.kind === "upgrade" ? "Blue/green upgrade" : "In-place upgrade of the Ops cluster";
    const lines: string[] = [`## ${what} of \`${cell(context.env)}\` to Kubernetes ${cell(context.to)}: **${word}**`, ""];
    const facts = [`exit code ${context.exitCode} (${EXIT_CODES[context.exitCode] ?? "unexpected"})`];
    if (typeof result?.durationMinutes === "number") facts.push(`${result.durationMinutes} minutes`);
    if (context.runUrl) facts.push(`[workflow run](${context.runUrl})`);
    lines.push(facts.join(" · "), "");

    if (!result) {
        lines.push("The driver printed no JSON result; see the job log and the journal artifact of the run.", "");
    }
    if (result?.regions && result.regions.length > 0) {
        lines.push("| region | colors | result | gates | reason |", "|---|---|---|---|---|");
        for (const r of result.regions) {
            lines.push(`| ${cell(r.region)} | ${cell(r.from)} → ${cell(r.to)} | ${cell(r.result)} | ${gates(r.steps)} | ${cell(r.reason)} |`);
        }
        lines.push("");
    }
    if (result?.stages && result.stages.length > 0) {
        lines.push("| stage | result | detail |", "|---|---|---|");
        for (const s of result.stages) lines.push(`| ${cell(s.stage)} | ${cell(s.result)} | ${cell(s.detail)} |`);
        lines.push("");
    }
    lines.push(closingNote(word, context.exitCode), "");
    if (result?.timeline && result.timeline.length > 0) {
        lines.push("<details><summary>Timeline</summary>", "", "| minute | region | event |", "|---:|---|---|");
        for (const t of result.timeline) lines.push(`| ${cell(t.atMinutes)} | ${cell(t.region)} | ${cell(t.event)} |`);
        lines.push("", "</details>", "");
    }
    let body = lines.join("\n");
    if (result) {
        const json = fenced(JSON.stringify(result, null, 2), "json");
        const details = `<details><summary>JSON result</summary>\n\n${json}\n\n</details>\n`;
        body += body.length + details.length <= MAX_BODY ? details : "The JSON result is too long for this description: it is in the journal artifact of the run.\n";
    }
    if (body.length > MAX_BODY) body = body.slice(0, MAX_BODY) + "\n\n_(truncated)_\n";
    return body;
}

function option(argv: string[], name: string): string {
    const at = argv.indexOf(`--${name}`);
    const value = at >= 0 ? argv[at + 1] : undefined;
    if (value === undefined) throw new Error(`missing --${name}`);
    return value;
}

function main(argv: string[]): void {
    const kind = option(argv, "kind");
    if (kind !== "upgrade" && kind !== "ops-upgrade") throw new Error(`--kind must be upgrade or ops-upgrade, not ${kind}`);
    const file = option(argv, "result");
    const exitCode = Number(option(argv, "exit-code"));
    const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = process.env;
    const body = report(existsSync(file) ? readFileSync(file, "utf8") : "", {
        kind,
        env: option(argv, "env"),
        to: option(argv, "to"),
        exitCode: Number.isInteger(exitCode) ? exitCode : -1,
        runUrl: server && repo && run ? `${server}/${repo}/actions/runs/${run}` : undefined,
    });
    writeFileSync(option(argv, "out"), body);
    if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, body);
    const word = resultWord(parseResult(existsSync(file) ? readFileSync(file, "utf8") : ""));
    if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, `result=${word}\n`);
    else process.stdout.write(`result=${word}\n`);
}

if (require.main === module) {
    try {
        main(process.argv.slice(2));
    } catch (error) {
        process.stderr.write(`upgrade-report: ${(error as Error).message}\n`);
        process.exit(1);
    }
}
