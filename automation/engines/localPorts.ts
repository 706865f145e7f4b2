/**
 * The local engine's ports over one state directory, wired here (not in local/, which never imports the real
 * engine): the production PulumiEngine and AWS adapters with only the cloud replaced (fake-cloud plugins, the
 * AWS emulator), and the scenario's metrics, Argo CD health and jobs on a virtual clock, as in the sim.
 *
 *   <state>/project/     Pulumi.yaml and the stack files (project.ts)
 *   <state>/backend/     the Pulumi file backend (checkpoints, locks)
 *   <state>/home/        PULUMI_HOME of the CLI it runs
 *   <state>/emulator.json, emulator.log   the AWS emulator holding this state's cloud
 *   <state>/history.json when each stack output last changed (virtual time)
 *   <state>/clock.json   virtual time, carried from run to run
 *   <state>/journal/     what every run did
 * The lease, the stop-the-line switch and the latest rollout plan are items of the emulator's lease table.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { regionStack } from "../../components/naming";
import { RegionOutputs } from "../../stacks/outputs";
import { STACKS_DIR } from "../../stacks/stackFiles";
import { RealClock, VirtualClock } from "../core/clock";
import { DriverPorts } from "../core/context";
import { StateFileError } from "../core/errors";
import { checkRecord, clockSchema } from "../core/records";
import { FileJournal } from "../record/fileJournal";
import { CrashPlan, ProcessIdentity } from "../core/process";
import { perRegion } from "../real/clients";
import { DynamoEnvControl } from "../real/dynamoControl";
import { DynamoLeaseStore } from "../real/dynamoLease";
import { Ec2Subnets } from "../real/ec2Subnets";
import { Elbv2Weights } from "../real/elbv2Weights";
import { PulumiEngine } from "../real/pulumiEngine";
import { Profile, profileTo } from "../real/profile";
import { RehearsedLoadBalancer } from "../scenario/forwarding";
import { ScenarioCallerIdentity } from "../scenario/identity";
import { ScenarioInsights, ScenarioArgo, ScenarioJobs, ScenarioMetrics } from "../scenario/observers";
import { Scenario } from "../scenario/scenario";
import { EMULATOR_CREDENTIALS, LEASE_TABLE } from "../local/emulator";
import { LocalEngine } from "../local/engine";
import { OutputHistory } from "../local/history";
import { DeadHolderTakeover } from "../local/lease";
import { writeLocalProject } from "../local/project";
import { Toolchain } from "../local/toolchain";

/** Local stacks encrypt their secrets with this passphrase: a rehearsal holds nothing secret. */
export const LOCAL_PASSPHRASE = "mitene-local-rehearsal";
export const LEASE_REGION = "ap-northeast-1";
/** Virtual time starts where the last run on this state left it, as in the sim. */
const EPOCH = Date.parse("2026-01-01T00:00:00Z");

export interface LocalOptions {
    stateDir: string;
    env: string;
    scenario: Scenario;
    identity: ProcessIdentity;
    toolchain: Toolchain;
    /** The AWS emulator's URL. */
    endpoint: string;
    crash?: CrashPlan;
    /** Where the committed stack files are. Default: the repository's stacks/. */
    stacksDir?: string;
    warn?: (line: string) => void;
}

export interface LocalPorts extends DriverPorts {
    engine: LocalEngine;
    history: OutputHistory;
    clock: VirtualClock;
    /** Where timings go when `MITENE_PROFILE` names a file. */
    profile?: Profile;
}

/** Environment of every Pulumi command of the state: its backend and home, the plugins, the emulator. */
export function localCliEnv(stateDir: string, toolchain: Toolchain, endpoint: string): Record<string, string> {
    return {
        // metadata=skip: the file blob store writes each blob atomically (temp file, rename) but its `.attrs`
        // sidecar in place, so a kill -9 at that instant left an empty sidecar and every later read of the
        // checkpoint failed with "EOF". Without sidecars a killed update leaves only what Pulumi itself leaves.
        // Source: gocloud.dev v0.46.0 blob/fileblob (setAttrs; the "metadata" URL option).
        PULUMI_BACKEND_URL: `${pathToFileURL(path.join(stateDir, "backend")).href}?metadata=skip`,
        PULUMI_HOME: path.join(stateDir, "home"),
        PULUMI_CONFIG_PASSPHRASE: LOCAL_PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        // A rehearsal needs no copy of every checkpoint it writes.
        PULUMI_DISABLE_CHECKPOINT_BACKUPS: "true",
        MITENE_AWS_ENDPOINT: endpoint,
        PATH: [toolchain.providersDir, toolchain.languageHostDir, process.env.PATH ?? ""].join(path.delimiter),
    };
}

function readClock(file: string): number | undefined {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
    }
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (error) {
        throw new StateFileError(`state file ${file} is damaged (${(error as Error).message}); restore it or start over with an empty --state`);
    }
    return checkRecord(clockSchema, value, `state file ${file}`).now;
}

function writeClock(file: string, now: number): void {
    writeFileSync(`${file}.tmp`, JSON.stringify({ now }));
    renameSync(`${file}.tmp`, file);
}

export function createLocalPorts(options: LocalOptions): LocalPorts {
    const { stateDir, toolchain, endpoint } = options;
    mkdirSync(path.join(stateDir, "backend"), { recursive: true });
    const workDir = writeLocalProject(stateDir, toolchain);
    const clockFile = path.join(stateDir, "clock.json");
    const clock = new VirtualClock(readClock(clockFile) ?? EPOCH);
    const history = OutputHistory.in(stateDir);
    const profile = profileTo(process.env.MITENE_PROFILE);
    const pulumi = new PulumiEngine({
        workDir,
        command: toolchain.pulumi,
        version: toolchain.pulumiVersion,
        env: localCliEnv(stateDir, toolchain, endpoint),
        secretsProvider: "passphrase",
        // Another process holding a stack is real work: waits for it are real time, not virtual.
        sleep: (ms, signal) => new RealClock().sleep(ms, signal),
        firstRetryMs: 1000,
        attempts: 7,
        warn: options.warn,
        profile,
    });
    const engine = new LocalEngine(pulumi, clock, options.scenario, history, () => writeClock(clockFile, clock.now()), options.crash);
    const aws = { endpoint, credentials: EMULATOR_CREDENTIALS };
    const loadBalancer = new RehearsedLoadBalancer(
        new Elbv2Weights(perRegion((region) => new ElasticLoadBalancingV2Client({ ...aws, region }))),
        options.scenario,
        () => clock.now(),
        (region, write) => history.rememberDirectWrite(regionStack(options.env, region), write),
    );
    const regionOutputs = (region: string) => history.known(regionStack(options.env, region))?.outputs as RegionOutputs | undefined;
    return {
        kind: "local",
        profile,
        durations: options.scenario,
        stacksDir: options.stacksDir ?? STACKS_DIR,
        engine,
        history,
        clock,
        loadBalancer,
        metrics: new ScenarioMetrics(options.scenario, regionOutputs, async (region) => history.forwarding(regionStack(options.env, region)), clock),
        argo: new ScenarioArgo(options.scenario, history.view, clock),
        jobs: new ScenarioJobs(options.scenario, history.view, clock, options.env),
        subnets: new Ec2Subnets(perRegion((region) => new EC2Client({ ...aws, region }))),
        insights: new ScenarioInsights(options.scenario),
        identity: new ScenarioCallerIdentity(options.scenario, engine, options.env),
        lease: new DeadHolderTakeover(new DynamoLeaseStore(new DynamoDBClient({ ...aws, region: LEASE_REGION }), LEASE_TABLE), options.identity),
        control: new DynamoEnvControl(new DynamoDBClient({ ...aws, region: LEASE_REGION }), LEASE_TABLE),
        journal: new FileJournal(path.join(stateDir, "journal")),
        close: async () => writeClock(clockFile, clock.now()),
    };
}
