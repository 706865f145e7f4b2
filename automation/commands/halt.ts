/**
 * `mitene halt` and `mitene resume`: the stop-the-line switch of an env (core/ports.ts `EnvControl`). While it is
 * on, every running upgrade of the env finishes the operation in hand, then moves no traffic and starts no
 * region (result `halted`); rollback and discard still work. It is held outside the lease, so it can be pulled
 * while a run holds the lease; `resume` lifts it, and the next `upgrade` goes on from where the halt left it.
 */
import { userInfo } from "node:os";
import { Invocation } from "../core/context";
import { BadInputError } from "../core/errors";
import { Halt } from "../core/ports";
import { openControl } from "../engines/control";
import { EngineIo, EngineOptions } from "../engines/options";
import { RunLog } from "../record/runLog";
import { describeHalt } from "../upgrade/waves";

export interface HaltFlags extends EngineOptions {
    env: string;
    reason: string;
}

export interface HaltReport {
    env: string;
    /** `already_halted`: someone pulled it first; their halt stands. */
    result: "halted" | "already_halted";
    halt: Halt;
    journal: string;
}

export interface ResumeReport {
    env: string;
    result: "resumed" | "nothing_to_do";
    /** The halt that was lifted. */
    lifted: Halt | null;
    journal: string;
}

/** The longest reason: a sentence for `status` and the reports, not a log. */
export const MAX_REASON = 500;

export function checkReason(reason: string): string {
    const text = reason.trim();
    if (text === "") throw new BadInputError(`--reason "${reason}" says nothing: say why the line stops`);
    if (/[\r\n]/.test(text)) throw new BadInputError(`--reason "${reason.slice(0, 40)}..." spans lines: give it as one line`);
    if (text.length > MAX_REASON) throw new BadInputError(`--reason "${text.slice(0, 40)}..." is ${text.length} characters long: at most ${MAX_REASON}`);
    return text;
}

/** Who pulls the switch: the GitHub actor of a workflow run, else the local user on this host. */
export function operator(settings: NodeJS.ProcessEnv, host: string): string {
    if (settings.GITHUB_ACTOR) return `${settings.GITHUB_ACTOR} (GitHub Actions${settings.GITHUB_RUN_ID ? ` run ${settings.GITHUB_RUN_ID}` : ""})`;
    let user = settings.USER;
    try {
        user ??= userInfo().username;
    } catch {
        // No passwd entry (a container): the host still says where it came from.
    }
    return `${user ?? "unknown"}@${host}`;
}

export async function haltCommand(flags: HaltFlags, io: EngineIo, invocation: Invocation, by: string): Promise<HaltReport> {
    const reason = checkReason(flags.reason);
    const ports = await openControl(flags, flags.env, io);
    try {
        const { halt, already } = await ports.control.setHalt(flags.env, { by, at: new Date().toISOString(), reason });
        const log = new RunLog(ports.clock, ports.journal, invocation.runId, flags.env, invocation.view);
        const result = already ? "already_halted" : "halted";
        await log.event(null, already ? `stop the line: already ${describeHalt(halt)}` : `stop the line: ${describeHalt(halt)}`, { phase: "halt", result, detail: { halt } });
        return { env: flags.env, result, halt, journal: ports.journal.locate(flags.env) };
    } finally {
        await ports.close?.();
    }
}

export async function resumeCommand(flags: EngineOptions & { env: string }, io: EngineIo, invocation: Invocation): Promise<ResumeReport> {
    const ports = await openControl(flags, flags.env, io);
    try {
        const lifted = await ports.control.clearHalt(flags.env);
        const log = new RunLog(ports.clock, ports.journal, invocation.runId, flags.env, invocation.view);
        await log.event(null, lifted ? `line resumed (it was ${describeHalt(lifted)})` : "resume: the line was not stopped", { phase: "halt", result: lifted ? "resumed" : "nothing_to_do", detail: { lifted } });
        return { env: flags.env, result: lifted ? "resumed" : "nothing_to_do", lifted, journal: ports.journal.locate(flags.env) };
    } finally {
        await ports.close?.();
    }
}

export function formatHalt(report: HaltReport): string {
    const head = report.result === "halted" ? `env ${report.env}: HALTED` : `env ${report.env} was already halted; that halt stands`;
    return [head, `  ${describeHalt(report.halt)}`, `  every running upgrade stops at its next step; rollback and discard still work; \`mitene resume --env ${report.env}\` lifts it`, `  journal: ${report.journal}`].join("\n");
}

export function formatResume(report: ResumeReport): string {
    return [
        report.lifted ? `env ${report.env}: RESUMED (it was ${describeHalt(report.lifted)})` : `env ${report.env} was not halted: nothing to do`,
        ...(report.lifted ? [`  the next \`mitene upgrade\` goes on from where the halt left it`] : []),
        `  journal: ${report.journal}`,
    ].join("\n");
}
