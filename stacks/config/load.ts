/**
 * Reads a stack's `mitene:` configuration once and validates it against the stack program's schema. Every
 * problem is reported at once, each with its key, so a broken stack file is fixed in one round.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ACCESS_VARIABLE, AccessError, EnvRoles, RunIdentity, accessProblem, envRoleProblems, parseAccess, runIdentity } from "./access";

export const CONFIG_NAMESPACE = "mitene";

export class ConfigError extends Error {
    constructor(readonly stack: string, readonly problems: string[]) {
        super(`stack ${stack} has invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

export interface ParseOptions<K extends string> {
    /** Keys that hold credentials: they must be Pulumi secrets and come back as secret Outputs. */
    secretKeys?: K[];
    /** Whether a fully qualified key (`mitene:x`) is stored encrypted. */
    isSecret?: (key: string) => boolean;
}

/** Structured values are stored as JSON strings; scalars stay strings and the schema converts them. */
function decode(key: string, value: string, problems: string[]): unknown {
    const trimmed = value.trim();
    if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return value;
    try {
        return JSON.parse(trimmed);
    } catch {
        problems.push(`${key}: not valid JSON`);
        return undefined;
    }
}

/** `["services", 1, "port"]` -> `mitene:services[1].port`, the way an SRE finds it in the stack file. */
function formatPath(path: PropertyKey[]): string {
    if (path.length === 0) return CONFIG_NAMESPACE;
    const [first, ...rest] = path;
    return `${CONFIG_NAMESPACE}:${String(first)}` + rest.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
}

/** `, got "yes"`: the value a problem is about, when it is a short scalar and no credential. */
function given(values: Record<string, unknown>, path: PropertyKey[], secretKeys: string[]): string {
    if (path.length === 0 || secretKeys.includes(String(path[0]))) return "";
    let value: unknown = values;
    for (const step of path) value = value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[step] : undefined;
    if (typeof value === "string" && value.length <= 60) return `, got ${JSON.stringify(value)}`;
    return typeof value === "number" || typeof value === "boolean" ? `, got ${String(value)}` : "";
}

export type WithSecrets<T, K extends string> = Omit<T, K> & { [P in K & keyof T]?: pulumi.Output<string> };

/**
 * Validates `raw` (fully qualified keys as `pulumi.runtime.allConfig()` returns them) against `schema`.
 * Keys of other namespaces (`aws:`, `pulumi:`) are ignored; unknown `mitene:` keys are errors (typos).
 */
export function parseStackConfig<S extends z.ZodType, K extends string = never>(
    stack: string,
    schema: S,
    raw: Record<string, string>,
    options: ParseOptions<K> = {},
): WithSecrets<z.output<S>, K> {
    const problems: string[] = [];
    const values: Record<string, unknown> = {};
    const prefix = `${CONFIG_NAMESPACE}:`;
    for (const [key, value] of Object.entries(raw)) {
        if (!key.startsWith(prefix)) continue;
        values[key.slice(prefix.length)] = decode(key, value, problems);
    }
    for (const key of options.secretKeys ?? []) {
        if (values[key] !== undefined && options.isSecret && !options.isSecret(prefix + key)) {
            problems.push(`${prefix}${key}: holds a credential and must be a secret (pulumi config set --secret ${key})`);
        }
    }
    const result = schema.safeParse(values);
    if (!result.success) {
        for (const issue of result.error.issues) {
            if (issue.code === "unrecognized_keys") {
                // One problem per unknown key, at the key itself: `mitene:argocd.gitopsPaht: unknown key`.
                for (const key of issue.keys) problems.push(`${formatPath([...issue.path, key])}: unknown key (a typo?)`);
            } else {
                problems.push(`${formatPath(issue.path)}: ${issue.message}${given(values, issue.path, options.secretKeys ?? [])}`);
            }
        }
    }
    if (problems.length > 0 || !result.success) throw new ConfigError(stack, problems);
    const parsed = result.data as Record<string, unknown>;
    for (const key of options.secretKeys ?? []) {
        if (typeof parsed[key] === "string") parsed[key] = pulumi.secret(parsed[key]);
    }
    return parsed as WithSecrets<z.output<S>, K>;
}

/** What a stack program reads from its environment besides its config. */
export interface ProgramSettings {
    /** deploy (default), preview or rollback: which of the env's roles the run uses (stacks/config/access.ts). */
    [ACCESS_VARIABLE]?: string;
}

export interface LoadedConfig<T> {
    config: T;
    /** The run's access and the role every provider and kubeconfig of this run names. */
    run: RunIdentity;
}

/**
 * A stack program's configuration and the run's identity, read once: the config validated against `schema`,
 * the env's roles checked against their fixed names, and `MITENE_ACCESS` validated; every problem reported
 * at once. A preview-access run that is not a dry run is refused.
 */
export function loadStackConfig<S extends z.ZodType<{ accountId: string } & EnvRoles>, K extends string = never>(
    stack: string,
    env: string,
    schema: S,
    raw: Record<string, string>,
    settings: ProgramSettings,
    options: ParseOptions<K> = {},
): LoadedConfig<WithSecrets<z.output<S>, K>> {
    const problems: string[] = [];
    let config: WithSecrets<z.output<S>, K> | undefined;
    try {
        config = parseStackConfig(stack, schema, raw, options);
    } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems.push(...error.problems);
    }
    let access;
    try {
        access = parseAccess(settings[ACCESS_VARIABLE]);
    } catch (error) {
        if (!(error instanceof AccessError)) throw error;
        problems.push(error.message);
    }
    const roles = config as (EnvRoles & { accountId: string }) | undefined;
    if (roles) problems.push(...envRoleProblems(env, roles.accountId, roles));
    const refused = access && accessProblem(access, pulumi.runtime.isDryRun());
    if (refused) problems.push(refused);
    if (problems.length > 0 || !config || !access || !roles) throw new ConfigError(stack, problems);
    return { config, run: runIdentity(access, roles) };
}

/** The running program's configuration, fully qualified. */
export const programConfig = (): Record<string, string> => pulumi.runtime.allConfig();

/** Pulumi keeps which keys are secret in the runtime store; the SDK exposes it only internally. */
export function isProgramConfigSecret(key: string): boolean {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (k: string) => boolean };
    return runtimeConfig.isConfigSecret ? runtimeConfig.isConfigSecret(key) : true;
}
