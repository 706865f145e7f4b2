import { driverScenarios } from "../scenarios/driverScenarios";
import { SIM } from "../scenarios/engines";

// The shared scenarios on the sim engine; test/local/scenarios*.test.ts run them on the local engine.
driverScenarios(SIM);
