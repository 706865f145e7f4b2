import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { parseStackName } from "../../components/naming";
import { ConfigError, ParseOptions, parseStackConfig } from "../../stacks/config/load";
import { clusterConfigSchema, gateSchema, opsConfigSchema, regionConfigSchema, targetGroupNameProblems } from "../../stacks/config/schema";
import { listStacks } from "../../stacks/stackFiles";
import { engine, envRoles, minimalCluster, minimalNodeGroup, minimalOps, minimalRegion } from "../helpers/fixtures";
import { stackConfig } from "../helpers/harness";

type Values = Record<string, unknown>;
const SCHEMAS = { ops: opsConfigSchema, region: regionConfigSchema, cluster: clusterConfigSchema } as const;
type Kind = keyof typeof SCHEMAS;
const BASE: Record<Kind, () => Values> = { ops: minimalOps, region: minimalRegion, cluster: minimalCluster };
const OPS_SECRETS: ParseOptions<"argocdSsoClientSecret"> = { secretKeys: ["argocdSsoClientSecret"], isSecret: () => true };

function parse(kind: Kind, values: Values, options?: ParseOptions<string>): Record<string, unknown> {
    return parseStackConfig(`${kind}-test`, SCHEMAS[kind] as z.ZodType, engine(values), options);
}

/** The problems of a config that must be invalid. */
function problemsOf(kind: Kind, values: Values, options?: ParseOptions<string>): string[] {
    try {
        parse(kind, values, options);
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        return error.problems;
    }
    assert.fail("expected a ConfigError");
}

const get = (value: unknown, path: (string | number)[]) => path.reduce<unknown>((v, key) => (v as Record<string | number, unknown>)[key], value);
const withGroup = (extra: Values) => [{ ...minimalNodeGroup, ...extra }];

describe("config: parseStackConfig", () => {
    for (const kind of Object.keys(SCHEMAS) as Kind[]) {
        it(`accepts the minimal ${kind} config`, () => assert.doesNotThrow(() => parse(kind, BASE[kind]())));
    }

    for (const stack of listStacks()) {
        it(`accepts the committed stack file of ${stack}`, () => {
            const kind = parseStackName(stack)!.kind;
            const { values } = stackConfig(stack);
            assert.doesNotThrow(() => parseStackConfig(stack, SCHEMAS[kind] as z.ZodType, values, kind === "ops" ? OPS_SECRETS : {}));
        });
    }

    it("reports every problem of a broken stack file in ONE ConfigError, each at its mitene: key", () => {
        let thrown = 0;
        let error: ConfigError | undefined;
        try {
            parseStackConfig("region-prod-us-west-2", regionConfigSchema, engine({
                ...minimalRegion(),
                weights: { blue: 60, green: 30 },
                accessLogsBucket: "Not A Bucket",
                hostedZoneId: "zone",
                services: [{ name: "api", host: "api.mitene.example", port: 70000 }],
                gate: { maxErrorRate: 2 },
                cronColor: "red",
                vpcCidrr: "10.0.0.0/16",
            }));
        } catch (e) {
            thrown++;
            error = e as ConfigError;
        }
        assert.equal(thrown, 1);
        assert.ok(error instanceof ConfigError);
        const expected = [
            "mitene:weights:", "mitene:accessLogsBucket:", "mitene:hostedZoneId:", "mitene:services[0].port:", "mitene:gate.maxErrorRate:",
            "mitene:cronColor:", "mitene:vpcCidrr:",
        ];
        for (const prefix of expected) {
            assert.equal(error.problems.filter((p) => p.startsWith(prefix)).length, 1, `${prefix} in ${error.problems.join(" | ")}`);
            assert.ok(error.message.includes(prefix));
        }
        assert.equal(error.problems.length, expected.length, error.problems.join(" | "));
        assert.match(error.message, /^stack region-prod-us-west-2 has invalid configuration:/);
    });

    it("an unknown mitene: key is an error naming the key", () => {
        assert.deepEqual(problemsOf("cluster", { ...minimalCluster(), logRetentionDay: 30 }), ["mitene:logRetentionDay: unknown key (a typo?)"]);
    });

    it("an unknown nested key is an error too, not silently dropped (a typo would change infrastructure)", () => {
        assert.deepEqual(problemsOf("cluster", { ...minimalCluster(), nodeGroups: withGroup({ capacityTyp: "ON_DEMAND" }) }), [
            "mitene:nodeGroups[0].capacityTyp: unknown key (a typo?)",
        ]);
        const ops = minimalOps();
        assert.deepEqual(problemsOf("ops", { ...ops, argocd: { ...ops.argocd, gitopsPaht: "envs/prod" } }), ["mitene:argocd.gitopsPaht: unknown key (a typo?)"]);
    });

    it("ignores keys of other namespaces", () => {
        const config = parseStackConfig("cluster-test", clusterConfigSchema, {
            ...engine(minimalCluster()),
            "aws:region": "not validated here",
            "pulumi:tags": "{not json",
            "kubernetes:context": "x",
        });
        assert.equal(config.kubernetesVersion, "1.34");
        assert.ok(!("region" in config));
    });

    it("reports a structured value that is not JSON", () => {
        const problems = problemsOf("cluster", { ...minimalCluster(), nodeGroups: "[{oops" });
        assert.ok(problems.includes("mitene:nodeGroups: not valid JSON"), problems.join(" | "));
    });

    it("accepts scalars in their string form (as the engine passes them)", () => {
        const config = parse("cluster", { ...minimalCluster(), cron: "false", logRetentionDays: "90", argocdRegistered: "false" });
        assert.equal(config.cron, false);
        assert.equal(config.logRetentionDays, 90);
        assert.equal(config.argocdRegistered, false);
    });
});

const CONNECTION = "arn:aws:codeconnections:ap-northeast-1:123456789012:connection/0000";

describe("config: defaults", () => {
    const gateDefaults = gateSchema.parse({});
    const defaults: { kind: Kind; key: string; path: (string | number)[]; expected: unknown; values?: (base: Values) => Values }[] = [
        { kind: "ops", key: "privateSubnetPrefixLength", path: ["privateSubnetPrefixLength"], expected: 19 },
        { kind: "ops", key: "publicSubnetPrefixLength", path: ["publicSubnetPrefixLength"], expected: 24 },
        { kind: "ops", key: "natGateways", path: ["natGateways"], expected: "OnePerAz" },
        { kind: "ops", key: "publicAccessCidrs", path: ["publicAccessCidrs"], expected: [] },
        { kind: "ops", key: "coreAddonsVersion (the control plane's version)", path: ["coreAddonsVersion"], expected: "1.35", values: (b) => ({ ...b, kubernetesVersion: "1.35" }) },
        { kind: "ops", key: "nodeGroupVersion (the control plane's version)", path: ["nodeGroupVersion"], expected: "1.35", values: (b) => ({ ...b, kubernetesVersion: "1.35" }) },
        { kind: "ops", key: "argocd.gitopsPath", path: ["argocd", "gitopsPath"], expected: "apps" },
        { kind: "ops", key: "argocd.gitopsRevision", path: ["argocd", "gitopsRevision"], expected: "main" },
        { kind: "ops", key: "argocd.sso.adminGroups", path: ["argocd", "sso", "adminGroups"], expected: [] },
        { kind: "ops", key: "grafana (disabled)", path: ["grafana"], expected: { enabled: false } },
        { kind: "ops", key: "grafana.enabled when grafana is given", path: ["grafana", "enabled"], expected: false, values: (b) => ({ ...b, grafana: { hostname: "grafana.ops.mitene.internal" } }) },
        { kind: "ops", key: "argocdSsoClientSecret (absent)", path: ["argocdSsoClientSecret"], expected: undefined },
        { kind: "region", key: "privateSubnetPrefixLength", path: ["privateSubnetPrefixLength"], expected: 19 },
        { kind: "region", key: "publicSubnetPrefixLength", path: ["publicSubnetPrefixLength"], expected: 24 },
        { kind: "region", key: "natGateways", path: ["natGateways"], expected: "OnePerAz" },
        { kind: "region", key: "services[].healthCheckPath", path: ["services", 0, "healthCheckPath"], expected: "/healthz" },
        { kind: "region", key: "services[].namespace", path: ["services", 0, "namespace"], expected: "mitene" },
        { kind: "region", key: "services[].serviceName (absent: the service name is used)", path: ["services", 0, "serviceName"], expected: undefined },
        { kind: "region", key: "gate (all defaults)", path: ["gate"], expected: gateDefaults },
        { kind: "region", key: "gate.maxErrorRate", path: ["gate", "maxErrorRate"], expected: 0.01, values: (b) => ({ ...b, gate: {} }) },
        { kind: "region", key: "gate.maxP99Ms", path: ["gate", "maxP99Ms"], expected: 1500, values: (b) => ({ ...b, gate: {} }) },
        { kind: "region", key: "gate.maxUnhealthyHosts", path: ["gate", "maxUnhealthyHosts"], expected: 0, values: (b) => ({ ...b, gate: {} }) },
        { kind: "region", key: "gate.maxErrorRateRatio", path: ["gate", "maxErrorRateRatio"], expected: 2, values: (b) => ({ ...b, gate: {} }) },
        { kind: "region", key: "gate.maxP99Ratio", path: ["gate", "maxP99Ratio"], expected: 1.5, values: (b) => ({ ...b, gate: {} }) },
        { kind: "region", key: "gate.minRequests", path: ["gate", "minRequests"], expected: 200, values: (b) => ({ ...b, gate: {} }) },
        { kind: "region", key: "gate.inconclusiveTimeoutMinutes", path: ["gate", "inconclusiveTimeoutMinutes"], expected: 30, values: (b) => ({ ...b, gate: {} }) },
        { kind: "region", key: "gate fields next to a given one", path: ["gate", "maxP99Ms"], expected: 1500, values: (b) => ({ ...b, gate: { maxErrorRate: 0.05 } }) },
        { kind: "region", key: "upgrade (absent)", path: ["upgrade"], expected: undefined },
        { kind: "cluster", key: "argocdRegistered", path: ["argocdRegistered"], expected: true },
        // The NTH README: EKS managed node groups (the only kind this platform runs) do not need it.
        { kind: "cluster", key: "nodeTerminationHandler (off)", path: ["nodeTerminationHandler"], expected: false },
        { kind: "cluster", key: "supportType", path: ["supportType"], expected: "EXTENDED" },
        { kind: "ops", key: "supportType", path: ["supportType"], expected: "EXTENDED" },
        { kind: "cluster", key: "controlPlaneLogRetentionDays", path: ["controlPlaneLogRetentionDays"], expected: 90 },
        { kind: "ops", key: "controlPlaneLogRetentionDays", path: ["controlPlaneLogRetentionDays"], expected: 90 },
        { kind: "cluster", key: "operatorAccess", path: ["operatorAccess"], expected: [] },
        { kind: "ops", key: "operatorAccess", path: ["operatorAccess"], expected: [] },
        { kind: "region", key: "services[].servicePort (absent: the program uses port)", path: ["services", 0, "servicePort"], expected: undefined },
        { kind: "ops", key: "ciRunner (absent: no runners)", path: ["ciRunner"], expected: undefined },
        {
            kind: "ops",
            key: "ciRunner.computeType",
            path: ["ciRunner", "computeType"],
            expected: "BUILD_GENERAL1_MEDIUM",
            values: (b) => ({ ...b, ciRunner: { repositoryUrl: "https://github.com/mitene/platform", connectionArn: CONNECTION } }),
        },
        { kind: "cluster", key: "logRetentionDays", path: ["logRetentionDays"], expected: 30 },
        { kind: "cluster", key: "publicAccessCidrs", path: ["publicAccessCidrs"], expected: [] },
        { kind: "cluster", key: "parameterPath (absent: the program uses /mitene/<env>)", path: ["parameterPath"], expected: undefined },
        { kind: "cluster", key: "nodeGroups[].capacityType", path: ["nodeGroups", 0, "capacityType"], expected: "SPOT" },
        { kind: "cluster", key: "nodeGroups[].diskSizeGiB", path: ["nodeGroups", 0, "diskSizeGiB"], expected: 50 },
        { kind: "cluster", key: "nodeGroups[].maxPodsPerNode", path: ["nodeGroups", 0, "maxPodsPerNode"], expected: 58 },
        { kind: "cluster", key: "nodeGroups[].labels", path: ["nodeGroups", 0, "labels"], expected: {} },
        { kind: "ops", key: "nodeGroups[].capacityType", path: ["nodeGroups", 0, "capacityType"], expected: "SPOT" },
    ];
    for (const d of defaults) {
        it(`${d.kind}: ${d.key} defaults to ${JSON.stringify(d.expected) ?? "undefined"}`, () => {
            const base = BASE[d.kind]();
            const config = parse(d.kind, d.values ? d.values(base) : base, d.kind === "ops" ? OPS_SECRETS : undefined);
            assert.deepEqual(get(config, d.path), d.expected);
        });
    }

    it("ops: explicit coreAddonsVersion and nodeGroupVersion are kept (an in-place upgrade in progress)", () => {
        const config = parse("ops", { ...minimalOps(), kubernetesVersion: "1.35", coreAddonsVersion: "1.34", nodeGroupVersion: "1.33" });
        assert.equal(config.coreAddonsVersion, "1.34");
        assert.equal(config.nodeGroupVersion, "1.33");
    });
});

describe("config: validation errors", () => {
    const ops = minimalOps();
    const region = minimalRegion();
    const cases: { kind: Kind; title: string; values: Values; key: string; message: RegExp }[] = [
        // ops
        { kind: "ops", title: "0.0.0.0/0 in publicAccessCidrs", values: { ...ops, publicAccessCidrs: ["203.0.113.0/24", "0.0.0.0/0"] }, key: "mitene:publicAccessCidrs", message: /must not be open to the whole internet/ },
        { kind: "ops", title: "a node group with minSize > desiredSize", values: { ...ops, nodeGroups: withGroup({ minSize: 3, desiredSize: 2, maxSize: 5 }) }, key: "mitene:nodeGroups[0]", message: /needs minSize <= desiredSize <= maxSize, got 3 <= 2 <= 5/ },
        { kind: "ops", title: "a node group with desiredSize > maxSize", values: { ...ops, nodeGroups: withGroup({ minSize: 1, desiredSize: 6, maxSize: 5 }) }, key: "mitene:nodeGroups[0]", message: /got 1 <= 6 <= 5/ },
        { kind: "ops", title: "repeated node group names", values: { ...ops, nodeGroups: [minimalNodeGroup, minimalNodeGroup] }, key: "mitene:nodeGroups", message: /node group names repeat: general, general/ },
        { kind: "ops", title: "no node groups", values: { ...ops, nodeGroups: [] }, key: "mitene:nodeGroups", message: /Too small/ },
        { kind: "ops", title: "a node group without instance types", values: { ...ops, nodeGroups: withGroup({ instanceTypes: [] }) }, key: "mitene:nodeGroups[0].instanceTypes", message: /Too small/ },
        { kind: "ops", title: "nodeGroupVersion ahead of the control plane", values: { ...ops, nodeGroupVersion: "1.35" }, key: "mitene:nodeGroupVersion", message: /1\.35 is ahead of the control plane 1\.34/ },
        { kind: "ops", title: "coreAddonsVersion ahead of the control plane", values: { ...ops, coreAddonsVersion: "1.35" }, key: "mitene:coreAddonsVersion", message: /1\.35 is ahead of the control plane 1\.34/ },
        { kind: "ops", title: "nodes more than three minors behind", values: { ...ops, kubernetesVersion: "1.34", nodeGroupVersion: "1.30" }, key: "mitene:nodeGroupVersion", message: /at most three minors behind/ },
        { kind: "ops", title: "a Kubernetes version that is not a minor", values: { ...ops, kubernetesVersion: "1.34.2" }, key: "mitene:kubernetesVersion", message: /expected a Kubernetes minor like 1\.34/ },
        { kind: "ops", title: "no SSO client secret source", values: { ...ops, argocd: { ...ops.argocd, sso: { issuer: "https://sso.mitene.example", clientId: "argocd-test" } } }, key: "mitene:argocd.sso.clientSecretParameter", message: /required unless argocdSsoClientSecret is set as a secret/ },
        { kind: "ops", title: "Grafana enabled without a host name", values: { ...ops, grafana: { enabled: true } }, key: "mitene:grafana.hostname", message: /required when grafana.enabled is true/ },
        { kind: "ops", title: "a region that is not one", values: { ...ops, region: "tokyo" }, key: "mitene:region", message: /expected an AWS region/ },
        { kind: "ops", title: "private subnets smaller than /20", values: { ...ops, privateSubnetPrefixLength: 21 }, key: "mitene:vpcCidr", message: /private subnets must be \/20 or larger, got \/21/ },
        { kind: "ops", title: "a VPC too small for the subnets", values: { ...ops, vpcCidr: "10.100.0.0/18" }, key: "mitene:vpcCidr", message: /need 25344 addresses/ },
        { kind: "ops", title: "a misaligned VPC CIDR", values: { ...ops, vpcCidr: "10.100.7.0/16" }, key: "mitene:vpcCidr", message: /not aligned/ },
        { kind: "ops", title: "a GitOps URL that is neither https nor ssh", values: { ...ops, argocd: { ...ops.argocd, gitopsRepoUrl: "http://github.com/x" } }, key: "mitene:argocd.gitopsRepoUrl", message: /expected an https:\/\/ or git@ repository URL/ },
        // region
        { kind: "region", title: "weights not summing to 100", values: { ...region, weights: { blue: 50, green: 40 } }, key: "mitene:weights", message: /weights must sum to 100, got 90/ },
        { kind: "region", title: "a fractional weight", values: { ...region, weights: { blue: 99.5, green: 0 } }, key: "mitene:weights", message: /blue must be an integer percentage/ },
        { kind: "region", title: "a weight for an unknown color", values: { ...region, weights: { blue: 100, green: 0, red: 0 } }, key: "mitene:weights", message: /unknown color "red"/ },
        { kind: "region", title: "repeated service names", values: { ...region, services: [region.services[0], { ...region.services[0], host: "www.mitene.example" }] }, key: "mitene:services", message: /service names repeat: api, api/ },
        { kind: "region", title: "repeated service hosts", values: { ...region, services: [region.services[0], { ...region.services[0], name: "web" }] }, key: "mitene:services", message: /service hosts repeat: api\.mitene\.example, api\.mitene\.example/ },
        { kind: "region", title: "no services", values: { ...region, services: [] }, key: "mitene:services", message: /Too small/ },
        { kind: "region", title: "a port out of range", values: { ...region, services: [{ ...region.services[0], port: 0 }] }, key: "mitene:services[0].port", message: /Too small/ },
        { kind: "region", title: "a health-check path without a leading /", values: { ...region, services: [{ ...region.services[0], healthCheckPath: "healthz" }] }, key: "mitene:services[0].healthCheckPath", message: /expected a path starting with \// },
        { kind: "region", title: "a service name that is not a DNS label", values: { ...region, services: [{ ...region.services[0], name: "API_v2" }] }, key: "mitene:services[0].name", message: /expected a lower-case DNS label/ },
        { kind: "region", title: "an error-rate threshold above 1", values: { ...region, gate: { maxErrorRate: 2 } }, key: "mitene:gate.maxErrorRate", message: /Too big/ },
        { kind: "region", title: "an unknown cron color", values: { ...region, cronColor: "red" }, key: "mitene:cronColor", message: /Invalid option/ },
        { kind: "region", title: "an upgrade record in an unknown state", values: { ...region, upgrade: { newColor: "green", attempt: "a", seq: 1, state: "paused" } }, key: "mitene:upgrade.state", message: /Invalid option/ },
        { kind: "region", title: "a certificate that is not an ACM ARN", values: { ...region, certificateArn: "arn:aws:iam::123456789012:server-certificate/x" }, key: "mitene:certificateArn", message: /expected an acm ARN/ },
        // cluster
        { kind: "cluster", title: "a log retention CloudWatch does not offer", values: { ...minimalCluster(), logRetentionDays: 31 }, key: "mitene:logRetentionDays", message: /must be one of CloudWatch's retention periods: 1, 3, 5/ },
        { kind: "cluster", title: "a log retention that is not a number", values: { ...minimalCluster(), logRetentionDays: "thirty" }, key: "mitene:logRetentionDays", message: /expected a whole number/ },
        { kind: "cluster", title: "a fractional node group size", values: { ...minimalCluster(), nodeGroups: [{ ...minimalCluster().nodeGroups[0], minSize: 2.5 }] }, key: "mitene:nodeGroups[0].minSize", message: /^mitene:nodeGroups\[0\]\.minSize: expected a whole number, got 2\.5$/ },
        { kind: "cluster", title: "cron that is not a boolean", values: { ...minimalCluster(), cron: "yes" }, key: "mitene:cron", message: /^mitene:cron: expected true or false, got "yes"$/ },
        { kind: "cluster", title: "a missing kubernetesVersion", values: { ...minimalCluster(), kubernetesVersion: undefined }, key: "mitene:kubernetesVersion", message: /expected string/ },
        { kind: "cluster", title: "an AMP workspace id of the wrong shape", values: { ...minimalCluster(), ampWorkspaceId: "workspace-1" }, key: "mitene:ampWorkspaceId", message: /expected an AMP workspace id/ },
        { kind: "cluster", title: "a parameter path without a leading /", values: { ...minimalCluster(), parameterPath: "mitene/prod" }, key: "mitene:parameterPath", message: /expected a path like \/mitene\/prod/ },
        { kind: "cluster", title: "0.0.0.0/0 in publicAccessCidrs", values: { ...minimalCluster(), publicAccessCidrs: ["0.0.0.0/0"] }, key: "mitene:publicAccessCidrs", message: /must not be open to the whole internet/ },
        { kind: "cluster", title: "no account id", values: { ...minimalCluster(), accountId: undefined }, key: "mitene:accountId", message: /expected string/i },
        { kind: "cluster", title: "an account id that is not 12 digits", values: { ...minimalCluster(), accountId: "12345" }, key: "mitene:accountId", message: /expected a 12-digit AWS account id/ },
        { kind: "cluster", title: "a deploy role in another account", values: { ...minimalCluster(), deployRoleArn: "arn:aws:iam::999999999999:role/deploy" }, key: "mitene:deployRoleArn", message: /is in account 999999999999, not the env's account 123456789012/ },
        { kind: "region", title: "a preview role in another account", values: { ...region, previewRoleArn: "arn:aws:iam::999999999999:role/mitene-test-preview" }, key: "mitene:previewRoleArn", message: /is in account 999999999999/ },
        { kind: "ops", title: "a rollback role in another account", values: { ...ops, rollbackRoleArn: "arn:aws:iam::999999999999:role/mitene-test-rollback" }, key: "mitene:rollbackRoleArn", message: /is in account 999999999999/ },
        { kind: "cluster", title: "no deploy role", values: { ...minimalCluster(), deployRoleArn: undefined }, key: "mitene:deployRoleArn", message: /expected string/i },
        { kind: "ops", title: "no preview role", values: { ...ops, previewRoleArn: undefined }, key: "mitene:previewRoleArn", message: /expected string/i },
        { kind: "region", title: "no rollback role", values: { ...region, rollbackRoleArn: undefined }, key: "mitene:rollbackRoleArn", message: /expected string/i },
        { kind: "cluster", title: "a preview role that is not a role ARN", values: { ...minimalCluster(), previewRoleArn: "mitene-test-preview" }, key: "mitene:previewRoleArn", message: /expected an IAM role ARN/ },
        { kind: "cluster", title: "an unknown support type", values: { ...minimalCluster(), supportType: "LONG" }, key: "mitene:supportType", message: /Invalid option/ },
        { kind: "ops", title: "a control-plane log retention CloudWatch does not offer", values: { ...ops, controlPlaneLogRetentionDays: 100 }, key: "mitene:controlPlaneLogRetentionDays", message: /must be one of CloudWatch's retention periods/ },
        {
            kind: "cluster",
            title: "an operator entry named like one of the env's",
            values: { ...minimalCluster(), operatorAccess: [{ name: "deploy", principalArn: "arn:aws:iam::123456789012:role/oncall", access: "admin" }] },
            key: "mitene:operatorAccess[0].name",
            message: /"deploy" is taken/,
        },
        {
            kind: "ops",
            title: "an operator entry for the env's preview role (EKS allows one entry per principal)",
            values: { ...ops, operatorAccess: [{ name: "oncall", principalArn: envRoles().previewRoleArn, access: "view" }] },
            key: "mitene:operatorAccess[0].principalArn",
            message: /already has an access entry/,
        },
        {
            kind: "cluster",
            title: "an operator role in another account",
            values: { ...minimalCluster(), operatorAccess: [{ name: "oncall", principalArn: "arn:aws:iam::999999999999:role/oncall", access: "view" }] },
            key: "mitene:operatorAccess[0].principalArn",
            message: /is in account 999999999999/,
        },
        {
            kind: "cluster",
            title: "an operator access that is neither admin nor view",
            values: { ...minimalCluster(), operatorAccess: [{ name: "oncall", principalArn: "arn:aws:iam::123456789012:role/oncall", access: "edit" }] },
            key: "mitene:operatorAccess[0].access",
            message: /Invalid option/,
        },
        { kind: "region", title: "a certificate of another account", values: { ...region, certificateArn: "arn:aws:acm:us-west-2:999999999999:certificate/abc" }, key: "mitene:certificateArn", message: /is in account 999999999999, not the env's account 123456789012/ },
        { kind: "region", title: "a service port out of range", values: { ...region, services: [{ ...region.services[0], servicePort: 70000 }] }, key: "mitene:services[0].servicePort", message: /Too big/ },
        {
            kind: "ops",
            title: "a runner repository that is not on GitHub",
            values: { ...ops, ciRunner: { repositoryUrl: "https://example.com/x", connectionArn: CONNECTION } },
            key: "mitene:ciRunner.repositoryUrl",
            message: /expected https:\/\/github\.com/,
        },
        { kind: "cluster", title: "a public access entry that is not a CIDR", values: { ...minimalCluster(), publicAccessCidrs: ["office"] }, key: "mitene:publicAccessCidrs[0]", message: /expected an IPv4 CIDR/ },
    ];
    for (const c of cases) {
        it(`${c.kind}: rejects ${c.title}`, () => {
            const values = Object.fromEntries(Object.entries(c.values).filter(([, v]) => v !== undefined));
            const problems = problemsOf(c.kind, values, c.kind === "ops" ? OPS_SECRETS : undefined);
            assert.equal(problems.length, 1, problems.join(" | "));
            assert.ok(problems[0].startsWith(`${c.key}: `), problems[0]);
            assert.match(problems[0], c.message);
        });
    }

    it("region: target group names longer than 32 characters are reported with the fix", () => {
        assert.deepEqual(targetGroupNameProblems("prod", "ap-northeast-1", [{ name: "api" }]), []);
        assert.deepEqual(targetGroupNameProblems("production", "ap-southeast-2", [{ name: "photo-upload-api" }]), [
            'target group name "production-apse2-photo-upload-api-green" is longer than 32 characters: shorten the service name',
        ]);
    });
});

describe("config: secrets", () => {
    const withSecret = () => {
        const ops = minimalOps();
        return { ...ops, argocd: { ...ops.argocd, sso: { issuer: ops.argocd.sso.issuer, clientId: ops.argocd.sso.clientId } }, argocdSsoClientSecret: "s3cr3t" };
    };

    it("argocdSsoClientSecret given as plain config is an error", () => {
        const problems = problemsOf("ops", withSecret(), { secretKeys: ["argocdSsoClientSecret"], isSecret: () => false });
        assert.deepEqual(problems, ["mitene:argocdSsoClientSecret: holds a credential and must be a secret (pulumi config set --secret argocdSsoClientSecret)"]);
    });

    it("the secret check asks about the fully qualified key", () => {
        const asked: string[] = [];
        parse("ops", withSecret(), { secretKeys: ["argocdSsoClientSecret"], isSecret: (key) => (asked.push(key), true) });
        assert.deepEqual(asked, ["mitene:argocdSsoClientSecret"]);
    });

    it("argocdSsoClientSecret given as a secret comes back as a secret Output holding the value", async () => {
        const config = parse("ops", withSecret(), OPS_SECRETS);
        const secret = config.argocdSsoClientSecret as pulumi.Output<string>;
        assert.ok(pulumi.Output.isInstance(secret));
        assert.equal(await pulumi.isSecret(secret), true);
        const value = await new Promise<string>((resolve) => secret.apply((v) => resolve(v)));
        assert.equal(value, "s3cr3t");
    });

    it("with the secret set, the SSM parameter is not required", () => {
        assert.doesNotThrow(() => parse("ops", withSecret(), OPS_SECRETS));
    });
});
