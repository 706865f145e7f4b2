/**
 * The committed stack files of an env, in the order they are first deployed (StackReferences point
 * backwards): what the sim and local engines seed an empty state from, and what `render` renders.
 */
import { parseStackName } from "../../components/naming";
import { listStacks } from "../../stacks/stackFiles";

const ORDER = { ops: 0, region: 1, cluster: 2 } as const;

/** Committed stacks of `env`, in deployment order. */
export function committedStacks(env: string, stacksDir?: string): string[] {
    return listStacks(stacksDir)
        .map((name) => ({ name, id: parseStackName(name) }))
        .filter((s) => s.id?.env === env)
        .sort((a, b) => ORDER[a.id!.kind] - ORDER[b.id!.kind] || a.name.localeCompare(b.name))
        .map((s) => s.name);
}

/** Envs that have committed stack files. */
export function committedEnvs(stacksDir?: string): string[] {
    return [...new Set(listStacks(stacksDir).map((s) => parseStackName(s)?.env).filter((e): e is string => !!e))].sort();
}
