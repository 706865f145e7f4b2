/**
 * `mitene rehearse`: the cycle's steps for one env on a rehearsal engine, in the cycle's order: the Ops cluster
 * in place one minor at a time while it trails the target (the ops-upgrade driver), then the service clusters'
 * upgrade. `durationMinutes` stays the service clusters' upgrade; each Ops step reports its own.
 *
 * The env before this one in the version cycle (staging before prod) is not in a rehearsal's state unless it was
 * rehearsed there too: a rehearsal goes on without it, and says so (orderOverride), unless --enforce-order.
 */
import { compareMinor, nextMinor } from "../../components/kubernetesVersions";
import { Invocation } from "../core/context";
import { openEngine } from "../engines/open";
import { EngineIo } from "../engines/options";
import { opsOutputs } from "../core/fleet";
import { parseVersion } from "../core/options";
import { OpsUpgradeOutcome, opsUpgradeCommand } from "./opsUpgrade";
import { orderOverride } from "./orderOverride";
import { UpgradeFlags, UpgradeOutcome, checkUpgrade, defaultRehearsalTarget, upgradeCommand } from "./upgrade";

export type RehearsalOutcome = UpgradeOutcome & {
    /** The Ops cluster's in-place steps this rehearsal took first, each with its own durationMinutes. */
    ops: OpsUpgradeOutcome[];
};

/** The lowest layer of the Ops cluster (its control plane, core add-ons and node groups may differ mid-upgrade). */
async function opsLowest(flags: UpgradeFlags, io: EngineIo): Promise<string | null> {
    const outputs = await opsOutputs((await openEngine(flags, flags.env, io)).engine, flags.env);
    return outputs ? [outputs.kubernetesVersion, outputs.coreAddonsVersion, outputs.nodeGroupVersion].sort(compareMinor)[0] : null;
}

export async function rehearseCommand(flags: UpgradeFlags, io: EngineIo, invocation: () => Invocation, stacksDir?: string): Promise<RehearsalOutcome> {
    const to = flags.to === undefined ? defaultRehearsalTarget(flags.env, stacksDir) : parseVersion("--to", flags.to, io.warn);
    const skipOrderCheck = orderOverride(flags);
    // The upgrade's options are bad input before the Ops steps change anything.
    await openEngine(flags, flags.env, io, { validate: checkUpgrade(flags, to) });
    const ops: OpsUpgradeOutcome[] = [];
    // A kill asked for with --crash-after is meant for the service clusters' upgrade: the Ops steps run whole.
    const opsFlags = { ...flags, crashAfter: undefined, crashDuring: undefined };
    for (let lowest = await opsLowest(opsFlags, io); lowest !== null && compareMinor(lowest, to) < 0; lowest = await opsLowest(opsFlags, io)) {
        const step = await opsUpgradeCommand({ ...opsFlags, to: nextMinor(lowest), skipOrderCheck }, io, invocation());
        ops.push(step);
        if (step.result === "failed") {
            return { env: flags.env, to, result: "failed", regions: [], durationMinutes: 0, engine: step.engine, timeline: [], journal: step.journal, ops };
        }
    }
    return { ...(await upgradeCommand({ ...flags, to, skipOrderCheck }, io, invocation())), ops };
}
