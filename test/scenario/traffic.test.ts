import { strict as assert } from "node:assert";
import { weightsFor } from "../../components/weights";
import { scenarioSchema, serviceProblems, serviceShares } from "../../automation/scenario/scenario";
import { TrafficModel, WeightHistory } from "../../automation/scenario/traffic";

const MINUTE = 60_000;
/** Green at 25% from minute 0. */
const HISTORY: WeightHistory = [{ at: 0, weights: weightsFor("green", 25) }];
const query = (scenario: unknown, color: "blue" | "green", services: Record<string, number>) => {
    const model = new TrafficModel(scenarioSchema.parse(scenario));
    return model.window(HISTORY, { region: "ap-northeast-1", color, newColor: "green", services, from: 0, to: 10 * MINUTE, thresholdsMs: [1500] });
};

describe("scenario traffic per service", () => {
    it("splits a region's requests by the services' shares, those not named sharing what is left equally", () => {
        const scenario = scenarioSchema.parse({ baseline: { serviceShares: { web: 0.05 } } });
        assert.deepEqual(serviceShares(scenario, ["api", "web", "worker"]), { api: 0.475, web: 0.05, worker: 0.475 });
        assert.deepEqual(serviceShares(scenarioSchema.parse({}), ["api", "web"]), { api: 0.5, web: 0.5 });
    });

    it("gives each service's target group its share of the color's requests, and the color the sum", () => {
        const result = query({}, "green", { api: 0.95, web: 0.05 });
        assert.ok(!("unavailable" in result));
        assert.deepEqual([result.requests, result.services.api.requests, result.services.web.requests], [15_000, 14_250, 750]);
    });

    it("a fault naming a service hits that service's target group only", () => {
        const result = query({ faults: [{ service: "web", errorRate: 0.2 }] }, "green", { api: 0.95, web: 0.05 });
        assert.ok(!("unavailable" in result));
        assert.deepEqual([result.services.web.errors, result.services.api.errors], [150, 14]);
        assert.equal(result.errors, 164);
    });

    it("requests the load balancer answers itself are in no target group, only in the load balancer's 5xx", () => {
        const model = new TrafficModel(scenarioSchema.parse({ faults: [{ service: "web", loadBalancerErrorRate: 1 }] }));
        const services = { api: 0.5, web: 0.5 };
        const green = model.window(HISTORY, { region: "r", color: "green", newColor: "green", services, from: 0, to: MINUTE, thresholdsMs: [] });
        assert.ok(!("unavailable" in green));
        assert.deepEqual([green.services.web.requests, green.services.api.requests], [0, 750]);
        assert.deepEqual(model.loadBalancerWindow(HISTORY, { region: "r", newColor: "green", services, from: 0, to: MINUTE }), { requests: 750 + 4500, errors: 750 });
    });

    it("adds up unhealthy targets over the target groups a fault hits", () => {
        const result = query({ faults: [{ unhealthyHosts: 1 }] }, "green", { api: 0.5, web: 0.5 });
        assert.ok(!("unavailable" in result));
        assert.deepEqual([result.unhealthyHosts, result.services.api.unhealthyHosts], [2, 1]);
    });

    it("names a fault or a share for a service the env does not have, and shares that do not add up", () => {
        const services = { "ap-northeast-1": ["api", "web"], "us-west-2": ["api", "web"] };
        const problems = (scenario: unknown) => serviceProblems(scenarioSchema.parse(scenario), services);
        assert.deepEqual(problems({ faults: [{ service: "web" }, { region: "us-west-2", service: "api" }] }), []);
        assert.match(problems({ faults: [{ region: "us-west-2", service: "search" }] })[0], /service "search", which region us-west-2 does not have \(services: api, web\)/);
        assert.match(problems({ faults: [{ service: "search" }] })[0], /service "search", which no region of the env has/);
        assert.match(problems({ baseline: { serviceShares: { search: 0.1 } } })[0], /names service "search"/);
        assert.match(problems({ baseline: { serviceShares: { api: 0.5, web: 0.4 } } })[0], /name every service of ap-northeast-1 but add up to 0.9, not 1/);
        assert.deepEqual(problems({ baseline: { serviceShares: { api: 0.9, web: 0.1 } } }), []);
        assert.match(problems({ baseline: { serviceShares: { api: 0.7, web: 0.7 } } })[0], /add up to 1.4/);
    });
});
