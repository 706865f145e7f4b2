/**
 * The sim engine's set of ports over one state directory.
 */
import { regionStack } from "../../components/naming";
import { RegionOutputs } from "../../stacks/outputs";
import { STACKS_DIR } from "../../stacks/stackFiles";
import { VirtualClock } from "../core/clock";
import { DriverPorts } from "../core/context";
import { EnvView, observeEnv } from "../core/fleet";
import { checkRolloutRegions } from "../core/control";
import { stateJournalDir } from "../record/journalLocation";
import { FileJournal } from "../record/fileJournal";
import { CrashPlan, ProcessIdentity } from "../core/process";
import { ScenarioCallerIdentity } from "../scenario/identity";
import { ScenarioInsights, ScenarioArgo, ScenarioJobs, ScenarioMetrics, ScenarioSubnets, StackHistory } from "../scenario/observers";
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
        insights: new ScenarioInsights(options.scenario),
        identity: new ScenarioCallerIdentity(options.scenario, engine, options.env),
        lease: new SimLeaseStore(store, options.identity),
        control: new SimEnvControl(store),
        journal: new FileJournal(stateJournalDir(options.stateDir)),
        close: async () => store.writeClock(clock.now()),
    };
}

/**
 * The env as its state files say, every record of it read once (and so checked: automation/core/records.ts):
 * the stacks, the stop-the-line switch, the latest rollout plan and the listener rules' direct writes. A command
 * opens on this before it changes anything, so a record changed by hand is refused with nothing changed. The
 * lease is checked where it is read, before any write too, but for --break-lease, which replaces whatever is
 * there; `resume` opens on the switch alone (engines/control.ts), so a damaged switch can still be lifted.
 */
export async function readState(ports: SimPorts, env: string): Promise<EnvView> {
    const view = await observeEnv(ports.engine, env);
    await ports.control.halt(env);
    checkRolloutRegions(await ports.control.rollout(env), env, view.regions.map((r) => r.region));
    for (const region of view.regions) ports.loadBalancer.history(region.region);
    return view;
}
