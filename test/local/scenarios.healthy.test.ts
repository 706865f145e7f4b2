import { driverScenarios } from "../scenarios/driverScenarios";
import { LOCAL, SIM } from "../scenarios/engines";

// Holds: `rehearse --engine local` as a newcomer runs it: an empty state seeded with every prod stack, the
// two regions upgraded (bring-ups overlapping, traffic region by region, real diffs, weights read back from
// the emulator), then nothing to do; the status equals the sim's.
driverScenarios(LOCAL, SIM, ["healthy"]);
