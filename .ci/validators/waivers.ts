/**
 * Waivers: the validator findings `.ci/run` accepts, each with its one-line reason (`.ci/waivers.yaml`).
 *
 * A finding is a validator, a rule and a subject (a file, a resource, an API version); a waiver matches it
 * when validator and rule are equal and its subject matches (`*` for any characters). A waiver that matches
 * nothing is itself reported: the finding it was written for is gone, so the waiver goes too (otherwise it
 * would silently cover a future finding).
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";

export interface Finding {
    validator: "checkov" | "pluto";
    /** checkov check id (CKV_K8S_21), or the comparison that failed (`deprecated-in`, `removed-in`, `missing`). */
    rule: string;
    /** The file, resource or API the finding is about, as the validator names it. */
    subject: string;
    message: string;
}

const Waiver = z
    .object({
        validator: z.enum(["checkov", "pluto"]),
        rule: z.string().min(1),
        subject: z.string().min(1),
        reason: z
            .string()
            .min(10, "say why in a sentence")
            .refine((reason) => !reason.includes("\n"), "one line"),
    })
    .strict();

export type Waiver = z.infer<typeof Waiver>;

export function parseWaivers(text: string, source: string): Waiver[] {
    const parsed = z.array(Waiver).safeParse(parse(text) ?? []);
    if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join(".")}: ${issue.message}`);
        throw new Error(`${source} is not a list of waivers {validator, rule, subject, reason}:\n${problems.join("\n")}`);
    }
    return parsed.data;
}

export function readWaivers(file: string): Waiver[] {
    return parseWaivers(readFileSync(file, "utf8"), file);
}

/** `*` in a waiver's subject stands for any characters (one waiver for a resource in every env and region). */
export function subjectMatches(pattern: string, subject: string): boolean {
    const source = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*");
    return new RegExp(`^${source}$`).test(subject);
}

const matches = (waiver: Waiver, finding: Finding) => waiver.validator === finding.validator && waiver.rule === finding.rule && subjectMatches(waiver.subject, finding.subject);

export interface Judged {
    open: Finding[];
    waived: { finding: Finding; reason: string }[];
    /** Waivers of this validator that matched no finding. */
    stale: Waiver[];
}

/** Splits the findings of one validator into waived and open, and finds that validator's stale waivers. */
export function judge(validator: Finding["validator"], findings: Finding[], waivers: Waiver[]): Judged {
    const mine = waivers.filter((w) => w.validator === validator);
    const judged: Judged = { open: [], waived: [], stale: [] };
    for (const finding of findings) {
        const waiver = mine.find((w) => matches(w, finding));
        if (waiver) judged.waived.push({ finding, reason: waiver.reason });
        else judged.open.push(finding);
    }
    judged.stale = mine.filter((w) => !findings.some((f) => matches(w, f)));
    return judged;
}

/** Human lines for the CI log; true when the validator passes (nothing open, nothing stale). */
export function printJudged(validator: string, judged: Judged, write: (line: string) => void): boolean {
    for (const { finding, reason } of judged.waived) write(`${validator}: waived ${finding.rule} ${finding.subject}: ${reason}`);
    for (const finding of judged.open) write(`${validator}: FINDING ${finding.rule} ${finding.subject}: ${finding.message}`);
    for (const waiver of judged.stale) write(`${validator}: STALE WAIVER ${waiver.rule} ${waiver.subject}: it matches no finding any more; remove it from .ci/waivers.yaml`);
    const ok = judged.open.length === 0 && judged.stale.length === 0;
    write(`${validator}: ${judged.open.length} open, ${judged.waived.length} waived, ${judged.stale.length} stale waivers: ${ok ? "pass" : "FAIL"}`);
    return ok;
}
