/**
 * Which stacks a pull request can change, for the preview workflow (.github/workflows/preview.yml).
 *
 *   node --import tsx .github/scripts/affected-stacks.ts --base <git ref>
 *
 * reads `git diff --name-status -z <base> HEAD` and the stack files at HEAD, and appends to $GITHUB_OUTPUT
 * (or prints, without it):
 *   matrix  {"include":[{"stack":"region-prod-us-west-2","env":"prod"}, ...]}  for `strategy.matrix`
 *   envs    ["prod"]                                   the envs to render credential-free
 *   any     true | false                               whether there is anything to preview
 *   removed ["mitene-prod-us-west-2-blue"]             stack files the pull request deletes
 *   by-env  {"prod":["ops-prod","region-prod-us-west-2"]}   per env, in deployment order (deploy.yml)
 * A stack whose name carries no env belongs to no env's account: it is listed, never previewed or deployed.
 *
 * The rules: a changed stack file affects its stack; any other change the stack programs read (their
 * sources under stacks/, components/, the policy pack, Pulumi.yaml, the dependencies) affects every stack.
 * Other files (docs, the driver, tests) affect none. Pure logic in `affectedStacks`, tested in
 * test/workflows/workflows.test.ts.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync } from "node:fs";
import { parseStackName } from "../../components/naming";
import { listStacks } from "../../stacks/stackFiles";

export interface Change {
    /** `git diff --name-status` letter: A, M, D, T, U (renames are off, so a rename is a D and an A). */
    status: string;
    path: string;
}

export interface AffectedStack {
    stack: string;
    /** The env from the stack name; "" when the name follows none of the project's patterns. */
    env: string;
}

export interface Affected {
    /** Whether a change reaches every stack (and which file decided it). */
    all: boolean;
    reason: string;
    stacks: AffectedStack[];
    envs: string[];
    removed: string[];
}

/** Stack files: `stacks/Pulumi.<stack>.yaml` (`stackConfigDir: stacks` in Pulumi.yaml). */
const STACK_FILE = /^stacks\/Pulumi\.([^/]+)\.yaml$/;

/**
 * Paths whose change reaches every stack: the programs, their libraries, the policy pack, the dependencies.
 * Keep in step with `on.pull_request.paths` of preview.yml (a test checks that each is covered).
 */
const EVERY_STACK: RegExp[] = [
    /^stacks\//, // the stack programs and config schema (stack files are matched first)
    /^components\//,
    /^policy\//,
    /^Pulumi\.yaml$/,
    /^package(-lock)?\.json$/,
];

export function stackOfPath(file: string): string | undefined {
    return file.match(STACK_FILE)?.[1];
}

export function reachesEveryStack(file: string): boolean {
    return stackOfPath(file) === undefined && EVERY_STACK.some((pattern) => pattern.test(file));
}

/** `git diff --name-status --no-renames -z` output: status and path, each ended by a NUL. */
export function parseNameStatus(text: string): Change[] {
    const fields = text.split("\0");
    if (fields[fields.length - 1] === "") fields.pop();
    if (fields.length % 2 !== 0) throw new Error("unexpected git diff output: odd number of fields");
    const changes: Change[] = [];
    for (let i = 0; i < fields.length; i += 2) {
        const [status, file] = [fields[i].trim(), fields[i + 1]];
        // T (type change) and U (unmerged) count as modifications; C/R do not occur with --no-renames.
        if (!/^[ADMTU]$/.test(status) || file === "") throw new Error(`unexpected git diff entry: ${JSON.stringify(`${status} ${file}`)}`);
        changes.push({ status, path: file });
    }
    return changes;
}

const envOf = (stack: string) => parseStackName(stack)?.env ?? "";

/**
 * `changes`: the pull request's files; `headStacks`: the stacks whose files exist at its head. A deleted
 * stack file is reported in `removed`, never previewed (there is no config left to preview it with).
 */
export function affectedStacks(changes: Change[], headStacks: string[]): Affected {
    const head = new Set(headStacks);
    const global = changes.find((change) => reachesEveryStack(change.path));
    const removed = changes
        .filter((change) => change.status === "D")
        .map((change) => stackOfPath(change.path))
        .filter((stack): stack is string => stack !== undefined && !head.has(stack));
    const named = changes.map((change) => stackOfPath(change.path)).filter((stack): stack is string => stack !== undefined && head.has(stack));
    const chosen = global ? [...head] : [...new Set(named)];
    const stacks = chosen.sort().map((stack) => ({ stack, env: envOf(stack) }));
    return {
        all: global !== undefined,
        reason: global ? `${global.path} changed: every stack` : stacks.length > 0 ? "changed stack files" : "no stack is affected",
        stacks,
        envs: [...new Set(stacks.map((s) => s.env).filter((env) => env !== ""))].sort(),
        removed: [...new Set(removed)].sort(),
    };
}

const DEPLOY_ORDER = { ops: 0, region: 1, cluster: 2 } as const;

/** The affected stacks of each env in the order they are first deployed (StackReferences point backwards). */
export function stacksByEnv(affected: Affected): Record<string, string[]> {
    const rank = (stack: string) => DEPLOY_ORDER[parseStackName(stack)!.kind];
    return Object.fromEntries(affected.envs.map((env) => [env, affected.stacks.filter((s) => s.env === env).map((s) => s.stack).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))]));
}

/** Markdown for the job summary. */
export function summary(affected: Affected): string {
    const lines = [`### Affected stacks: ${affected.reason}`, ""];
    for (const s of affected.stacks) lines.push(`- \`${s.stack}\`${s.env === "" ? " (no env in its name: no account to preview or deploy it in)" : ""}`);
    if (affected.removed.length > 0) lines.push("", `Stack files removed (not previewed): ${affected.removed.map((s) => `\`${s}\``).join(", ")}`);
    return lines.join("\n") + "\n";
}

/** `name=value` lines for $GITHUB_OUTPUT (every value is one line of JSON or a bare word). */
export function githubOutputs(affected: Affected): string {
    const owned = affected.stacks.filter((s) => s.env !== "");
    const lines = [
        `matrix=${JSON.stringify({ include: owned })}`,
        `envs=${JSON.stringify(affected.envs)}`,
        `any=${owned.length > 0}`,
        `removed=${JSON.stringify(affected.removed)}`,
        `by-env=${JSON.stringify(stacksByEnv(affected))}`,
    ];
    return lines.join("\n") + "\n";
}

function main(argv: string[]): void {
    const at = argv.indexOf("--base");
    const base = at >= 0 ? argv[at + 1] : undefined;
    if (!base || base.startsWith("-")) throw new Error("usage: affected-stacks.ts --base <git ref>");
    // execFile, not a shell: the ref is passed as one argument, `--` ends git's options.
    const diff = execFileSync("git", ["diff", "--name-status", "--no-renames", "-z", base, "HEAD", "--"], { encoding: "utf8" });
    const affected = affectedStacks(parseNameStatus(diff), listStacks());
    process.stderr.write(`${affected.reason}: ${affected.stacks.map((s) => s.stack).join(", ") || "none"}\n`);
    if (affected.removed.length > 0) process.stderr.write(`removed stack files (not previewed): ${affected.removed.join(", ")}\n`);
    if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, summary(affected));
    const outputs = githubOutputs(affected);
    if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, outputs);
    else process.stdout.write(outputs);
}

if (require.main === module) {
    try {
        main(process.argv.slice(2));
    } catch (error) {
        process.stderr.write(`affected-stacks: ${(error as Error).message}\n`);
        process.exit(1);
    }
}
