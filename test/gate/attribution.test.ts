import { strict as assert } from "node:assert";
import fc from "fast-check";
import { attributeLoadBalancerErrors, excessLoadBalancerErrors } from "../../automation/gate/attribution";

const fresh = { requests: 3000, errors: 3, p99Ms: 180, unhealthyHosts: 0 };

describe("gate attribution: the load balancer's own 5xx charged to the new color", () => {
    it("charges every 5xx when the load balancer answered none before the step", () => {
        assert.equal(excessLoadBalancerErrors({ requests: 6000, errors: 150 }, { requests: 60_000, errors: 0 }), 150);
    });

    it("charges nothing when the load balancer answers at the rate it did before", () => {
        assert.equal(excessLoadBalancerErrors({ requests: 6000, errors: 6 }, { requests: 60_000, errors: 60 }), 0);
    });

    it("charges only what is above the rate before, rounded to whole responses", () => {
        assert.equal(excessLoadBalancerErrors({ requests: 6000, errors: 40 }, { requests: 60_000, errors: 60 }), 34);
        assert.equal(excessLoadBalancerErrors({ requests: 1000, errors: 3 }, { requests: 3000, errors: 2 }), 2);
    });

    it("a window before the step without traffic makes every 5xx the new color's", () => {
        assert.equal(excessLoadBalancerErrors({ requests: 100, errors: 5 }, { requests: 0, errors: 0 }), 5);
    });

    it("adds the charged 5xx to the new color's errors and requests (an empty target group's 503 is in no RequestCount), and says how many", () => {
        assert.deepEqual(attributeLoadBalancerErrors(fresh, { requests: 6000, errors: 300 }, { requests: 6000, errors: 0 }), { ...fresh, requests: 3300, errors: 303, loadBalancerErrors: 300 });
        const empty = attributeLoadBalancerErrors({ requests: 0, errors: 0, p99Ms: null, unhealthyHosts: 0 }, { requests: 5700, errors: 300 }, { requests: 6000, errors: 0 });
        assert.equal(empty.errors / empty.requests, 1, "a new color with no target at all is at a 100% error rate");
    });

    it("is never negative and never more than the load balancer answered", () => {
        const figures = fc.record({ requests: fc.nat(1_000_000), errors: fc.nat(1_000_000) });
        fc.assert(
            fc.property(figures, figures, (now, before) => {
                const charged = excessLoadBalancerErrors(now, before);
                assert.ok(Number.isInteger(charged) && charged >= 0 && charged <= now.errors);
            }),
        );
    });
});
