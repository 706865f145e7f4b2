/**
 * Markdown report of a `mitene upgrade|ops-upgrade|rollback|discard|halt|resume --json` run, for the pull request that
 * commits the stack files the run changed and for the job summary (.github/workflows/run-driver.yml).
 *
 *   node --import tsx .github/scripts/upgrade-report.ts --kind upgrade --env prod --to 1.35 \
 *        --result result.json --exit-code 0 [--details report.md] --out pr-body.md
 *
 * writes the report to --out, appends it to $GITHUB_STEP_SUMMARY and `result=<word>` to $GITHUB_OUTPUT.
 * `--to` is for the two upgrades only. `--details`: the run's own report (`mitene report --format md`, with its
 * Mermaid timeline), included when the file exists and fits. The result file is the driver's one JSON document
 * (CONTRACT: whatever the exit code, through `npx`; test/cli/invocations.test.ts runs this step's command line):
 * a run's result, or `{ "error", "exitCode" }` when it stopped before one. It is empty only when the process
 * was killed: the report then says so. Pure logic in `report`, tested in test/workflows/scripts.test.ts.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";

export const KINDS = ["upgrade", "ops-upgrade", "rollback", "discard", "halt", "resume"] as const;
export type Kind = (typeof KINDS)[number];

export interface ReportContext {
    kind: Kind;
    env: string;
    /** Target version: upgrade and ops-upgrade only. */
    to?: string;
    exitCode: number;
    /** Link to the workflow run, when known. */
    runUrl?: string;
    /** `mitene report --format md` of the run, when it could be made. */
    details?: string;
}

/** What each exit code of the CLI contract means (docs/cli.md). */
export const EXIT_CODES: Record<number, string> = {
    0: "done",
    1: "ran and did not succeed (a gate failed and traffic went back, a blocking preflight finding, or a timeout)",
    2: "bad input: nothing was changed",
    3: "another run holds this env's lease: nothing was changed",
    4: "a stack has pending operations from an interrupted update: nothing was changed; dispatch again with `recover`",
    130: "cancelled (SIGINT): the running operation was stopped cleanly; dispatch again to go on",
    143: "cancelled (SIGTERM, e.g. the job was cancelled): the running operation was stopped cleanly; dispatch again to go on",
};

/** GitHub refuses pull-request bodies above 65,536 characters. */
export const MAX_BODY = 60_000;
/** The run's report gets at most half of the body; a longer one goes to the job summary only. */
export const MAX_DETAILS = MAX_BODY / 2;

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
    /** The driver stopped before it had a result (bad input, a lease held, ...): what it said. */
    error?: string;
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

/** One word for titles and outputs: the driver's `result`, `error` when it stopped before one, or `no-result`. */
export function resultWord(result: RunResult | undefined): string {
    if (typeof result?.result === "string" && /^[a-z_]+$/.test(result.result)) return result.result;
    return typeof result?.error === "string" ? "error" : "no-result";
}

/** What the reader should do with the stack files of the pull request. */
export function closingNote(word: string, exitCode: number): string {
    if (exitCode >= 2 && exitCode <= 4) return "Nothing was changed, so there are no stack files to commit.";
    if (word === "completed" || word === "nothing_to_do" || (word === "rolled_back" && exitCode === 0)) return "The stack files in this pull request are what the run left deployed: merge it so the repository says what runs.";
    if (word === "paused") return "**Paused for approval.** The new color carries the traffic share asked for and its gate passed; the run's approval job continues to 100% once a reviewer of the env's `-approval` environment approves it. The stack files here are what is deployed now: the approval job (or a rollback) updates this pull request.";
    return "**The run did not complete.** The stack files in this pull request are still what it left deployed (the driver keeps them in step with the stacks): merge them, or the next run starts from stale config. See the journal artifact of the run.";
}

/** The stop-the-line switch lives beside the env's lease, in no stack file: what it now says. */
export function switchNote(word: string, exitCode: number): string {
    if (exitCode !== 0) return "The switch was not changed: see the job log.";
    if (word === "halted") return "**The line is stopped.** Every running upgrade of the env stops at its next step and ends `halted`; rollback and discard still work. Dispatch this workflow with `resume` to lift it.";
    if (word === "already_halted") return "The line was already stopped; the first halt stands (see `halt` in the JSON result).";
    if (word === "resumed") return "The line is running again: the next upgrade goes on from where the halt left it.";
    return "The line was not stopped: nothing changed.";
}

const gates = (steps: RegionResult["steps"]) => (steps ?? []).map((s) => `${cell(s.weight)}% ${cell(s.gate)}`).join(", ");

export function title(context: ReportContext): string {
    const env = `\`${cell(context.env)}\``;
    switch (context.kind) {
        case "upgrade":
            return `Blue/green upgrade of ${env} to Kubernetes ${cell(context.to)}`;
        case "ops-upgrade":
            return `In-place upgrade of the Ops cluster of ${env} to Kubernetes ${cell(context.to)}`;
        case "rollback":
            return `Rollback in ${env}`;
        case "discard":
            return `Discard of a kept cluster in ${env}`;
        case "halt":
            return `Stop the line in ${env}`;
        case "resume":
            return `Resume the line in ${env}`;
    }
}

export function report(text: string, context: ReportContext): string {
    const result = parseResult(text);
    const word = resultWord(result);
    const lines: string[] = [`## ${title(context)}: **${word}**`, ""];
    const facts = [`exit code ${context.exitCode} (${EXIT_CODES[context.exitCode] ?? "unexpected"})`];
    if (typeof result?.durationMinutes === "number") facts.push(`${result.durationMinutes} minutes`);
    if (context.runUrl) facts.push(`[workflow run](${context.runUrl})`);
    lines.push(facts.join(" · "), "");

    if (!result) {
        lines.push("The driver printed no JSON result (it was killed); see the job log and the journal artifact of the run.", "");
    } else if (typeof result.error === "string") {
        lines.push(`The driver stopped: ${cell(result.error)}`, "");
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
    lines.push(context.kind === "halt" || context.kind === "resume" ? switchNote(word, context.exitCode) : closingNote(word, context.exitCode), "");
    // The run's own report has the timeline as a chart; the table is the fallback without it.
    if (context.details && context.details.length <= MAX_DETAILS) lines.push(context.details.trim(), "");
    else if (context.details) lines.push(`The run's report (${context.details.length} characters) is too long for this description: it is in the job summary.`, "");
    else if (result?.timeline && result.timeline.length > 0) {
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

function optional(argv: string[], name: string): string | undefined {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? argv[at + 1] : undefined;
}

function option(argv: string[], name: string): string {
    const value = optional(argv, name);
    if (value === undefined) throw new Error(`missing --${name}`);
    return value;
}

const readIfThere = (file: string | undefined) => (file && existsSync(file) ? readFileSync(file, "utf8") : "");

function main(argv: string[]): void {
    const kind = option(argv, "kind");
    if (!(KINDS as readonly string[]).includes(kind)) throw new Error(`--kind must be one of ${KINDS.join(", ")}, not ${kind}`);
    const file = option(argv, "result");
    const exitCode = Number(option(argv, "exit-code"));
    const details = readIfThere(optional(argv, "details"));
    const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = process.env;
    const body = report(readIfThere(file), {
        kind: kind as Kind,
        env: option(argv, "env"),
        to: kind === "upgrade" || kind === "ops-upgrade" ? option(argv, "to") : optional(argv, "to"),
        exitCode: Number.isInteger(exitCode) ? exitCode : -1,
        runUrl: server && repo && run ? `${server}/${repo}/actions/runs/${run}` : undefined,
        details: details.trim() === "" ? undefined : details,
    });
    writeFileSync(option(argv, "out"), body);
    if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, details.length > MAX_DETAILS ? `${body}\n${details}\n` : body);
    const word = resultWord(parseResult(readIfThere(file)));
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
