/**
 * Opening the pulumi engine (production): the CLI builds its ports (real/ports.ts, loaded only for it);
 * the env must exist in the backend, and `validate` sees its facts as the stacks say them.
 */
import { DriverPorts } from "../core/context";
import { observeEnv } from "../core/fleet";
import { EnvFacts, factsFromView, requireKnownEnv } from "./facts";
import { EngineIo } from "./options";
import { Access } from "../../stacks/config/access";

export async function openPulumiEngine(env: string, io: EngineIo, validate: (facts: EnvFacts) => void, access: Access): Promise<DriverPorts> {
    if (!io.realPorts) throw new Error("the pulumi engine is not available in this build");
    const ports = await io.realPorts(env, access);
    const facts = factsFromView(await observeEnv(ports.engine, env));
    requireKnownEnv(facts, []);
    validate(facts);
    return ports;
}
