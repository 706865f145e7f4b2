/**
 * Opening only the stop-the-line switch of an env (`halt`, `resume`): its env is checked against the committed
 * stack files, and nothing is seeded or deployed, so the switch can be pulled at once, even while a run holds
 * the lease or the stacks' backend is slow. The ports come back whole; the commands use the control, the
 * journal and the clock.
 */
import * as path from "node:path";
import { DriverPorts } from "../core/context";
import { committedEnvs } from "../programs/committedStacks";
import { DEFAULT_SCENARIO } from "../scenario/scenario";
import { createSimPorts } from "../sim/ports";
import { factsFromCommitted, requireKnownEnv } from "./facts";
import { EngineIo, EngineOptions, checkEngineOptions, checkStateDir, ensureWritable, rehearsalHint, stateDirOf } from "./options";

/** The local engine pulls in the Automation API and the AWS SDK, which the sim never needs: loaded on use. */
function loadLocalEngine(): typeof import("./local") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("./local") as typeof import("./local");
}

export async function openControl(options: EngineOptions, env: string, io: EngineIo): Promise<DriverPorts> {
    checkEngineOptions(options);
    const stacksDir = options.stacks === undefined ? undefined : path.resolve(io.cwd, options.stacks);
    requireKnownEnv(factsFromCommitted(env, stacksDir), committedEnvs(stacksDir));
    if (options.engine === "pulumi") {
        if (!io.realPorts) throw new Error("the pulumi engine is not available in this build");
        try {
            // The switch is the rollback role's to pull (stop-the-line.yml runs as it): the least role that may.
            return await io.realPorts(env, "rollback");
        } catch (error) {
            // Said on the error itself, so that the one JSON document carries it too.
            if (io.engineDefaulted && error instanceof Error) error.message += ` ${rehearsalHint(io.cwd)}`;
            throw error;
        }
    }
    const stateDir = stateDirOf(options, io.cwd);
    checkStateDir(stateDir, "--state");
    ensureWritable(stateDir);
    if (options.engine === "local") return loadLocalEngine().openLocalControl(stateDir, env, io);
    return createSimPorts({ stateDir, env, scenario: DEFAULT_SCENARIO, identity: io.identity, stacksDir });
}
