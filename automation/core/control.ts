/**
 * The shapes of what an env's runs share outside the lease (core/ports.ts `EnvControl`), checked whenever they
 * are read back: a file or a table item someone edited by hand is named, never half-believed.
 */
import { z } from "zod";
import { Halt, RecordedRollout } from "./ports";
import { StateFileError } from "./errors";

export const haltSchema = z.strictObject({
    by: z.string().min(1),
    at: z.string().refine((value) => !Number.isNaN(Date.parse(value)), "expected an ISO time"),
    reason: z.string().min(1),
});

export const recordedRolloutSchema = z.strictObject({
    runId: z.string().min(1),
    to: z.string().min(1),
    at: z.string().refine((value) => !Number.isNaN(Date.parse(value)), "expected an ISO time"),
    waves: z.array(z.array(z.string().min(1)).min(1)),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string, what: string): T {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new StateFileError(`${where} is not ${what} (${problems.join("; ")}): restore it, or remove it if you know what it held`);
}

export const parseHalt = (value: unknown, where: string): Halt => parse(haltSchema, value, where, "a stop-the-line switch");
export const parseRollout = (value: unknown, where: string): RecordedRollout => parse(recordedRolloutSchema, value, where, "a rollout plan");
