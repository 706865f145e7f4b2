import { driverScenarios } from "../scenarios/driverScenarios";
import { LOCAL, SIM } from "../scenarios/engines";

// Shared driver scenarios on the local engine (real Pulumi CLI, fake-cloud plugins, AWS emulator), each also
// run on the sim: the same commands must end in the same status on both. A few per file, so that the suite's
// two jobs share the work.
driverScenarios(LOCAL, SIM, ["canary-halt"]);
