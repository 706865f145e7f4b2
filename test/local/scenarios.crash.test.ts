import { driverScenarios } from "../scenarios/driverScenarios";
import { LOCAL, SIM } from "../scenarios/engines";
import { seededCopy } from "./seededStates";

// Holds: an upgrade stopped after every third operation (each phase) and resumed with --recover completes on
// the real engine's state as on the sim, where npm test stops it after every operation. A kill in the middle
// of an operation (real pending operations, dead locks) is realEngine.test.ts's and interruptions.test.ts's.
// Starts from a copy of the suite's seeded staging.
driverScenarios({ ...LOCAL, prepare: (state, env) => seededCopy(env, state) }, SIM, ["crash"]);
