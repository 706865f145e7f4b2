/**
 * The shapes of what an env's runs share outside the lease (core/ports.ts `EnvControl`), checked whenever they
 * are read back: a file or a table item someone edited by hand is named, never half-believed.
 */
import { z } from "zod";
import { Halt, RecordedRollout } from "./ports";
import { StateFileError } from "./errors";
import { isMinorVersion } from "../../components/kubernetesVersions";

export const haltSchema = z.strictObject({
    by: z.string().min(1),
    at: z.string().refine((value) => !Number.isNaN(Date.parse(value)), "expected an ISO time"),
    reason: z.string().min(1),
});

export const recordedRolloutSchema = z.strictObject({
    runId: z.string().min(1),
    to: z.string().refine(isMinorVersion, "expected a Kubernetes minor like 1.35"),
    at: z.string().refine((value) => !Number.isNaN(Date.parse(value)), "expected an ISO time"),
    waves: z
        .array(z.array(z.string().min(1)).min(1))
        .refine((waves) => new Set(waves.flat()).size === waves.flat().length, "a region placed in more than one wave"),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string, what: string): T {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new StateFileError(`${where} is not ${what} (${problems.join("; ")}): restore it, or remove it if you know what it held`);
}

export const parseHalt = (value: unknown, where: string): Halt => parse(haltSchema, value, where, "a stop-the-line switch");
export const parseRollout = (value: unknown, where: string): RecordedRollout => parse(recordedRolloutSchema, value, where, "a rollout plan");

/** A recorded plan names only regions the env has (the control port reads it without knowing them). */
export function checkRolloutRegions(rollout: RecordedRollout | null, env: string, regions: readonly string[]): RecordedRollout | null {
    const unknown = (rollout?.waves.flat() ?? []).filter((region) => !regions.includes(region));
    if (unknown.length > 0) {
        throw new StateFileError(`the rollout plan recorded for ${env} (control/${env}-rollout.json on sim; its lease table item otherwise) names ${unknown.join(", ")}, not a region of ${env}: restore it, or remove it if you know what it held`);
    }
    return rollout;
}
