import { driverScenarios } from "../scenarios/driverScenarios";

// The shared driver scenarios on the local engine (real Pulumi CLI, fake-cloud plugins, AWS emulator), each
// also run on the sim: the same commands must end in the same status on both.
driverScenarios(
    { name: "local", flags: (state) => ["--engine", "local", "--state", state], timeoutMs: 900_000 },
    { name: "sim", flags: (state) => ["--engine", "sim", "--state", state], timeoutMs: 60_000 },
);
