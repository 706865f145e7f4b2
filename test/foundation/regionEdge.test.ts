import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import { DEFAULT_TLS_POLICY, HttpsLoadBalancer, HttpsLoadBalancerArgs, isTls12OrNewerPolicy } from "../../components/httpsLoadBalancer";
import { RegionEdge, RegionEdgeArgs } from "../../components/regionEdge";
import { ArgsError } from "../../components/validation";
import { Run, constructedAfter, runComponent, runFailing, usesProvider } from "../helpers/harness";

const TG = "aws:lb/targetGroup:TargetGroup";
const RULE = "aws:lb/listenerRule:ListenerRule";
const RECORD = "aws:route53/record:Record";
const LISTENER = "aws:lb/listener:Listener";
const CERT = "arn:aws:acm:us-west-2:123456789012:certificate/abc";

type EdgeOverrides = Partial<Omit<RegionEdgeArgs, "provider">>;

function edge(overrides: EdgeOverrides = {}) {
    return () => {
        const provider = new aws.Provider("aws", { region: "us-west-2" });
        new RegionEdge("edge", {
            provider,
            env: "prod",
            region: "us-west-2",
            vpcCidr: "10.30.0.0/16",
            availabilityZones: ["us-west-2a", "us-west-2b", "us-west-2c"],
            privateSubnetPrefixLength: 19,
            publicSubnetPrefixLength: 24,
            certificateArn: CERT,
            hostedZoneId: "Z0PUBLIC",
            accessLogsBucket: "mitene-prod-alb-logs-us-west-2",
            services: [
                { name: "api", host: "api.mitene.example", port: 3000, healthCheckPath: "/healthz" },
                { name: "web", host: "www.mitene.example", port: 8080, healthCheckPath: "/up" },
            ],
            weights: { blue: 75, green: 25 },
            ...overrides,
        });
    };
}

describe("RegionEdge: defaults and the resources it owns", function () {
    let run: Run;
    before(async () => {
        run = await runComponent(edge());
    });
    const vpc = () => run.one("awsx:ec2:Vpc").inputs as { subnetSpecs: { type: string; cidrBlocks: string[] }[]; availabilityZoneNames: string[]; natGateways: unknown; cidrBlock: string };

    it("builds the VPC with awsx: three private /19 subnets across the three AZs, from the subnet plan", () => {
        const private_ = vpc().subnetSpecs.find((s) => s.type === "Private")!;
        assert.deepEqual(vpc().availabilityZoneNames, ["us-west-2a", "us-west-2b", "us-west-2c"]);
        assert.deepEqual(private_.cidrBlocks, ["10.30.0.0/19", "10.30.32.0/19", "10.30.64.0/19"]);
        assert.equal(vpc().cidrBlock, "10.30.0.0/16");
    });
    it("gives the public subnets their own /24s after the private ones", () => {
        assert.deepEqual(vpc().subnetSpecs.find((s) => s.type === "Public")!.cidrBlocks, ["10.30.96.0/24", "10.30.97.0/24", "10.30.98.0/24"]);
    });
    it("defaults to one NAT gateway per AZ", () => assert.deepEqual(vpc().natGateways, { strategy: "OnePerAz" }));
    it("tags subnets for internal and internet-facing load balancers", () => {
        const tags = Object.fromEntries(vpc().subnetSpecs.map((s) => [s.type, (s as unknown as { tags: Record<string, string> }).tags]));
        assert.deepEqual(tags.Private, { "kubernetes.io/role/internal-elb": "1" });
        assert.deepEqual(tags.Public, { "kubernetes.io/role/elb": "1" });
    });
    it("passes the explicit AWS provider to the awsx VPC", () => {
        const provider = run.one("pulumi:providers:aws", "aws");
        assert.equal((run.one("awsx:ec2:Vpc").opts?.providers as Record<string, unknown>).aws, provider.object);
    });

    it("runs an internet-facing ALB that drops invalid headers, is protected from deletion and logs to the bucket", () => {
        const alb = run.one("aws:lb/loadBalancer:LoadBalancer").inputs;
        assert.equal(alb.internal, false);
        assert.equal(alb.name, "mitene-prod-usw2");
        assert.equal(alb.dropInvalidHeaderFields, true);
        assert.equal(alb.enableDeletionProtection, true);
        assert.deepEqual(alb.accessLogs, { bucket: "mitene-prod-alb-logs-us-west-2", prefix: "mitene-prod-usw2", enabled: true });
    });
    it("puts the ALB in the public subnets", () => {
        assert.deepEqual(run.one("aws:lb/loadBalancer:LoadBalancer").inputs.subnets, run.one("awsx:ec2:Vpc").state.publicSubnetIds);
    });
    it("terminates HTTPS with a TLS 1.2+ policy and the certificate; unknown hosts get a 404", () => {
        const https = run.one(LISTENER, "edge-lb-https").inputs;
        assert.equal(https.port, 443);
        assert.equal(https.protocol, "HTTPS");
        assert.equal(https.sslPolicy, DEFAULT_TLS_POLICY);
        assert.ok(isTls12OrNewerPolicy(https.sslPolicy));
        assert.equal(https.certificateArn, CERT);
        assert.deepEqual((https.defaultActions as { type: string }[]).map((a) => a.type), ["fixed-response"]);
    });
    it("only redirects HTTP to HTTPS", () => {
        const http = run.one(LISTENER, "edge-lb-http").inputs;
        assert.equal(http.port, 80);
        assert.deepEqual(http.defaultActions, [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]);
        assert.equal(http.certificateArn, undefined);
    });
    it("opens the ALB's security group to the internet on 443 and 80 only", () => {
        const ingress = run.one("aws:ec2/securityGroup:SecurityGroup").inputs.ingress as { fromPort: number; toPort: number; cidrBlocks: string[] }[];
        assert.deepEqual(ingress.map((i) => [i.fromPort, i.toPort, i.cidrBlocks]), [[443, 443, ["0.0.0.0/0"]], [80, 80, ["0.0.0.0/0"]]]);
    });

    it("creates two IP target groups per service, one per color, with the service's health check", () => {
        const groups = run.ofType(TG);
        assert.deepEqual(groups.map((g) => g.inputs.name).sort(), ["prod-usw2-api-blue", "prod-usw2-api-green", "prod-usw2-web-blue", "prod-usw2-web-green"]);
        for (const g of groups) {
            const service = (g.inputs.tags as Record<string, string>)["mitene.io/service"];
            assert.equal(g.inputs.targetType, "ip");
            assert.equal(g.inputs.protocol, "HTTP");
            assert.equal(g.inputs.port, service === "api" ? 3000 : 8080);
            assert.equal((g.inputs.healthCheck as { path: string }).path, service === "api" ? "/healthz" : "/up");
            assert.equal(g.inputs.vpcId, run.one("awsx:ec2:Vpc").state.vpcId);
        }
    });
    it("forwards each service's host to both colors' target groups with the configured weights", () => {
        const arnOf = (name: string) => run.one(TG, name).state.arn;
        for (const service of ["api", "web"]) {
            const rule = run.one(RULE, `edge-${service}`).inputs;
            assert.equal(rule.listenerArn, run.one(LISTENER, "edge-lb-https").state.arn);
            assert.deepEqual(rule.conditions, [{ hostHeader: { values: [service === "api" ? "api.mitene.example" : "www.mitene.example"] } }]);
            const [action] = rule.actions as { type: string; forward: { targetGroups: { arn: string; weight: number }[]; stickiness: { enabled: boolean } } }[];
            assert.equal(action.type, "forward");
            assert.deepEqual(action.forward.targetGroups, [
                { arn: arnOf(`edge-${service}-blue`), weight: 75 },
                { arn: arnOf(`edge-${service}-green`), weight: 25 },
            ]);
            assert.equal(action.forward.stickiness.enabled, false);
        }
    });
    it("gives the rules distinct priorities from 100 in steps of 10 by default", () => {
        assert.deepEqual([run.one(RULE, "edge-api").inputs.priority, run.one(RULE, "edge-web").inputs.priority], [100, 110]);
    });
    it("publishes each host as a latency alias record of this region, evaluating target health", () => {
        const alb = run.one("aws:lb/loadBalancer:LoadBalancer").state;
        for (const [service, host] of [["api", "api.mitene.example"], ["web", "www.mitene.example"]]) {
            const record = run.one(RECORD, `edge-${service}`).inputs;
            assert.equal(record.zoneId, "Z0PUBLIC");
            assert.equal(record.name, host);
            assert.equal(record.type, "A");
            assert.equal(record.setIdentifier, "us-west-2");
            assert.deepEqual(record.latencyRoutingPolicies, [{ region: "us-west-2" }]);
            assert.deepEqual(record.aliases, [{ name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: true }]);
        }
    });
    it("creates every AWS resource with the region's provider", () => {
        const provider = run.one("pulumi:providers:aws", "aws");
        for (const r of run.resources.filter((x) => x.type.startsWith("aws:"))) assert.ok(usesProvider(r, provider), `${r.type} ${r.name}`);
    });
});

describe("RegionEdge: configured sizes, NAT and priorities", function () {
    let run: Run;
    before(async () => {
        run = await runComponent(edge({ privateSubnetPrefixLength: 20, publicSubnetPrefixLength: 26, natGateways: "Single", firstRulePriority: 500, weights: { blue: 0, green: 100 } }));
    });

    it("uses the configured private subnet size", () => {
        const specs = run.one("awsx:ec2:Vpc").inputs.subnetSpecs as { type: string; cidrBlocks: string[] }[];
        assert.deepEqual(specs.find((s) => s.type === "Private")!.cidrBlocks, ["10.30.0.0/20", "10.30.16.0/20", "10.30.32.0/20"]);
        assert.deepEqual(specs.find((s) => s.type === "Public")!.cidrBlocks, ["10.30.48.0/26", "10.30.48.64/26", "10.30.48.128/26"]);
    });
    it("uses a single NAT gateway when asked", () => assert.deepEqual(run.one("awsx:ec2:Vpc").inputs.natGateways, { strategy: "Single" }));
    it("starts rule priorities at firstRulePriority", () => {
        assert.deepEqual([run.one(RULE, "edge-api").inputs.priority, run.one(RULE, "edge-web").inputs.priority], [500, 510]);
    });
    it("carries 100/0 weights as given (all traffic on green)", () => {
        const [action] = run.one(RULE, "edge-api").inputs.actions as { forward: { targetGroups: { weight: number }[] } }[];
        assert.deepEqual(action.forward.targetGroups.map((t) => t.weight), [0, 100]);
    });
});

describe("RegionEdge: validation, before any resource exists", () => {
    const api = { name: "api", host: "api.mitene.example", port: 3000, healthCheckPath: "/healthz" };
    const cases: { title: string; overrides: EdgeOverrides; message: RegExp }[] = [
        { title: "weights not summing to 100", overrides: { weights: { blue: 50, green: 40 } }, message: /weights must sum to 100, got 90/ },
        { title: "a non-integer weight", overrides: { weights: { blue: 99.5, green: 0 } }, message: /blue must be an integer percentage/ },
        { title: "a target group name over 32 characters", overrides: { services: [{ ...api, name: "photo-upload-service" }] }, message: /target group name prod-usw2-photo-upload-service-green exceeds 32 characters/ },
        { title: "duplicate services", overrides: { services: [api, { ...api, host: "api2.mitene.example" }] }, message: /service names repeat: api, api/ },
        { title: "no services", overrides: { services: [] }, message: /at least one service is needed/ },
        { title: "a port out of range", overrides: { services: [{ ...api, port: 70000 }] }, message: /service api: port 70000 is out of range/ },
    ];
    for (const c of cases) {
        it(`rejects ${c.title}`, async () => {
            const failed = await runFailing(edge(c.overrides));
            const [cause] = failed.error.causes;
            assert.ok(cause instanceof ArgsError, String(cause));
            assert.equal(cause.component, "RegionEdge edge");
            assert.equal(cause.problems.length, 1, cause.problems.join(" | "));
            assert.match(cause.problems[0], c.message);
            assert.deepEqual(constructedAfter(failed, "mitene:edge:RegionEdge").map((r) => `${r.type} ${r.name}`), []);
        });
    }

    it("rejects private subnets smaller than /20 in the network, before the VPC exists", async () => {
        const failed = await runFailing(edge({ privateSubnetPrefixLength: 21 }));
        const [cause] = failed.error.causes;
        assert.ok(cause instanceof ArgsError);
        assert.equal(cause.component, "Network edge-net");
        assert.match(cause.problems[0], /private subnets must be \/20 or larger, got \/21/);
        assert.deepEqual(constructedAfter(failed, "mitene:network:Network"), []);
    });
});

describe("HttpsLoadBalancer", () => {
    type LbOverrides = Partial<Omit<HttpsLoadBalancerArgs, "provider">>;
    const lb = (overrides: LbOverrides = {}) => () => {
        const provider = new aws.Provider("aws", { region: "ap-northeast-1" });
        new HttpsLoadBalancer("lb", {
            provider,
            loadBalancerName: "ops-prod-tools",
            internal: true,
            vpcId: "vpc-1",
            subnetIds: ["subnet-a", "subnet-b"],
            ingressCidrs: ["10.100.0.0/16"],
            certificateArn: CERT,
            accessLogsBucket: "logs",
            ...overrides,
        });
    };

    describe("an internal load balancer", function () {
        let run: Run;
        before(async () => {
            run = await runComponent(lb({ sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", accessLogsPrefix: "tools" }));
        });
        it("is internal", () => assert.equal(run.one("aws:lb/loadBalancer:LoadBalancer").inputs.internal, true));
        it("accepts connections only from ingressCidrs", () => {
            const ingress = run.one("aws:ec2/securityGroup:SecurityGroup").inputs.ingress as { cidrBlocks: string[] }[];
            for (const rule of ingress) assert.deepEqual(rule.cidrBlocks, ["10.100.0.0/16"]);
        });
        it("uses a given TLS 1.2+ policy and access-log prefix", () => {
            assert.equal(run.one(LISTENER, "lb-https").inputs.sslPolicy, "ELBSecurityPolicy-TLS13-1-2-2021-06");
            assert.equal((run.one("aws:lb/loadBalancer:LoadBalancer").inputs.accessLogs as { prefix: string }).prefix, "tools");
        });
    });

    it("allows turning deletion protection off explicitly", async () => {
        const run = await runComponent(lb({ deletionProtection: false }));
        assert.equal(run.one("aws:lb/loadBalancer:LoadBalancer").inputs.enableDeletionProtection, false);
    });

    const policies: [string, boolean][] = [
        ["ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09", true],
        ["ELBSecurityPolicy-TLS13-1-3-2021-06", true],
        ["ELBSecurityPolicy-TLS-1-2-2017-01", true],
        ["ELBSecurityPolicy-FS-1-2-Res-2020-10", true],
        ["ELBSecurityPolicy-2016-08", false],
        ["ELBSecurityPolicy-TLS-1-1-2017-01", false],
        ["ELBSecurityPolicy-TLS13-1-0-2021-06", false],
        ["ELBSecurityPolicy-FS-1-1-2019-08", false],
    ];
    for (const [policy, ok] of policies) {
        it(`isTls12OrNewerPolicy(${policy}) is ${ok}`, () => assert.equal(isTls12OrNewerPolicy(policy), ok));
    }

    const cases: { title: string; overrides: LbOverrides; message: RegExp }[] = [
        { title: "a TLS policy older than 1.2", overrides: { sslPolicy: "ELBSecurityPolicy-2016-08" }, message: /sslPolicy ELBSecurityPolicy-2016-08 allows TLS older than 1\.2/ },
        { title: "an internal load balancer without ingressCidrs", overrides: { ingressCidrs: undefined }, message: /an internal load balancer needs ingressCidrs/ },
        { title: "an internal load balancer with empty ingressCidrs", overrides: { ingressCidrs: [] }, message: /an internal load balancer needs ingressCidrs/ },
        { title: "a name longer than 32 characters", overrides: { loadBalancerName: "a".repeat(33) }, message: /must be 1-32 letters, digits or hyphens/ },
        { title: "a name with other characters", overrides: { loadBalancerName: "ops_prod" }, message: /loadBalancerName "ops_prod" must be 1-32 letters, digits or hyphens/ },
        { title: "a name ending in a hyphen", overrides: { loadBalancerName: "ops-" }, message: /must be 1-32 letters/ },
    ];
    for (const c of cases) {
        it(`rejects ${c.title}`, async () => {
            const failed = await runFailing(lb(c.overrides));
            const [cause] = failed.error.causes;
            assert.ok(cause instanceof ArgsError, String(cause));
            assert.deepEqual(cause.problems.length, 1, cause.problems.join(" | "));
            assert.match(cause.problems[0], c.message);
            assert.deepEqual(constructedAfter(failed, "mitene:edge:HttpsLoadBalancer"), []);
        });
    }
});
