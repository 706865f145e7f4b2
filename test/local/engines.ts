import { EngineUnderTest } from "../scenarios/driverScenarios";

export const LOCAL: EngineUnderTest = { name: "local", flags: (state) => ["--engine", "local", "--state", state], timeoutMs: 900_000, crashStride: 2 };
export const SIM: EngineUnderTest = { name: "sim", flags: (state) => ["--engine", "sim", "--state", state], timeoutMs: 60_000, crashStride: 1 };
