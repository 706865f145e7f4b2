/**
 * `render`, `diff` and `policy`: the credential-free view of a change, for pull requests from forks.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { MiB, readInputFile } from "../../stacks/inputFile";
import { evaluatePolicies } from "../../policy/graph";
import { diffMarkdown, diffStacks } from "../programs/diff";
import { BadInputError } from "../core/errors";
import { RenderedStack, renderEnv } from "../programs/render";
import { committedEnvs, committedStacks } from "../programs/committedStacks";

export function checkEnv(env: string, stacksDir?: string): void {
    const known = committedEnvs(stacksDir);
    if (!known.includes(env)) throw new BadInputError(`unknown env "${env}": known envs are ${known.join(", ")}`);
}

export async function renderCommand(env: string, stack: string | undefined, out: string, stacksDir?: string): Promise<{ env: string; out: string; stacks: { stack: string; resources: number; file: string }[] }> {
    checkEnv(env, stacksDir);
    const stacks = committedStacks(env, stacksDir);
    if (stack && !stacks.includes(stack)) throw new BadInputError(`unknown stack "${stack}" in env ${env}: its stacks are ${stacks.join(", ")}`);
    if (existsSync(out) && !statSync(out).isDirectory()) throw new BadInputError(`--out ${out} is not a directory`);
    const rendered = await renderEnv(env, stack, stacksDir);
    try {
        mkdirSync(out, { recursive: true });
    } catch (error) {
        throw new BadInputError(`--out ${out} cannot be created: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    return {
        env,
        out,
        stacks: rendered.map((graph) => {
            const file = path.join(out, `${graph.stack}.json`);
            writeFileSync(file, JSON.stringify(graph, null, 2) + "\n");
            return { stack: graph.stack, resources: graph.resources.length, file };
        }),
    };
}

/** Every `<stack>.json` of a render directory. */
export function readRenders(dir: string): RenderedStack[] {
    let files: string[];
    try {
        files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
    } catch (error) {
        throw new BadInputError(`cannot read render directory ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    return files.map((file) => {
        const full = path.join(dir, file);
        let graph: RenderedStack;
        try {
            graph = JSON.parse(readInputFile(full, 256 * MiB)) as RenderedStack;
        } catch (error) {
            throw new BadInputError(`${full} is not valid JSON: ${(error as Error).message}`);
        }
        if (typeof graph?.stack !== "string" || !Array.isArray(graph.resources)) throw new BadInputError(`${full} is not a render (expected "stack" and "resources")`);
        return graph;
    });
}

export function diffCommand(baseDir: string, headDir: string) {
    const diffs = diffStacks(readRenders(baseDir), readRenders(headDir));
    return { diffs, markdown: diffMarkdown(diffs) };
}

export async function policyCommand(target: { env?: string; dir?: string; stacksDir?: string }) {
    if (target.env && target.dir) throw new BadInputError("give either --env or a render directory, not both");
    if (!target.env && !target.dir) throw new BadInputError("give --env ENV or a render directory");
    if (target.env) checkEnv(target.env, target.stacksDir);
    const graphs = target.env ? await renderEnv(target.env, undefined, target.stacksDir) : readRenders(target.dir!);
    if (graphs.length === 0) throw new BadInputError(`no rendered stacks in ${target.dir}: render them first (mitene render --env E --out ${target.dir})`);
    const violations = await evaluatePolicies(graphs);
    return { stacks: graphs.map((g) => g.stack), violations, mandatory: violations.filter((v) => v.level === "mandatory").length };
}
