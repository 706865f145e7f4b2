import { driverScenarios } from "../scenarios/driverScenarios";

// The shared scenarios on the sim engine; test/local/scenarios*.test.ts run them on the local engine.
driverScenarios({ name: "sim", flags: (state) => ["--engine", "sim", "--state", state], timeoutMs: 60_000, crashStride: 1 });
