/**
 * The sim engine's set of ports over one state directory.
 */
import { regionStack } from "../../components/naming";
import { RegionOutputs } from "../../stacks/outputs";
import { STACKS_DIR } from "../../stacks/stackFiles";
import { VirtualClock } from "../core/clock";
import { DriverPorts } from "../core/context";
import { stateJournalDir } from "../record/journalLocation";
import { FileJournal } from "../record/fileJournal";
import { CrashPlan, ProcessIdentity } from "../core/process";
import { ScenarioCallerIdentity } from "../scenario/identity";
import { NoInsights, ScenarioArgo, ScenarioJobs, ScenarioMetrics, ScenarioSubnets, StackHistory } from "../scenario/observers";
import { Scenario } from "../scenario/scenario";
import { SimEnvControl } from "./control";
import { SimEngine } from "./engine";
import { SimLeaseStore } from "./lease";
import { SimLoadBalancer } from "./loadBalancer";
import { SimStore } from "./store";

export interface SimOptions {
    stateDir: string;
    env: string;
    scenario: Scenario;
    identity: ProcessIdentity;
    crash?: CrashPlan;
    /** Where the committed stack files are. Default: the repository's stacks/. */
    stacksDir?: string;
}

/** Virtual time starts where the last run on this state left it (Argo sync and job timers span runs). */
const EPOCH = Date.parse("2026-01-01T00:00:00Z");

export interface SimPorts extends DriverPorts {
    engine: SimEngine;
    loadBalancer: SimLoadBalancer;
    store: SimStore;
}

export function createSimPorts(options: SimOptions): SimPorts {
    const store = new SimStore(options.stateDir);
    const clock = new VirtualClock(store.readClock() ?? EPOCH);
    const engine = new SimEngine(store, clock, options.scenario, options.identity, options.crash);
    const loadBalancer = new SimLoadBalancer(store, engine, options.env, clock, options.scenario);
    const regionOutputs = (region: string) => engine.deployedOutputs(regionStack(options.env, region)) as RegionOutputs | undefined;
    const history: StackHistory = async (stack) => {
        const record = engine.record(stack);
        return record?.deployed && record.outputs ? { outputs: record.outputs, changedAt: record.outputChangedAt } : undefined;
    };
    return {
        kind: "sim",
        durations: options.scenario,
        stacksDir: options.stacksDir ?? STACKS_DIR,
        store,
        engine,
        clock,
        loadBalancer,
        metrics: new ScenarioMetrics(options.scenario, regionOutputs, async (region) => loadBalancer.history(region), clock),
        argo: new ScenarioArgo(options.scenario, history, clock),
        jobs: new ScenarioJobs(options.scenario, history, clock, options.env),
        subnets: new ScenarioSubnets(options.scenario),
        insights: new NoInsights(),
        identity: new ScenarioCallerIdentity(options.scenario, engine, options.env),
        lease: new SimLeaseStore(store, options.identity),
        control: new SimEnvControl(store),
        journal: new FileJournal(stateJournalDir(options.stateDir)),
        close: async () => store.writeClock(clock.now()),
    };
}
