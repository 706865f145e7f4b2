/**
 * The `mitene` command line (CONTRACT.md). Commands return a result; this file turns it into one JSON
 * document on stdout (`--json`) or readable text, progress on stderr, and the exit code.
 */
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { Command, CommanderError, Option } from "commander";
import { formatWeights } from "../components/weights";
import { DriverPorts, Invocation } from "./context";
import { EngineIo, EngineOptions, openEngine } from "./engines";
import { BadInputError, EXIT, exitCodeOf } from "./errors";
import { selectRegions } from "./facts";
import { formatMinutes } from "./options";
import { ProcessIdentity } from "./process";
import { rollback } from "./commands/rollback";
import { formatStatus, status } from "./commands/status";
import { UpgradeFlags, UpgradeOutcome, defaultRehearsalTarget, upgradeCommand } from "./commands/upgrade";
import { OpsUpgradeFlags, opsUpgradeCommand } from "./commands/opsUpgrade";
import { PreflightFlags, formatPreflight, preflightCommand } from "./commands/preflight";
import { diffCommand, policyCommand, renderCommand } from "./commands/graphs";

export interface CliIo {
    stdout: (text: string) => void;
    stderr: (text: string) => void;
    cwd: string;
    identity: ProcessIdentity;
    /** `--crash-after`: how this process dies (exit 137). */
    die: () => Promise<never>;
    /** Aborted on SIGINT/SIGTERM. */
    signal: AbortSignal;
    /** Real ports for `--engine pulumi`. */
    realPorts?: (env: string) => Promise<DriverPorts>;
}

interface Outcome {
    json: unknown;
    text: string;
    exitCode: number;
}

/** Operation numbers count from 1. */
const positive = (flag: string) => (value: string) => {
    if (!/^[1-9]\d*$/.test(value)) throw new BadInputError(`${flag} "${value}" is not a whole number of 1 or more`);
    return Number(value);
};
const collect = (value: string, previous: string[]) => [...previous, value];

function engineOptions(command: Command): Command {
    return command
        .addOption(new Option("--engine <engine>", "sim (embedded simulation), local (real Pulumi CLI, fake cloud) or pulumi (Automation API, real AWS)").default("pulumi"))
        .option("--state <dir>", "sim/local state directory (default .mitene/<engine>)")
        .option("--stacks <dir>", "sim: stack files to seed from (default: the repository's stacks/)")
        .option("--scenario <file>", "sim: metrics, health and durations scenario (JSON)")
        .option("--crash-after <n>", "sim: exit 137 right after the n-th state-changing operation", positive("--crash-after"))
        .option("--crash-during <n>", "sim: exit 137 in the middle of the n-th state-changing operation", positive("--crash-during"))
        .option("--json", "one JSON document on stdout");
}

function upgradeFlags(command: Command): Command {
    return engineOptions(command)
        .option("--to <version>", "target Kubernetes version, e.g. 1.35")
        .option("--region <region>", "limit to this region (repeatable; the first is the canary)", collect, [])
        .option("--steps <percents>", "traffic steps on the new color", "5,25,50,100")
        .option("--bake <duration>", "bake time before each gate", "10m")
        .option("--hold <duration>", "wait after the cron cut-over before tearing the old cluster down", "30m")
        .option("--parallel-regions", "after the canary, shift all other regions at once")
        .option("--no-destroy", "stop after the cut-over and keep the old cluster")
        .option("--recover", "resolve pending operations of an interrupted run, then continue")
        .option("--break-lease", "take the env's lease even if another run holds it")
        .option("--retry", "try again in regions whose previous attempt was rolled back")
        .option("--fast-rollback", "on a failed gate, set the listener rules directly before updating the region stack")
        .option("--argo-timeout <duration>", "longest wait for Argo CD to report the new cluster healthy", "30m")
        .option("--jobs-timeout <duration>", "longest wait for the old cluster's running cron jobs", "2h");
}

function upgradeText(result: UpgradeOutcome): string {
    const lines = [`upgrade of ${result.env} to Kubernetes ${result.to}: ${result.result.toUpperCase()}`];
    lines.push(`  ${"region".padEnd(16)} ${"from".padEnd(6)} ${"to".padEnd(6)} ${"result".padEnd(13)} steps`);
    for (const r of result.regions) {
        const steps = r.steps.map((s) => `${s.weight}%:${s.gate}`).join(" ");
        lines.push(`  ${r.region.padEnd(16)} ${(r.from ?? "-").padEnd(6)} ${(r.to ?? "-").padEnd(6)} ${r.result.padEnd(13)} ${steps}`);
        if (r.reason) lines.push(`      ${r.reason}`);
    }
    for (const finding of result.preflight?.filter((f) => f.severity === "blocking") ?? []) lines.push(`  preflight [${finding.id}] ${finding.message}`);
    lines.push(
        result.engine !== "pulumi"
            ? `  on AWS this would take about ${formatMinutes(result.durationMinutes)} (${result.durationMinutes} virtual minutes on the ${result.engine} engine); journal: ${result.journal}`
            : `  took ${formatMinutes(result.durationMinutes)}; journal: ${result.journal}`,
    );
    return lines.join("\n");
}

export async function main(argv: string[], io: CliIo): Promise<number> {
    const json = argv.includes("--json");
    const invocation = (command: string): Invocation => ({
        runId: `${new Date().toISOString().replace(/[-:.]/g, "").slice(0, 15)}-${randomBytes(3).toString("hex")}`,
        host: io.identity.host,
        pid: io.identity.pid,
        command: `mitene ${command}`,
        signal: io.signal,
        progress: (line) => io.stderr(line + "\n"),
        warn: (line) => io.stderr(line + "\n"),
    });
    const engineIo: EngineIo = { cwd: io.cwd, identity: io.identity, die: io.die, warn: (line) => io.stderr(line + "\n"), realPorts: io.realPorts };
    let outcome: Outcome | undefined;

    const program = new Command("mitene")
        .description("Blue/green EKS upgrades, one command (see README.md)")
        .exitOverride()
        .configureOutput({ writeOut: (s) => io.stderr(s), writeErr: (s) => io.stderr(s) })
        .showHelpAfterError();

    engineOptions(program.command("status").description("where every region of an env stands").requiredOption("--env <env>", "environment"))
        .action(async (flags: EngineOptions & { env: string }) => {
            const ports = await openEngine(flags, flags.env, engineIo);
            const report = await status(ports, flags.env);
            outcome = { json: report, text: formatStatus(report), exitCode: EXIT.ok };
        });

    const runUpgrade = async (flags: UpgradeFlags, label: string) => {
        const result = await upgradeCommand(flags, engineIo, invocation(label));
        const exitCode = result.result === "completed" || result.result === "nothing_to_do" ? EXIT.ok : EXIT.failed;
        outcome = { json: result, text: upgradeText(result), exitCode };
    };

    upgradeFlags(program.command("upgrade").description("blue/green upgrade of every region of an env").requiredOption("--env <env>", "environment"))
        .action((flags: UpgradeFlags) => runUpgrade(flags, argv.join(" ")));

    upgradeFlags(program.command("rehearse").description("the upgrade on the sim engine, seeded from the committed stack files"))
        .option("--env <env>", "environment", "prod")
        .action((flags: UpgradeFlags, command: Command) => {
            const engine = command.getOptionValueSource("engine") === "cli" ? flags.engine : "sim";
            if (engine === "pulumi") throw new BadInputError("rehearse runs on the sim engine (or --engine local); --engine pulumi is not allowed");
            const stacksDir = flags.stacks === undefined ? undefined : path.resolve(io.cwd, flags.stacks);
            return runUpgrade({ ...flags, engine, to: flags.to ?? defaultRehearsalTarget(flags.env, stacksDir) }, argv.join(" "));
        });

    engineOptions(program.command("rollback").description("all of a region's traffic back on the color that served before the upgrade"))
        .requiredOption("--env <env>", "environment")
        .requiredOption("--region <region>", "region")
        .option("--fast-rollback", "set the listener rules directly first, then update the region stack")
        .option("--recover", "resolve pending operations of the region stack first")
        .action(async (flags: EngineOptions & { env: string; region: string; fastRollback?: boolean; recover?: boolean }) => {
            const ports = await openEngine(flags, flags.env, engineIo, (facts) => selectRegions(facts, [flags.region]));
            const result = await rollback(ports, invocation(argv.join(" ")), flags.env, flags.region, { fast: flags.fastRollback ?? false, recover: flags.recover ?? false });
            outcome = {
                json: result,
                text: result.result === "rolled_back" ? `${result.region}: rolled back, ${formatWeights(result.weights)}` : `${result.region}: nothing to do (${result.reason})`,
                exitCode: EXIT.ok,
            };
        });

    engineOptions(program.command("ops-upgrade").description("in-place upgrade of the Ops cluster, one minor: control plane, core add-ons, node groups"))
        .requiredOption("--env <env>", "environment")
        .option("--to <version>", "the next Kubernetes minor")
        .option("--recover", "resolve pending operations of an interrupted run, then continue")
        .option("--break-lease", "take the env's lease even if another run holds it")
        .option("--argo-timeout <duration>", "longest wait for Argo CD to be healthy again", "30m")
        .action(async (flags: OpsUpgradeFlags) => {
            const result = await opsUpgradeCommand(flags, engineIo, invocation(argv.join(" ")));
            const text = [
                `Ops upgrade of ${result.env} to Kubernetes ${result.to}: ${result.result.toUpperCase()}`,
                ...result.stages.map((s) => `  ${s.stage.padEnd(15)} ${s.result}${s.detail ? `  ${s.detail}` : ""}`),
                ...result.preflight.filter((f) => f.severity === "blocking").map((f) => `  preflight [${f.id}] ${f.message}`),
                `  ${result.engine !== "pulumi" ? "on AWS this would take about" : "took"} ${formatMinutes(result.durationMinutes)}; journal: ${result.journal}`,
            ].join("\n");
            outcome = { json: result, text, exitCode: result.result === "failed" ? EXIT.failed : EXIT.ok };
        });

    engineOptions(program.command("preflight").description("the upgrade's checks alone; exit 1 if any finding blocks"))
        .requiredOption("--env <env>", "environment")
        .option("--to <version>", "target Kubernetes version")
        .option("--region <region>", "limit to this region (repeatable)", collect, [])
        .option("--ops", "check the Ops cluster's in-place upgrade instead of the service clusters'")
        .action(async (flags: PreflightFlags) => {
            const report = await preflightCommand(flags, engineIo);
            outcome = { json: report, text: formatPreflight(report), exitCode: report.result === "blocked" ? EXIT.failed : EXIT.ok };
        });

    program
        .command("render")
        .description("every stack's resource graph, credential-free, as DIR/<stack>.json")
        .requiredOption("--env <env>", "environment")
        .option("--stack <stack>", "only this stack")
        .requiredOption("--out <dir>", "output directory")
        .option("--stacks <dir>", "stack files to render (default: the repository's stacks/)")
        .option("--json", "one JSON document on stdout")
        .action(async (flags: { env: string; stack?: string; out: string; stacks?: string }) => {
            const result = await renderCommand(flags.env, flags.stack, path.resolve(io.cwd, flags.out), flags.stacks && path.resolve(io.cwd, flags.stacks));
            outcome = { json: result, text: result.stacks.map((s) => `${s.file}  (${s.resources} resources)`).join("\n"), exitCode: EXIT.ok };
        });

    program
        .command("diff")
        .description("Markdown: what changes between two render directories")
        .argument("<base>", "render directory before the change")
        .argument("<head>", "render directory after the change")
        .option("--json", "one JSON document on stdout (the Markdown in `markdown`)")
        .action((base: string, head: string) => {
            const result = diffCommand(path.resolve(io.cwd, base), path.resolve(io.cwd, head));
            outcome = { json: result, text: result.markdown.trimEnd(), exitCode: EXIT.ok };
        });

    program
        .command("policy")
        .description("the policy pack over rendered graphs (rendering --env first, or reading DIR)")
        .argument("[dir]", "render directory")
        .option("--env <env>", "render this env first")
        .option("--stacks <dir>", "with --env: stack files to render (default: the repository's stacks/)")
        .option("--json", "one JSON document on stdout")
        .action(async (dir: string | undefined, flags: { env?: string; stacks?: string }) => {
            const result = await policyCommand({ env: flags.env, dir: dir && path.resolve(io.cwd, dir), stacksDir: flags.stacks && path.resolve(io.cwd, flags.stacks) });
            const text = result.violations.length
                ? result.violations.map((v) => `${v.level.padEnd(9)} ${v.rule}  ${v.stack} ${v.resource}: ${v.message}`).join("\n")
                : `no violations in ${result.stacks.length} stacks`;
            outcome = { json: result, text, exitCode: result.mandatory > 0 ? EXIT.failed : EXIT.ok };
        });

    try {
        await program.parseAsync(argv, { from: "user" });
    } catch (error) {
        if (error instanceof CommanderError) {
            // Asked-for help is done; help shown because no command was given is bad input.
            if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return EXIT.ok;
            // Commander already printed its message (unknown command or option, missing value).
            if (json) io.stdout(JSON.stringify({ error: error.message.replace(/^error: /, ""), exitCode: EXIT.badInput }) + "\n");
            return EXIT.badInput;
        }
        const exitCode = exitCodeOf(error);
        const message = error instanceof Error ? error.message : String(error);
        io.stderr(`mitene: ${message}\n`);
        if (exitCode === EXIT.failed && !(error as { exitCode?: number }).exitCode && error instanceof Error && error.stack) io.stderr(error.stack + "\n");
        if (json) io.stdout(JSON.stringify({ error: message, exitCode }) + "\n");
        return exitCode;
    }
    if (!outcome) return EXIT.ok;
    io.stdout(json ? JSON.stringify(outcome.json, null, 2) + "\n" : outcome.text + "\n");
    return outcome.exitCode;
}
