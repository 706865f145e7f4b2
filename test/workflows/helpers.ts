/**
 * Shared by the workflow tests: the workflow files parsed, small accessors, and an evaluator for the `if:`
 * expressions they use, so conditions are tested by evaluating them.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export const ROOT = path.resolve(__dirname, "../..");
export const WORKFLOWS = path.join(ROOT, ".github/workflows");

export type Json = Record<string, unknown>;

export interface Step {
    name?: string;
    id?: string;
    if?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}

export interface Job {
    name?: string;
    if?: string;
    needs?: string | string[];
    "runs-on"?: string;
    "timeout-minutes"?: number;
    environment?: string | { name: string };
    permissions?: Record<string, string>;
    strategy?: { matrix?: unknown };
    env?: Record<string, string>;
    outputs?: Record<string, string>;
    /** Absent on a job that calls a reusable workflow (`uses`, `with`, `secrets`). */
    steps: Step[];
    uses?: string;
    with?: Record<string, string>;
    secrets?: Record<string, string>;
    concurrency?: unknown;
}

export interface Workflow {
    name: string;
    on: Json;
    permissions?: Record<string, string>;
    env?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress": boolean | string };
    jobs: Record<string, Job>;
}

function load(file: string): Workflow {
    const workflow = parse(readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;
    // A job calling a reusable workflow has no steps of its own: an empty list keeps the helpers simple.
    for (const job of Object.values(workflow.jobs)) job.steps ??= [];
    return workflow;
}

export const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
export const text = (file: string) => readFileSync(path.join(WORKFLOWS, file), "utf8");
export const all = Object.fromEntries(files.map((f) => [f, load(f)])) as Record<string, Workflow>;
export const ci = all["ci.yml"];
export const preview = all["preview.yml"];
export const comment = all["preview-comment.yml"];
export const upgrade = all["upgrade.yml"];
export const opsUpgrade = all["ops-upgrade.yml"];
export const rollback = all["rollback.yml"];
export const discard = all["discard.yml"];
export const runDriver = all["run-driver.yml"];
export const deploy = all["deploy.yml"];
export const deployEnv = all["deploy-env.yml"];
export const stopTheLine = all["stop-the-line.yml"];
export const packageJson = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };

export const triggers = (w: Workflow) => Object.keys(w.on).sort();
export const jobsOf = (w: Workflow) => Object.entries(w.jobs);
export const stepsUsing = (job: Job, action: string) => job.steps.filter((s) => s.uses?.split("@")[0] === action);
export const stepUsing = (job: Job, action: string): Step => {
    const found = stepsUsing(job, action);
    assert.equal(found.length > 0, true, `a step uses ${action}`);
    return found[found.length - 1];
};
export const step = (job: Job, predicate: (s: Step) => boolean): Step => {
    const found = job.steps.find(predicate);
    assert.ok(found, "the step exists");
    return found;
};
export const runs = (job: Job) => job.steps.map((s) => s.run ?? "").join("\n");
export const indexOf = (job: Job, predicate: (s: Step) => boolean) => job.steps.findIndex(predicate);
export const everyJob = () => files.flatMap((f) => jobsOf(all[f]).map(([id, job]) => ({ file: f, id, job })));

// ---------------------------------------------------------------------------------------------------------
// A small evaluator for the expressions the workflows use (contexts, '...' strings, == != && || ! (), and the
// functions startsWith, endsWith and format), with GitHub's semantics: `a && b` and `a || b` yield an operand,
// so `cond && 'x' || 'y'` picks a value. Conditions and computed values are tested by evaluating them.

type Token = { kind: "id" | "str" | "op"; value: string };

function tokenize(expression: string): Token[] {
    const tokens: Token[] = [];
    const pattern = /\s*(?:(==|!=|&&|\|\||!|\(|\)|,)|'((?:[^']|'')*)'|([A-Za-z_][\w.-]*(?:\[[^\]]*\])?(?:\.[\w-]+)*))/y;
    let match: RegExpExecArray | null;
    let position = 0;
    while (position < expression.length && (match = pattern.exec(expression)) !== null) {
        if (match[1] !== undefined) tokens.push({ kind: "op", value: match[1] });
        else if (match[2] !== undefined) tokens.push({ kind: "str", value: match[2].replace(/''/g, "'") });
        else tokens.push({ kind: "id", value: match[3] });
        position = pattern.lastIndex;
        if (/^\s*$/.test(expression.slice(position))) break;
    }
    if (!/^\s*$/.test(expression.slice(position))) throw new Error(`cannot parse expression at: ${expression.slice(position)}`);
    return tokens;
}

const FUNCTIONS: Record<string, (...args: (string | boolean)[]) => string | boolean> = {
    startsWith: (text, prefix) => String(text).toLowerCase().startsWith(String(prefix).toLowerCase()),
    endsWith: (text, suffix) => String(text).toLowerCase().endsWith(String(suffix).toLowerCase()),
    format: (template, ...args) => String(template).replace(/\{(\d+)\}/g, (_, n: string) => String(args[Number(n)])),
};

/** The expression's value (a string or a boolean). */
export function evaluateValue(expression: string, context: Record<string, string>): string | boolean {
    const tokens = tokenize(expression.trim().replace(/^\$\{\{|\}\}$/g, ""));
    let i = 0;
    const peek = () => tokens[i];
    const value = (): string | boolean => {
        const token = tokens[i++];
        if (token.kind === "str") return token.value;
        if (token.kind === "id" && peek()?.value === "(") {
            const fn = FUNCTIONS[token.value];
            if (!fn) throw new Error(`the test evaluator has no function ${token.value}`);
            i++;
            const args: (string | boolean)[] = [];
            while (peek()?.value !== ")") {
                args.push(or());
                if (peek()?.value === ",") i++;
            }
            i++;
            return fn(...args);
        }
        if (token.kind === "id") {
            if (token.value === "true" || token.value === "false") return token.value === "true";
            if (!(token.value in context)) throw new Error(`no value for ${token.value} in the test context`);
            return context[token.value];
        }
        if (token.value === "(") {
            const inner = or();
            assert.equal(tokens[i++]?.value, ")");
            return inner;
        }
        if (token.value === "!") return !truthy(value());
        throw new Error(`unexpected ${token.value}`);
    };
    const comparison = (): string | boolean => {
        const left = value();
        const op = peek();
        if (op?.kind === "op" && (op.value === "==" || op.value === "!=")) {
            i++;
            const right = value();
            return op.value === "==" ? left === right : left !== right;
        }
        return left;
    };
    const and = (): string | boolean => {
        let left = comparison();
        while (peek()?.value === "&&") {
            i++;
            const right = comparison();
            left = truthy(left) ? right : left;
        }
        return left;
    };
    const or = (): string | boolean => {
        let left = and();
        while (peek()?.value === "||") {
            i++;
            const right = and();
            left = truthy(left) ? left : right;
        }
        return left;
    };
    const result = or();
    assert.equal(i, tokens.length, `the whole expression was read: ${expression}`);
    return result;
}

const truthy = (v: string | boolean) => v !== "" && v !== false;

/** A string with `${{ ... }}` parts (a label, a name) with each part evaluated. */
export const interpolate = (text: unknown, context: Record<string, string>) => String(text).replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, e: string) => String(evaluateValue(e, context)));

/** Whether an `if:` condition holds. */
export const evaluate = (expression: string, context: Record<string, string>) => truthy(evaluateValue(expression, context));

/** GitHub's path-filter globs: `**` crosses directories, `*` does not. */
export function globToRegExp(glob: string): RegExp {
    const source = glob
        .split("**")
        .map((part) => part.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]"))
        .join(".*");
    return new RegExp(`^${source}$`);
}

/** Inputs of a dispatched workflow. */
export const dispatchInputs = (w: Workflow) =>
    (w.on.workflow_dispatch as { inputs: Record<string, { type: string; required?: boolean; options?: string[]; default?: unknown }> }).inputs;

/** Runs a `run:` script with bash -e and only the given environment (plus PATH); true when it exits 0. */
export function bashSucceeds(script: string, env: Record<string, string>): boolean {
    try {
        execFileSync("bash", ["-e", "-c", script], { env: { PATH: process.env.PATH, ...env }, stdio: "pipe" });
        return true;
    } catch {
        return false;
    }
}

/** The same, returning what the script appended to $GITHUB_OUTPUT as name -> value. */
export function bashOutputs(script: string, env: Record<string, string>, outputFile: string): Record<string, string> {
    execFileSync("bash", ["-e", "-c", script], { env: { PATH: process.env.PATH, GITHUB_OUTPUT: outputFile, ...env }, stdio: "pipe" });
    const lines = readFileSync(outputFile, "utf8").trimEnd().split("\n");
    return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
}

/** Every job, in every workflow, that calls the reusable workflow `uses` ("./.github/workflows/run-driver.yml"). */
export const callers = (uses: string) => everyJob().filter(({ job }) => job.uses === uses);

/**
 * Every value a `with:` value of a call can take: a literal, or one built from `${{ inputs.<name> }}` parts of the
 * caller's workflow_dispatch choice inputs (one value per combination of their options). Anything it cannot
 * enumerate fails, so that a new kind of caller is looked at rather than passed over.
 */
export function possibleValues(w: Workflow, value: string): string[] {
    const inputs = (w.on.workflow_dispatch as { inputs?: Record<string, { type: string; options?: string[] }> } | undefined)?.inputs ?? {};
    return value.split(/(\$\{\{.*?\}\})/).reduce<string[]>(
        (values, part) => {
            const input = /^\$\{\{\s*inputs\.([\w-]+)\s*\}\}$/.exec(part)?.[1];
            assert.ok(input !== undefined || !part.includes("${{"), `${w.name}: cannot enumerate the values of ${part}`);
            const options = input === undefined ? [part] : inputs[input]?.type === "choice" ? inputs[input].options!.map(String) : undefined;
            assert.ok(options, `${w.name}: ${part} is not a choice input of its workflow_dispatch`);
            return values.flatMap((prefix) => options.map((option) => prefix + option));
        },
        [""],
    );
}
