import { driverScenarios } from "../scenarios/driverScenarios";
import { LOCAL, SIM } from "../scenarios/engines";
import { seededCopy } from "./seededStates";

// Holds: a failing gate's rollback and a retry that never gets healthy, through the real engine (real diffs
// of the weights, the rules read back from the emulator), end in the same status as on the sim. Starts from
// a copy of the suite's seeded staging: seeding is proven elsewhere.
driverScenarios({ ...LOCAL, prepare: (state, env) => seededCopy(env, state) }, SIM, ["failures"]);
