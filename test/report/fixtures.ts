/**
 * Runs the report tests share: prod upgraded to 1.35, ap-northeast-1 first (the canary) and completed,
 * us-west-2 rolled back when its gate failed at 25%.
 */
import { RunBuilder, bringUp, passed, regionResult, step, tail, upgradeResult } from "./builders";

export const RUN_ID = "20260101T000000-abc123";
export const FAILED_AT_25 = "gate failed at green 25%: error rate 8.00% > 1.00%";

/** Everything up to us-west-2's failed look at 25% (minute 84), and the canary's tail, which overlaps it. */
function prodUpToFailure(): RunBuilder {
    const b = new RunBuilder(RUN_ID);
    b.entry(0, "start", "upgrade prod to Kubernetes 1.35: ap-northeast-1, us-west-2", { detail: { options: { to: "1.35", steps: [5, 25, 50, 100] } } });
    bringUp(b, "ap-northeast-1");
    bringUp(b, "us-west-2");
    let at = 23;
    for (const weight of [5, 25, 50, 100]) at = step(b, "ap-northeast-1", at, weight);
    const canaryDone = at;
    tail(b, "ap-northeast-1", canaryDone);
    at = step(b, "us-west-2", canaryDone, 5);
    b.region("us-west-2", at, "traffic", "set weights blue 75% / green 25%");
    b.region("us-west-2", at + 1, "traffic", "load balancer confirms blue 75% / green 25%");
    b.gate("us-west-2", at + 6, {
        weight: 25,
        look: 1,
        verdict: "fail",
        measured: { requests: 1500, errors: 120, errorRate: 0.08, p99Ms: 190, unhealthyHosts: 0 },
        baseline: { requests: 4500, errors: 4, errorRate: 0.001, p99Ms: 180, unhealthyHosts: 0 },
        findings: [{ check: "errorRate", value: 0.08, threshold: 0.01, pValue: 1e-60, message: "error rate 8.00% > 1.00%" }],
    });
    return b;
}

/** Killed right after us-west-2's gate failed, before its traffic went back; the canary was in its hold. */
export const prodInterrupted = () => prodRolledBack().until(84);

export function prodRolledBack(): RunBuilder {
    const b = prodUpToFailure();
    b.region("us-west-2", 85, "rollback", "region stack updated: blue 100% / green 0%", { detail: { path: "stack", stackUpdates: 1 } });
    b.region("us-west-2", 85, "rollback", `rolled back: ${FAILED_AT_25}`, { result: "rolled_back" });
    b.end(
        115,
        upgradeResult(
            "rolled_back",
            [
                regionResult("ap-northeast-1", "completed", [passed(5), passed(25), passed(50), passed(100)]),
                regionResult(
                    "us-west-2",
                    "rolled_back",
                    [passed(5), { weight: 25, gate: "fail", checks: 1, measured: { requests: 1500, errorRate: 0.08, p99Ms: 190, unhealthyHosts: 0 }, findings: ["error rate 8.00% > 1.00%"] }],
                    { reason: FAILED_AT_25, faultToRollbackMinutes: 6 },
                ),
            ],
            115,
        ),
    );
    return b;
}
