import { EngineUnderTest } from "./driverScenarios";

/** The engines the driver scenarios run on: sim in `npm test`, local (compared with sim) in `npm run test:local`. */

export const LOCAL: EngineUnderTest = { name: "local", flags: (state) => ["--engine", "local", "--state", state], timeoutMs: 900_000, crashStride: 3 };
export const SIM: EngineUnderTest = { name: "sim", flags: (state) => ["--engine", "sim", "--state", state], timeoutMs: 60_000, crashStride: 1 };
