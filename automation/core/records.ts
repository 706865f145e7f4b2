/**
 * Every record the driver reads back (state files, stack outputs, the lease, the journal) is checked against
 * its schema and invariants before anything believes it: a record changed by hand or damaged is refused as bad
 * input (exit 2), naming where it lives and each field that does not hold, before anything is changed.
 */
import { z } from "zod";
import { isMinorVersion } from "../../components/kubernetesVersions";
import { StateFileError } from "./errors";
import { Lease } from "./ports";

type Path = readonly PropertyKey[];

/** `["outputs", "services", 0, "port"]` -> `outputs.services[0].port`, as the field reads in the file. */
export function fieldPath(path: Path): string {
    return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("") || "(the whole record)";
}

function valueAt(value: unknown, path: Path): unknown {
    let current = value;
    for (const key of path) current = current !== null && typeof current === "object" ? (current as Record<PropertyKey, unknown>)[key] : undefined;
    return current;
}

const shown = (value: unknown) => {
    const text = value === undefined ? "nothing" : JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/** What is wrong with `value` against `schema`, one line per field (under `prefix`); empty when it holds. */
export function recordProblems(schema: z.ZodType, value: unknown, prefix: Path = []): string[] {
    const result = schema.safeParse(value);
    if (result.success) return [];
    return result.error.issues.flatMap((issue) => {
        if (issue.code === "unrecognized_keys") return issue.keys.map((key) => `${fieldPath([...prefix, ...issue.path, key])}: unknown field`);
        const got = issue.code === "custom" ? "" : ` (found ${shown(valueAt(value, issue.path))})`;
        return [`${fieldPath([...prefix, ...issue.path])}: ${issue.message}${got}`];
    });
}

/** Refuses a record that does not hold: exit 2, naming `where` and every field. */
export function refuseRecord(where: string, problems: string[]): never {
    throw new StateFileError(`${where} does not hold a valid record (changed by hand, or damaged); nothing was changed:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
}

/** `value` checked against `schema`, or a refusal naming `where` and every field that does not hold. */
export function checkRecord<S extends z.ZodType>(schema: S, value: unknown, where: string, prefix: Path = []): z.output<S> {
    const problems = recordProblems(schema, value, prefix);
    if (problems.length > 0) refuseRecord(where, problems);
    return value as z.output<S>;
}

/** A time in ms on the run's clock: a whole number a Date can hold, after 2000. */
export const timeMs = z.number().int().min(Date.parse("2000-01-01T00:00:00Z")).max(8.64e15);
/** An ISO time as Date writes it. */
export const isoTime = z.iso.datetime({ offset: true });

const text = z.string().min(1);

/** `clock.json` of the sim and local states: virtual time carried from run to run. */
export const clockSchema = z.strictObject({ now: timeMs });

/** The env's lease (ports.ts), as every engine stores it. */
export const leaseSchema = z.strictObject({
    env: text,
    holder: z.strictObject({
        runId: text,
        command: z.string(),
        host: text,
        pid: z.number().int().min(1).max(2 ** 32),
        startedAt: isoTime,
        regions: z.array(text).optional(),
        to: z.string().refine(isMinorVersion, "expected a Kubernetes minor like 1.35").optional(),
    }),
    expiresAt: isoTime,
});

/** The lease of `env` read from `where`, refused when it does not hold (its env included). */
export function checkLease(value: unknown, env: string, where: string): Lease {
    const problems = recordProblems(leaseSchema, value);
    if (problems.length === 0 && (value as Lease).env !== env) problems.push(`env: ${JSON.stringify((value as Lease).env)}, but this is the lease of ${env}`);
    if (problems.length > 0) refuseRecord(`${where} (if no run is under way, rerun with --break-lease)`, problems);
    return value as Lease;
}
