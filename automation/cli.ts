/**
 * The `mitene` command line (CONTRACT.md). Commands return a result; this file turns it into one JSON
 * document on stdout (`--json`) or readable text, progress on stderr, and the exit code.
 */
import { randomBytes } from "node:crypto";
import { Command, CommanderError, Option } from "commander";
import { formatWeights } from "../components/weights";
import { DriverPorts, Invocation } from "./context";
import { EngineIo, EngineOptions, openEngine } from "./engines";
import { BadInputError, EXIT, exitCodeOf } from "./errors";
import { selectRegions } from "./facts";
import { formatMinutes } from "./options";
import { ProcessIdentity } from "./sim/engine";
import { rollback } from "./commands/rollback";
import { formatStatus, status } from "./commands/status";
import { UpgradeFlags, UpgradeOutcome, defaultRehearsalTarget, upgradeCommand } from "./commands/upgrade";

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

const int = (flag: string) => (value: string) => {
    if (!/^\d+$/.test(value)) throw new BadInputError(`${flag} "${value}" is not a whole number`);
    return Number(value);
};
const collect = (value: string, previous: string[]) => [...previous, value];

function engineOptions(command: Command): Command {
    return command
        .addOption(new Option("--engine <engine>", "sim (embedded simulation) or pulumi (Automation API, real AWS)").default("pulumi"))
        .option("--state <dir>", "sim state directory", ".mitene/sim")
        .option("--scenario <file>", "sim: metrics, health and durations scenario (JSON)")
        .option("--crash-after <n>", "sim: exit 137 right after the n-th state-changing operation", int("--crash-after"))
        .option("--crash-during <n>", "sim: exit 137 in the middle of the n-th state-changing operation", int("--crash-during"))
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
    lines.push(`  took ${formatMinutes(result.durationMinutes)} (${result.durationMinutes} minutes)${result.timeline.length ? "" : ""}; journal: ${result.journal}`);
    return lines.join("\n");
}

export async function main(argv: string[], io: CliIo): Promise<number> {
    let json = argv.includes("--json");
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
            if (command.getOptionValueSource("engine") === "cli" && flags.engine !== "sim") throw new BadInputError(`rehearse runs on the sim engine; --engine ${flags.engine} is not allowed`);
            return runUpgrade({ ...flags, engine: "sim", to: flags.to ?? defaultRehearsalTarget(flags.env) }, argv.join(" "));
        });

    engineOptions(program.command("rollback").description("all of a region's traffic back on the color that served before the upgrade"))
        .requiredOption("--env <env>", "environment")
        .requiredOption("--region <region>", "region")
        .option("--fast-rollback", "set the listener rules directly first, then update the region stack")
        .action(async (flags: EngineOptions & { env: string; region: string; fastRollback?: boolean }) => {
            const ports = await openEngine(flags, flags.env, engineIo, (facts) => selectRegions(facts, [flags.region]));
            const result = await rollback(ports, invocation(argv.join(" ")), flags.env, flags.region, flags.fastRollback ?? false);
            outcome = {
                json: result,
                text: result.result === "rolled_back" ? `${result.region}: rolled back, ${formatWeights(result.weights)}` : `${result.region}: nothing to do (${result.reason})`,
                exitCode: EXIT.ok,
            };
        });

    try {
        await program.parseAsync(argv, { from: "user" });
    } catch (error) {
        if (error instanceof CommanderError) {
            if (error.code === "commander.helpDisplayed" || error.code === "commander.help" || error.code === "commander.version") return EXIT.ok;
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
    json = json || false;
    io.stdout(json ? JSON.stringify(outcome.json, null, 2) + "\n" : outcome.text + "\n");
    return outcome.exitCode;
}
