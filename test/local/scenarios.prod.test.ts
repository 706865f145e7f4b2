import { driverScenarios } from "../scenarios/driverScenarios";
import { LOCAL, SIM } from "./engines";

// The shared driver scenarios of prod on the local engine (real Pulumi CLI, fake-cloud plugins, AWS
// emulator), each also run on the sim: the same commands must end in the same status on both. One file per
// env so that the suite's two jobs run them side by side.
driverScenarios(LOCAL, SIM, ["prod"]);
