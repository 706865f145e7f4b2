/**
 * Seeding a local state: deploying every committed stack of an env, as if production stood exactly as the
 * stack files say (like the sim: no virtual time, no operation counted). A real `pulumi up` per stack, so a
 * seeding killed at any instant is an interrupted update like any other, and is handled like one:
 *
 * - It runs under the env's lease: a second run while one seeds exits 3 naming it; a lease whose holder is
 *   provably dead (a seeding killed) is taken over with a warning, as any dead run's is.
 * - Stacks it finds with pending operations, or locked by a Pulumi CLI that died, stop the run with exit 4
 *   naming each stack and what was left; with `--recover` they are resolved the documented way and the
 *   seeding goes on. A stack a live process is updating is exit 3. A lock left by a `stack init` that died
 *   before the stack existed is taken over by createStack itself (nothing of that stack exists to recover).
 * - What is already deployed is adopted: creating a stack that exists selects it, and `up` of a deployed stack
 *   changes nothing.
 *
 * The `seeding-<env>` marker lives from the start of a seeding to its end; `seeded-<env>` says it ended.
 */
import { randomUUID } from "node:crypto";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseStackName } from "../../components/naming";
import { readStackFile } from "../../stacks/stackFiles";
import { LeaseHeldError, PendingOperationsError } from "../core/errors";
import { LeaseHolder, StackState } from "../core/ports";
import { committedStacks } from "../programs/committedStacks";
import { EngineIo } from "./options";
import { LocalPorts } from "./localPorts";

const seededMarker = (stateDir: string, env: string) => path.join(stateDir, `seeded-${env}`);
const seedingMarker = (stateDir: string, env: string) => path.join(stateDir, `seeding-${env}`);

/** An env never seeded here, or whose seeding did not finish. */
export function needsSeeding(stateDir: string, env: string): boolean {
    return !existsSync(seededMarker(stateDir, env)) || existsSync(seedingMarker(stateDir, env));
}

/** Waits for every task, then fails with the first failure: no `pulumi up` is left running unawaited. */
async function settled(tasks: Promise<unknown>[]): Promise<void> {
    const failure = (await Promise.allSettled(tasks)).find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failure) throw failure.reason;
}

/** What an interrupted seeding left: exit 3 for a stack a live process holds, exit 4 (or, with `recover`, resolved) for the rest. */
async function resolveInterrupted(ports: LocalPorts, env: string, stacks: string[], recover: boolean, warn: (line: string) => void): Promise<void> {
    const states = (await Promise.all(stacks.map((stack) => ports.engine.pulumi.getStack(stack)))).filter((s): s is StackState => s !== undefined);
    const busy = states.filter((s) => s.busy);
    if (busy.length > 0) throw new LeaseHeldError(`env ${env} cannot be seeded now: ${busy.map((s) => `stack ${s.name} is ${s.busy}`).join("; ")}; nothing was changed`);
    const interrupted = states.filter((s) => s.pendingOperations.length > 0);
    if (interrupted.length === 0) return;
    const left = interrupted.map((s) => `${s.name}: ${s.pendingOperations.map((op) => op.description).join(", ")}`);
    if (!recover) throw new PendingOperationsError(interrupted.map((s) => s.name), [`the seeding of env ${env} was interrupted`, ...left]);
    warn(`local: the seeding of env ${env} was interrupted; recovering ${interrupted.map((s) => s.name).join(", ")}`);
    for (const state of interrupted) await ports.engine.pulumi.resolvePendingOperations(state.name);
}

/**
 * Deploys the env's committed stacks: the Ops stack, then each region's stack and, as soon as it is up, that
 * region's clusters (they read it through a StackReference); the regions go on at the same time.
 */
async function deployCommitted(ports: LocalPorts, stacks: string[], stacksDir: string | undefined, renew: () => Promise<void>): Promise<void> {
    const pulumi = ports.engine.pulumi;
    const deploy = async (stack: string) => {
        await pulumi.createStack(stack, readStackFile(stack, stacksDir));
        const { outputs } = await pulumi.up(stack);
        ports.history.record(stack, outputs, ports.clock.now());
        await renew();
    };
    const ids = stacks.map((stack) => ({ stack, id: parseStackName(stack)! }));
    for (const { stack } of ids.filter(({ id }) => id.kind === "ops")) await deploy(stack);
    const regions = ids.filter(({ id }) => id.kind === "region");
    await settled(
        regions.map(async ({ stack, id }) => {
            await deploy(stack);
            const clusters = ids.filter((c) => c.id.kind === "cluster" && id.kind === "region" && c.id.region === id.region);
            await settled(clusters.map((c) => deploy(c.stack)));
        }),
    );
}

/** Seeds `env` unless it is seeded (or another run seeded it meanwhile); returns the stacks it deployed. */
export async function seedLocalEnv(ports: LocalPorts, stateDir: string, env: string, stacksDir: string | undefined, io: EngineIo, recover: boolean): Promise<string[] | undefined> {
    const holder: LeaseHolder = { runId: `seed-${randomUUID()}`, command: `seed ${env}`, host: io.identity.host, pid: io.identity.pid, startedAt: new Date().toISOString() };
    const acquired = await ports.lease.acquire(env, holder, { breakLease: false });
    if (!acquired.acquired) {
        const h = acquired.heldBy;
        throw new LeaseHeldError(`env ${env} is locked by another run: "${h.command}" (run ${h.runId}, pid ${h.pid} on ${h.host}, since ${h.startedAt}); nothing was changed`);
    }
    if (acquired.tookOverFrom) {
        const h = acquired.tookOverFrom;
        io.warn(`warning: took over the lease of env ${env} from run ${h.runId} ("${h.command}"), pid ${h.pid} on ${h.host}, which is no longer running`);
    }
    const start = Date.now();
    try {
        if (!needsSeeding(stateDir, env)) return undefined;
        const stacks = committedStacks(env, stacksDir);
        await resolveInterrupted(ports, env, stacks, recover, io.warn);
        writeFileSync(seedingMarker(stateDir, env), JSON.stringify({ pid: holder.pid, host: holder.host, startedAt: holder.startedAt }));
        io.warn(`local: seeding ${stateDir} with env ${env} from the committed stack files (real pulumi up of each stack)`);
        await deployCommitted(ports, stacks, stacksDir, () => ports.lease.renew(env, holder));
        writeFileSync(seededMarker(stateDir, env), new Date().toISOString());
        rmSync(seedingMarker(stateDir, env));
        io.warn(`local: seeded env ${env} (${stacks.length} stacks)`);
        return stacks;
    } finally {
        ports.profile?.({ kind: "phase", name: "seeding", start, end: Date.now() });
        await ports.lease.release(env, holder);
    }
}
