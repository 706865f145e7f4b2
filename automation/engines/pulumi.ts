/**
 * Opening the pulumi engine (production): the CLI builds its ports (real/ports.ts, loaded only for it);
 * the env must exist in the backend, and `validate` sees its facts as the stacks say them.
 */
import { DriverPorts } from "../core/context";
import { observeEnv } from "../core/fleet";
import { BadInputError } from "../core/errors";
import { EnvFacts, factsFromView, requireKnownEnv } from "./facts";
import { committedEnvs } from "../programs/committedStacks";
import { EngineIo, rehearsalHint } from "./options";
import { Access } from "../../stacks/config/access";

export async function openPulumiEngine(env: string, io: EngineIo, validate: (facts: EnvFacts) => void, access: Access): Promise<DriverPorts> {
    if (!io.realPorts) throw new Error("the pulumi engine is not available in this build");
    // Every env has its stack files here: an unknown one is bad input before any backend or credential is needed.
    const known = committedEnvs();
    if (!known.includes(env)) throw new BadInputError(`unknown env "${env}": known envs are ${known.join(", ")}`);
    let ports: DriverPorts;
    let facts: EnvFacts;
    try {
        ports = await io.realPorts(env, access);
        facts = factsFromView(await observeEnv(ports.engine, env));
    } catch (error) {
        // Said on the error itself, so that the one JSON document carries it too.
        if (io.engineDefaulted && error instanceof Error) error.message += ` ${rehearsalHint(io.cwd)}`;
        throw error;
    }
    requireKnownEnv(facts, []);
    validate(facts);
    return ports;
}
