/**
 * The `mitene` command line (docs/cli.md). Commands return a result; this file turns it into one JSON
 * document on stdout (`--json`) or readable text, progress on stderr, and the exit code. Help and the version
 * go to stdout. A single-value option given twice is bad input, never "the last one wins".
 *
 * Each command's module is loaded when that command runs (the engines, the AWS SDK and the stack programs
 * are heavy): `--help` and a mistyped flag answer at once.
 */
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { Command, CommanderError, Option } from "commander";
import type { Invocation } from "./core/context";
import type { EngineIo, EngineOptions } from "./engines/options";
import { BadInputError, EXIT, exitCodeOf } from "./core/errors";
import { parsePositive } from "./core/options";
import { count } from "./core/wording";
import { ProgressView, createProgress } from "./record/progress";
import type { ProcessIdentity } from "./core/process";
import type { RollbackFlags } from "./commands/rollback";
import type { DiscardFlags } from "./commands/discard";
import type { UpgradeFlags } from "./commands/upgrade";
import type { OpsUpgradeFlags } from "./commands/opsUpgrade";
import type { PreflightFlags } from "./commands/preflight";
import type { ReportFlags } from "./commands/report";
import type { HaltFlags } from "./commands/halt";
import type { IdentityFlags } from "./commands/identity";
import type { PlanFlags } from "./commands/plan";
import { IDENTITY_DEFAULTS } from "./commands/identityDefaults";
import { resultHeadline, formatMinutes } from "./core/wording";
import { UPGRADE_DEFAULTS } from "./upgrade/types";

/* eslint-disable @typescript-eslint/no-require-imports -- each command's module is loaded when it runs */
const VERSION = (require("../package.json") as { version: string }).version;
const load = {
    upgrade: () => require("./commands/upgrade") as typeof import("./commands/upgrade"),
    status: () => require("./commands/status") as typeof import("./commands/status"),
    open: () => require("./engines/open") as typeof import("./engines/open"),
    rollback: () => require("./commands/rollback") as typeof import("./commands/rollback"),
    discard: () => require("./commands/discard") as typeof import("./commands/discard"),
    opsUpgrade: () => require("./commands/opsUpgrade") as typeof import("./commands/opsUpgrade"),
    preflight: () => require("./commands/preflight") as typeof import("./commands/preflight"),
    graphs: () => require("./commands/graphs") as typeof import("./commands/graphs"),
    report: () => require("./commands/report") as typeof import("./commands/report"),
    rehearse: () => require("./commands/rehearse") as typeof import("./commands/rehearse"),
    halt: () => require("./commands/halt") as typeof import("./commands/halt"),
    plan: () => require("./commands/plan") as typeof import("./commands/plan"),
    planFormat: () => require("./plan/format") as typeof import("./plan/format"),
    identity: () => require("./commands/identity") as typeof import("./commands/identity"),
};
/* eslint-enable @typescript-eslint/no-require-imports */

const ENFORCE_ORDER = "block on the version cycle's order as production always does (a rehearsal reports it and goes on by default)";

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
    realPorts?: EngineIo["realPorts"];
    /** stderr is a terminal: progress redraws in place. */
    stderrIsTTY?: boolean;
    /** Asks a yes/no question on the terminal; absent when nobody can answer (CI, a pipe). */
    confirm?: (question: string) => Promise<boolean>;
    /** Environment settings (MITENE_JOURNAL_DIR, ...). Default: this process's. */
    settings?: NodeJS.ProcessEnv;
    columns?: number;
}

interface Outcome {
    json: unknown;
    text: string;
    exitCode: number;
}

/** A repeatable option accumulates (CONTRACT); a required one starts with no default. */
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Engine options as each command takes them (only what it uses, with its real defaults). */
interface EngineOptionSet {
    /** Default engine; rehearse defaults to sim and refuses pulumi. */
    defaultEngine?: "pulumi" | "sim";
    /** --scenario (metrics, health, durations). */
    scenario?: boolean;
    /** --crash-after / --crash-during (state-changing commands). */
    crash?: boolean;
}

/** The heading under which `--help` lists a command's required options, before the others. */
const REQUIRED = "Required:";
/** Said under the help of a production command whose rehearsal-only options are hidden there. */
const REHEARSAL_NOTE = "With --engine sim or local it also takes the rehearsal engines' options: see mitene help rehearse, and docs/cli.md.";

/** The command tree; `views` collects the progress views it opens, for the caller to close. */
export function buildProgram(io: CliIo, argv: string[], done: (outcome: Outcome) => void, views: ProgressView[] = []): Command {
    /**
     * Single-value options: a second occurrence is bad input naming both values. No option takes an empty value
     * (a path resolved from "" would be the working directory).
     */
    const seen = new Map<string, string>();
    const once =
        <T>(flag: string, parse: (value: string) => T = (v) => v as T) =>
        (value: string): T => {
            if (seen.has(flag)) throw new BadInputError(`${flag} given twice ("${seen.get(flag)}" and "${value}"): give it once`);
            seen.set(flag, value);
            if (value.trim() === "") throw new BadInputError(`${flag} "${value}" names nothing: give a value`);
            return parse(value);
        };
    /** A directory named on the command line, as an absolute path; "" is none. */
    const directory = (what: string, value: string) => {
        if (value.trim() === "") throw new BadInputError(`${what} "${value}" names no directory`);
        return path.resolve(io.cwd, value);
    };
    const note = (line: string) => io.stderr(line + "\n");
    const invocation = (command: string): Invocation => ({
        runId: `${new Date().toISOString().replace(/[-:.]/g, "").slice(0, 15)}-${randomBytes(3).toString("hex")}`,
        host: io.identity.host,
        pid: io.identity.pid,
        command: `mitene ${command}`,
        signal: io.signal,
        view: (views[views.length] = createProgress({ write: io.stderr, live: io.stderrIsTTY === true, columns: io.columns, realTime: true })),
        warn: note,
    });
    /** What opening an engine needs; `command` says whether its --engine was given or is the default. */
    const engineIo = (command: Command): EngineIo => ({
        cwd: io.cwd,
        identity: io.identity,
        die: io.die,
        warn: note,
        realPorts: io.realPorts,
        engineDefaulted: command.getOptionValueSource("engine") === "default",
    });

    /**
     * The engine options. On a command whose default is production (pulumi), the options only the rehearsal
     * engines take are accepted but kept off its --help (CONTRACT: they work on sim and local).
     */
    const withEngine = (command: Command, set: EngineOptionSet = {}) => {
        const rehearsal = set.defaultEngine === "sim";
        const engines = rehearsal ? ["sim", "local"] : ["pulumi", "sim", "local"];
        const rehearsalOnly = (option: Option) => (rehearsal ? option : option.hideHelp());
        command.addOption(
            new Option("--engine <engine>", `${rehearsal ? "" : "pulumi: Automation API, real AWS; "}sim: embedded simulation; local: real Pulumi engine, fake cloud`)
                .choices(engines)
                .default(set.defaultEngine ?? "pulumi")
                .argParser(
                    once("--engine", (v) => {
                        if (!engines.includes(v)) throw new BadInputError(`--engine "${v}" must be one of ${engines.join(", ")}${rehearsal ? " (rehearse never touches real AWS)" : ""}`);
                        return v;
                    }),
                ),
        );
        command.addOption(rehearsalOnly(new Option("--state <dir>", "sim/local: state directory (default .mitene/<engine>)").argParser(once("--state"))));
        command.addOption(rehearsalOnly(new Option("--stacks <dir>", "sim/local: stack files to seed from (default: the repository's stacks/)").argParser(once("--stacks"))));
        if (set.scenario) command.addOption(rehearsalOnly(new Option("--scenario <file>", "sim/local: metrics, health and durations scenario (JSON)").argParser(once("--scenario"))));
        if (set.crash) {
            command.addOption(
                rehearsalOnly(
                    new Option("--crash-after <n>", "sim/local: exit 137 right after the n-th operation that changes a stack (updates that change nothing do not count)").argParser(
                        once("--crash-after", (v) => parsePositive("--crash-after", v)),
                    ),
                ),
            );
            command.addOption(rehearsalOnly(new Option("--crash-during <n>", "sim: exit 137 in the middle of the n-th operation started").argParser(once("--crash-during", (v) => parsePositive("--crash-during", v)))));
        }
        if (!rehearsal) command.addHelpText("after", `\n${REHEARSAL_NOTE}`);
        return command.option("--json", "one JSON document on stdout");
    };

    const upgradeFlags = (command: Command, set: EngineOptionSet) =>
        withEngine(command, { scenario: true, crash: true, ...set })
            .addOption(new Option("--region <region>", "limit to this region (repeatable; in this order, unless the rollout plan says otherwise)").argParser(collect).default([], "every region"))
            .option("--steps <percents>", "traffic steps on the new color", once("--steps"), UPGRADE_DEFAULTS.steps.join(","))
            .option("--bake <duration>", "how long each step bakes under the gate", once("--bake"), "10m")
            .option("--analysis-interval <duration>", "how often the gate looks at the metrics while a step bakes", once("--analysis-interval"), "1m")
            .option("--stop-at <percent>", "stop (result paused, exit 0) once the new color carries this step and its gate passed", once("--stop-at"))
            .option("--hold <duration>", "wait after the cron cut-over before tearing the old cluster down", once("--hold"), "30m")
            .option("--canary <region>", "the regions that go first, together and alone (repeatable; default: the env's rollout plan, else the first region)", collect, [])
            .option("--max-parallel <n>", "after the canary, regions moving traffic at once in each wave (1: one region after another; default: the env's rollout plan)", once("--max-parallel"))
            .option("--parallel-regions", "after the canary, all other regions in one wave (--max-parallel without a limit)")
            .option("--wave-bake <duration>", "a wave starts once every region of the one before has served 100% this long, its gate passing (default: the env's rollout plan, 10m)", once("--wave-bake"))
            .option("--wave-min-requests <n>", "... and served this many requests at 100% (default: the env's rollout plan, 1000)", once("--wave-min-requests"))
            .option("--on-region-rollback <policy>", "when a region rolls back, the others of its wave: halt (stop where they are), continue, or rollback-wave (default: the env's rollout plan, halt)", once("--on-region-rollback"))
            .option("--no-destroy", "stop after the cut-over and keep the old cluster (rollback stays possible)")
            .option("--retry", "try again in regions whose earlier attempt was rolled back")
            .option("--fast-rollback", "on a failed gate, set the listener rules directly before updating the region stack")
            .option("--recover", "resolve pending operations of an interrupted run, then continue")
            .option("--break-lease", "take the env's lease even if another run holds it (after checking that run is gone)")
            .option("--argo-timeout <duration>", "longest wait for Argo CD to report the new cluster healthy", once("--argo-timeout"), "30m")
            .option("--jobs-timeout <duration>", "longest wait for the old cluster's running cron jobs", once("--jobs-timeout"), "2h")
            .option("--skip-order-check <reason>", "go on although the version cycle's order says not yet (Ops first, the env before with its soak); the journal keeps the reason", once("--skip-order-check"))
            .option("--enforce-order", ENFORCE_ORDER);

    const runUpgrade = async (flags: UpgradeFlags, engine: EngineIo) => {
        const { upgradeCommand, formatUpgrade } = load.upgrade();
        const result = await upgradeCommand(flags, engine, invocation(argv.join(" ")));
        const exitCode = ["completed", "nothing_to_do", "paused"].includes(result.result) ? EXIT.ok : EXIT.failed;
        done({ json: result, text: formatUpgrade(result), exitCode });
    };

    const program = new Command("mitene")
        .description("Blue/green EKS upgrades in one command (docs/cli.md)")
        .version(VERSION, "--version", "print the version")
        .helpOption("-h, --help", "show help")
        .exitOverride()
        .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
        .showHelpAfterError("(mitene help <command> shows its options)");

    withEngine(program.command("status").description("where every region of an env stands (reads only)").requiredOption("--env <env>", "environment", once("--env"))).action(
        async (flags: EngineOptions & { env: string }, command: Command) => {
            const [{ openEngine }, { status, formatStatus }] = [load.open(), load.status()];
            const ports = await openEngine(flags, flags.env, engineIo(command), { readOnly: true });
            const report = await status(ports, flags.env);
            done({ json: report, text: formatStatus(report), exitCode: EXIT.ok });
        },
    );

    upgradeFlags(
        program.command("upgrade").description("blue/green upgrade of every region of an env").requiredOption("--env <env>", "environment", once("--env")).requiredOption("--to <version>", "target Kubernetes minor, e.g. 1.35", once("--to")),
        {},
    ).action((flags: UpgradeFlags, command: Command) => runUpgrade(flags, engineIo(command)));

    upgradeFlags(
        program
            .command("rehearse")
            .description("the cycle's steps on a rehearsal engine (sim by default), seeded from the committed stack files: the Ops cluster in place while it trails the target, then the upgrade")
            .option("--env <env>", "environment", once("--env"), "prod")
            .option("--to <version>", "target Kubernetes minor (default: one above what the committed stack files serve)", once("--to")),
        { defaultEngine: "sim" },
    ).action(async (flags: UpgradeFlags, command: Command) => {
        const [{ rehearseCommand }, { formatUpgrade }] = [load.rehearse(), load.upgrade()];
        const stacksDir = flags.stacks === undefined ? undefined : path.resolve(io.cwd, flags.stacks);
        const result = await rehearseCommand(flags, engineIo(command), () => invocation(argv.join(" ")), stacksDir);
        const exitCode = ["completed", "nothing_to_do", "paused"].includes(result.result) ? EXIT.ok : EXIT.failed;
        const opsLines = result.ops.map((o) => `Ops cluster of ${o.env} in place to ${o.to}: ${resultHeadline(o.result)} (${formatMinutes(o.durationMinutes)}, apart from the upgrade's time)`);
        done({ json: result, text: [...opsLines, formatUpgrade(result)].join("\n"), exitCode });
    });

    withEngine(program.command("rollback").description("all traffic (and the cron jobs) back on the color that served before the upgrade").requiredOption("--env <env>", "environment", once("--env")), { scenario: true, crash: true })
        .addOption(new Option("--region <region>", "region (repeatable)").argParser(collect).default([], "none: give it, or --all"))
        .option("--all", "every region of the env")
        .option("--fast-rollback", "set the listener rules directly first, then update the region stack")
        .option("--recover", "resolve pending operations of the region's stacks first")
        .option("--jobs-timeout <duration>", "longest wait for the new cluster's running cron jobs", once("--jobs-timeout"), "2h")
        .action(async (flags: RollbackFlags, command: Command) => {
            const { rollbackCommand, formatRollback } = load.rollback();
            const report = await rollbackCommand(flags, engineIo(command), invocation(argv.join(" ")));
            done({ json: report, text: formatRollback(report), exitCode: report.result === "failed" ? EXIT.failed : EXIT.ok });
        });

    withEngine(program.command("discard").description("tear down a new-color cluster kept after a rollback (asks first, unless --yes)").requiredOption("--env <env>", "environment", once("--env")), { scenario: true, crash: true })
        .requiredOption("--region <region>", "region (repeatable)", collect)
        .option("--yes", "destroy without asking (required where there is no terminal to ask on)")
        .option("--recover", "resolve pending operations of an interrupted run, then continue")
        .option("--break-lease", "take the env's lease even if another run holds it")
        .action(async (flags: DiscardFlags, command: Command) => {
            const { discardCommand, formatDiscard } = load.discard();
            const report = await discardCommand(flags, engineIo(command), invocation(argv.join(" ")), io.confirm);
            done({ json: report, text: formatDiscard(report), exitCode: report.result === "failed" ? EXIT.failed : EXIT.ok });
        });

    withEngine(program.command("halt").description("stop the line: every running upgrade of the env stops at its next step and starts nothing more (rollback and discard still work)").requiredOption("--env <env>", "environment", once("--env")))
        .requiredOption("--reason <text>", "why, in one line (shown by status and the reports)", once("--reason"))
        .action(async (flags: HaltFlags, command: Command) => {
            const { haltCommand, formatHalt, operator } = load.halt();
            const report = await haltCommand(flags, engineIo(command), invocation(argv.join(" ")), operator(io.settings ?? process.env, io.identity.host));
            done({ json: report, text: formatHalt(report), exitCode: EXIT.ok });
        });

    withEngine(program.command("resume").description("lift the stop-the-line switch: the next upgrade goes on from where the halt left it").requiredOption("--env <env>", "environment", once("--env")))
        .action(async (flags: EngineOptions & { env: string }, command: Command) => {
            const { resumeCommand, formatResume } = load.halt();
            const report = await resumeCommand(flags, engineIo(command), invocation(argv.join(" ")));
            done({ json: report, text: formatResume(report), exitCode: EXIT.ok });
        });

    withEngine(program.command("ops-upgrade").description("in-place upgrade of the Ops cluster, one minor: control plane, core add-ons, node groups").requiredOption("--env <env>", "environment", once("--env")), { scenario: true, crash: true })
        .requiredOption("--to <version>", "the next Kubernetes minor", once("--to"))
        .option("--recover", "resolve pending operations of an interrupted run, then continue")
        .option("--break-lease", "take the env's lease even if another run holds it")
        .option("--argo-timeout <duration>", "longest wait for Argo CD to be healthy again", once("--argo-timeout"), "30m")
        .option("--skip-order-check <reason>", "go on although the env before this one in the version cycle has not soaked the version; the journal keeps the reason", once("--skip-order-check"))
        .option("--enforce-order", ENFORCE_ORDER)
        .action(async (flags: OpsUpgradeFlags, command: Command) => {
            const { opsUpgradeCommand, formatOpsUpgrade } = load.opsUpgrade();
            const result = await opsUpgradeCommand(flags, engineIo(command), invocation(argv.join(" ")));
            done({ json: result, text: formatOpsUpgrade(result), exitCode: result.result === "failed" ? EXIT.failed : EXIT.ok });
        });

    withEngine(program.command("preflight").description("the upgrade's checks alone (reads only); exit 1 if any finding blocks").requiredOption("--env <env>", "environment", once("--env")), { scenario: true })
        .requiredOption("--to <version>", "target Kubernetes version", once("--to"))
        .addOption(new Option("--region <region>", "limit to this region (repeatable)").argParser(collect).default([], "every region"))
        .option("--ops", "check the Ops cluster's in-place upgrade instead of the service clusters'")
        .option("--skip-order-check <reason>", "report the version cycle's order findings as warnings, naming this reason", once("--skip-order-check"))
        .option("--enforce-order", ENFORCE_ORDER)
        .action(async (flags: PreflightFlags, command: Command) => {
            const { preflightCommand, formatPreflight } = load.preflight();
            const report = await preflightCommand(flags, engineIo(command));
            done({ json: report, text: formatPreflight(report), exitCode: report.result === "blocked" ? EXIT.failed : EXIT.ok });
        });

    withEngine(program.command("plan").description("the next version cycle of an env: support calendar, readiness ledger, ordered steps (changes nothing but --write)").requiredOption("--env <env>", "environment", once("--env")), { scenario: true })
        .option("--to <version>", "target Kubernetes minor (default: the newest version nothing blocks, else one minor up)", once("--to"))
        .option("--at <date>", "the calendar's date, yyyy-mm-dd (default today)", once("--at"))
        .option("--manifests <dir>", "the GitOps repository's manifests: removed and deprecated APIs in every YAML file", once("--manifests"))
        .option("--write", "move every pin that must move for the target in the catalog files, and print the diff")
        .option("--markdown <file>", "also write the ledger as Markdown (a pull request's body)", once("--markdown"))
        .action(async (flags: PlanFlags, command: Command) => {
            const [{ planCommand }, { formatPlan }] = [load.plan(), load.planFormat()];
            const plan = await planCommand(flags, engineIo(command));
            const written = plan.written ? `\n\n--write: ${plan.written.bumps.length ? `${plan.written.bumps.map((b) => `${b.upstream} ${b.from} -> ${b.to}`).join(", ")}\n${plan.written.diff}` : "no pin must move for this target"}` : "";
            done({ json: plan, text: formatPlan(plan) + written, exitCode: plan.blockers > 0 ? EXIT.failed : EXIT.ok });
        });

    program
        .command("render")
        .description("every stack's resource graph, credential-free, as DIR/<stack>.json")
        .requiredOption("--env <env>", "environment", once("--env"))
        .option("--stack <stack>", "only this stack", once("--stack"))
        .requiredOption("--out <dir>", "output directory", once("--out"))
        .option("--stacks <dir>", "stack files to render (default: the repository's stacks/)", once("--stacks"))
        .option("--json", "one JSON document on stdout")
        .action(async (flags: { env: string; stack?: string; out: string; stacks?: string }) => {
            const { renderCommand } = load.graphs();
            const result = await renderCommand(flags.env, flags.stack, path.resolve(io.cwd, flags.out), flags.stacks && path.resolve(io.cwd, flags.stacks));
            done({ json: result, text: result.stacks.map((s) => `${s.file}: ${count(s.resources, "resource")}`).join("\n"), exitCode: EXIT.ok });
        });

    program
        .command("diff")
        .description("Markdown: what changes between two render directories")
        .argument("<base>", "render directory before the change")
        .argument("<head>", "render directory after the change")
        .option("--json", "one JSON document on stdout (the Markdown in `markdown`)")
        .action(async (base: string, head: string) => {
            const { diffCommand } = load.graphs();
            const result = diffCommand(directory("base", base), directory("head", head));
            done({ json: result, text: result.markdown.trimEnd(), exitCode: EXIT.ok });
        });

    program
        .command("policy")
        .description("the policy pack over rendered graphs (rendering --env first, or reading DIR)")
        .argument("[dir]", "render directory")
        .option("--env <env>", "render this env first", once("--env"))
        .option("--stacks <dir>", "with --env: stack files to render (default: the repository's stacks/)", once("--stacks"))
        .option("--json", "one JSON document on stdout")
        .action(async (dir: string | undefined, flags: { env?: string; stacks?: string }) => {
            const { policyCommand } = load.graphs();
            const result = await policyCommand({ env: flags.env, dir: dir === undefined ? undefined : directory("dir", dir), stacksDir: flags.stacks && path.resolve(io.cwd, flags.stacks) });
            const text = result.violations.length
                ? result.violations.map((v) => `${v.level.padEnd(9)} ${v.rule}  ${v.stack} ${v.resource}: ${v.message}`).join("\n")
                : `no violations in ${count(result.stacks.length, "stack")}`;
            done({ json: result, text, exitCode: result.mandatory > 0 ? EXIT.failed : EXIT.ok });
        });

    program
        .command("identity")
        .description("the trust and permission policies of the env's deploy, preview and rollback roles, which must exist before the first pulumi up")
        .requiredOption("--env <env>", "environment", once("--env"))
        .requiredOption("--out <dir>", "output directory: <role>.trust.json and <role>.policy.json per role", once("--out"))
        .option("--state-bucket <bucket>", "the Pulumi state bucket (default mitene-<env>-pulumi-state)", once("--state-bucket"))
        .option("--secrets-key-alias <alias>", "alias of the awskms secrets provider's key", once("--secrets-key-alias"), IDENTITY_DEFAULTS.secretsKeyAlias)
        .option("--lease-table <table>", "the DynamoDB lease and halt table", once("--lease-table"), IDENTITY_DEFAULTS.leaseTable)
        .option("--lease-region <region>", "its region (default the Ops region)", once("--lease-region"))
        .option("--operator-role <arn>", "an operator role ARN pattern allowed to assume deploy and rollback (break-glass; repeatable)", collect, [])
        .option("--stacks <dir>", "stack files to read (default: the repository's stacks/)", once("--stacks"))
        .option("--json", "one JSON document on stdout")
        .action((flags: IdentityFlags) => {
            const { identityCommand, formatIdentity } = load.identity();
            const result = identityCommand({ ...flags, out: path.resolve(io.cwd, flags.out), stacks: flags.stacks && path.resolve(io.cwd, flags.stacks) });
            done({ json: result, text: formatIdentity(result), exitCode: EXIT.ok });
        });

    program
        .command("report")
        .description("what a run did, from the env's journal: Markdown with a Mermaid timeline, or a self-contained HTML page; or --list the runs")
        .requiredOption("--env <env>", "environment", once("--env"))
        .option("--run <id>", "run id (default: the run that wrote the journal's last entry)", once("--run"))
        .addOption(new Option("--format <format>", "md or html").default("md").argParser(once("--format")))
        .option("--out <file>", "file to write (its directory must exist); - or none: stdout. A device or pipe is written into, never replaced", once("--out"))
        .option("--list", "list the runs in the env's journal (id, start, result, what it did)")
        .addOption(new Option("--engine <engine>", "whose journal: pulumi (production: MITENE_JOURNAL_DIR, default .mitene/journal), sim or local (under --state)").default("pulumi").argParser(once("--engine")))
        .option("--state <dir>", "sim or local state directory (default .mitene/sim or .mitene/local)", once("--state"))
        .option("--json", "one JSON document on stdout (a report printed to stdout is in its `content`)")
        .action(async (flags: ReportFlags, command: Command) => {
            const { reportCommand, formatReport, listReportRuns, formatRunListing } = load.report();
            const reportIo = { cwd: io.cwd, settings: io.settings ?? process.env };
            const all = { ...flags, engineDefaulted: command.getOptionValueSource("engine") === "default" };
            if (flags.list) {
                const listing = listReportRuns(all, reportIo);
                return done({ json: listing, text: formatRunListing(listing), exitCode: EXIT.ok });
            }
            const result = reportCommand(all, reportIo);
            done({ json: result, text: formatReport(result), exitCode: EXIT.ok });
        });

    // Required options head each command's help, under their own heading.
    for (const command of program.commands) for (const option of command.options) if (option.mandatory) option.helpGroup(REQUIRED);
    return program;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
    const json = argv.includes("--json");
    let outcome: Outcome | undefined;
    const views: ProgressView[] = [];
    // With --json, what commander prints on stdout (help, the version) becomes the one document.
    let printed = "";
    const program = buildProgram(json ? { ...io, stdout: (text) => (printed += text) } : io, argv, (o) => (outcome = o), views);
    try {
        if (argv.length === 0) {
            io.stderr(program.helpInformation());
            return EXIT.badInput;
        }
        await program.parseAsync(argv, { from: "user" });
    } catch (error) {
        if (error instanceof CommanderError) {
            if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") {
                if (json) io.stdout(JSON.stringify(error.code === "commander.version" ? { version: printed.trim() } : { help: printed }, null, 2) + "\n");
                return EXIT.ok;
            }
            // Commander already printed its message (unknown command or option, missing value).
            if (json) io.stdout(JSON.stringify({ error: error.message.replace(/^error: /, ""), exitCode: EXIT.badInput }) + "\n");
            return EXIT.badInput;
        }
        const exitCode = io.signal.aborted ? cancelledExitCode(io.signal) : exitCodeOf(error);
        const message = error instanceof Error ? error.message : String(error);
        io.stderr(`mitene: ${message}\n`);
        if (exitCode === EXIT.failed && !(error as { exitCode?: number }).exitCode && error instanceof Error && error.stack) io.stderr(error.stack + "\n");
        if (json) io.stdout(JSON.stringify({ error: message, exitCode }) + "\n");
        return exitCode;
    } finally {
        views.forEach((view) => view.close());
    }
    if (!outcome) return EXIT.ok;
    io.stdout(json ? JSON.stringify(outcome.json, null, 2) + "\n" : outcome.text + "\n");
    return io.signal.aborted ? cancelledExitCode(io.signal) : outcome.exitCode;
}

/** A run cancelled by a signal ends like any Unix program interrupted by it: 130 (SIGINT) or 143 (SIGTERM). */
function cancelledExitCode(signal: AbortSignal): number {
    return String((signal.reason as Error | undefined)?.message).includes("SIGTERM") ? EXIT.terminated : EXIT.interrupted;
}
