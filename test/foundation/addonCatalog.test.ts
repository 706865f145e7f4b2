import { strict as assert } from "node:assert";
import * as semver from "semver";
import {
    ADDON_CATALOG,
    AddonSpec,
    CLUSTER_AUTOSCALER_IMAGES,
    OPS_CHARTS,
    chartSupports,
    selectAddons,
    unsupportedCharts,
} from "../../components/addonCatalog";
import { chartSource } from "../../components/addonRelease";
import { PolicyStatement } from "../../components/iamPolicies";
import { EKS_VERSIONS } from "../../components/kubernetesVersions";
import { ADDON_CONTEXT as CONTEXT } from "../helpers/fixtures";
import { catalogActions, grantsWrite } from "../../policy/iamAccess";

const addon = (name: string): AddonSpec => {
    const spec = ADDON_CATALOG.find((a) => a.name === name);
    if (!spec) throw new Error(`no add-on ${name}`);
    return spec;
};

const ALL_CHARTS = [...ADDON_CATALOG, ...Object.values(OPS_CHARTS)];
const K8S_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Objects anywhere in `value` (depth first). */
function objectsIn(value: unknown): Record<string, unknown>[] {
    if (Array.isArray(value)) return value.flatMap(objectsIn);
    if (value && typeof value === "object") return [value as Record<string, unknown>, ...Object.values(value).flatMap(objectsIn)];
    return [];
}

describe("addonCatalog: the catalog as data", () => {
    it("holds the platform add-ons the design names", () => {
        assert.deepEqual(ADDON_CATALOG.map((a) => a.name).sort(), [
            "aws-load-balancer-controller", "aws-node-termination-handler", "cluster-autoscaler", "external-secrets",
            "fluent-bit", "metrics-server", "prometheus-agent",
        ]);
    });

    for (const chart of ALL_CHARTS) {
        it(`${chart.name}: pins an exact chart version (${chart.version}), not a range`, () => {
            assert.equal(semver.valid(chart.version), chart.version);
            assert.doesNotMatch(chart.version, /[\^~*xX><= |]/);
        });
    }

    it("add-on names, namespaces and service accounts are Kubernetes names, and names are unique", () => {
        for (const spec of ADDON_CATALOG) {
            for (const value of [spec.name, spec.namespace, spec.serviceAccount]) assert.match(value, K8S_NAME, `${spec.name}: ${value}`);
        }
        assert.equal(new Set(ADDON_CATALOG.map((a) => a.name)).size, ADDON_CATALOG.length);
    });

    it("every chart comes from an https:// repository or an oci:// registry", () => {
        for (const chart of ALL_CHARTS) assert.match(chart.repository, /^(https|oci):\/\//, chart.name);
    });

    it("every chart's supported range is a real, ordered range of minors", () => {
        for (const chart of ALL_CHARTS) {
            assert.ok(semver.lte(`${chart.kubernetes.min}.0`, `${chart.kubernetes.max}.0`), chart.name);
        }
    });

    it("chartSource installs HTTP repositories by name and OCI charts by reference", () => {
        assert.deepEqual(chartSource(addon("metrics-server")), { chart: "metrics-server", repositoryOpts: { repo: "https://kubernetes-sigs.github.io/metrics-server/" } });
        assert.deepEqual(chartSource(addon("aws-node-termination-handler")), { chart: "oci://public.ecr.aws/aws-ec2/helm/aws-node-termination-handler" });
        assert.deepEqual(chartSource({ chart: "x", repository: "oci://registry.example/charts/" }), { chart: "oci://registry.example/charts/x" });
    });
});

describe("addonCatalog: Kubernetes version support", () => {
    const supportedByAutoscaler = EKS_VERSIONS.map((v) => v.version).filter((v) => chartSupports(addon("cluster-autoscaler"), v));

    it("the cluster autoscaler supports at least the newest EKS version", () => {
        assert.ok(supportedByAutoscaler.includes(EKS_VERSIONS[EKS_VERSIONS.length - 1].version));
    });

    for (const version of supportedByAutoscaler) {
        it(`cluster-autoscaler on ${version} runs the ${version} image`, () => {
            const image = CLUSTER_AUTOSCALER_IMAGES[version];
            assert.ok(image, `no image for ${version}`);
            assert.match(image, new RegExp(`^v${version.replace(".", "\\.")}\\.\\d+$`));
            const values = addon("cluster-autoscaler").values({ ...CONTEXT, kubernetesVersion: version }) as { image: { tag: string } };
            assert.equal(values.image.tag, image);
        });
    }

    const support: [string, string, boolean][] = [
        ["cluster-autoscaler", "1.32", true], // min, inclusive
        ["cluster-autoscaler", "1.31", false],
        ["cluster-autoscaler", "1.36", true], // max, inclusive
        ["cluster-autoscaler", "1.37", false],
        ["aws-node-termination-handler", "1.35", true],
        ["aws-node-termination-handler", "1.36", false],
        ["metrics-server", "1.100", false], // numeric comparison: lexically "1.100" < "1.36"
    ];
    for (const [name, version, expected] of support) {
        it(`chartSupports(${name}, ${version}) is ${expected}`, () => assert.equal(chartSupports(addon(name), version), expected));
    }

    const unsupported: [string, string[]][] = [
        ["1.34", []],
        ["1.35", []],
        ["1.36", ["aws-node-termination-handler"]],
        ["1.31", ["cluster-autoscaler"]],
        ["1.30", ["cluster-autoscaler", "metrics-server"]],
    ];
    for (const [version, names] of unsupported) {
        it(`unsupportedCharts(catalog, ${version}) is [${names.join(", ")}]`, () => {
            assert.deepEqual(unsupportedCharts(ADDON_CATALOG, version).map((c) => c.name), names);
        });
    }

    it("unsupportedCharts checks the Ops charts the same way", () => {
        assert.deepEqual(unsupportedCharts(Object.values(OPS_CHARTS), "1.30").map((c) => c.name), ["argocd"]);
        assert.deepEqual(unsupportedCharts(Object.values(OPS_CHARTS), "1.34"), []);
    });
});

describe("addonCatalog: values", () => {
    it("the AWS Load Balancer Controller is given region, VPC id and cluster name (pods cannot read IMDS at hop limit 1)", () => {
        const values = addon("aws-load-balancer-controller").values(CONTEXT);
        assert.equal(values.region, CONTEXT.region);
        assert.equal(values.vpcId, CONTEXT.vpcId);
        assert.equal(values.clusterName, CONTEXT.clusterName);
    });

    for (const spec of ADDON_CATALOG.filter((a) => a.policy)) {
        it(`${spec.name}: the service account the chart creates is the one its IRSA role trusts, annotated with the role`, () => {
            const annotated = objectsIn(spec.values(CONTEXT)).filter(
                (o) => (o.annotations as Record<string, string> | undefined)?.["eks.amazonaws.com/role-arn"] === CONTEXT.roleArn,
            );
            assert.equal(annotated.length, 1, "expected exactly one annotated service account");
            assert.equal(annotated[0].name, spec.serviceAccount);
            assert.equal(annotated[0].create, true);
        });
    }

    for (const spec of ADDON_CATALOG.filter((a) => !a.policy)) {
        it(`${spec.name}: has no AWS access and no role annotation`, () => {
            assert.ok(!JSON.stringify(spec.values(CONTEXT)).includes("eks.amazonaws.com/role-arn"));
        });
    }

    it("the cluster autoscaler discovers this cluster's groups in this region", () => {
        const values = addon("cluster-autoscaler").values(CONTEXT) as { awsRegion: string; autoDiscovery: { clusterName: string } };
        assert.equal(values.awsRegion, CONTEXT.region);
        assert.equal(values.autoDiscovery.clusterName, CONTEXT.clusterName);
    });

    it("Fluent Bit ships to the pre-created log group in this region and never creates groups", () => {
        const outputs = (addon("fluent-bit").values(CONTEXT) as { config: { outputs: string } }).config.outputs;
        assert.match(outputs, /region us-west-2/);
        assert.ok(outputs.includes(`log_group_name ${CONTEXT.logGroupName}`));
        assert.match(outputs, /auto_create_group false/);
    });

    // Prometheus refuses rule_files in agent mode ("field rule_files is not allowed in agent mode"), and the
    // chart's default serverFiles."prometheus.yml" lists four: the release would crash-loop and roll back.
    it("the Prometheus agent empties the chart's default rule_files (agent mode refuses any)", () => {
        const values = addon("prometheus-agent").values(CONTEXT) as { serverFiles: Record<string, { rule_files: unknown[] }> };
        assert.deepEqual(values.serverFiles["prometheus.yml"].rule_files, []);
    });

    // defaultFlagsOverride replaces all the chart's flags, extraFlags' web.enable-lifecycle included, and the
    // config reloader (configmapReload.prometheus.enabled by default) POSTs to /-/reload.
    it("the Prometheus agent keeps --web.enable-lifecycle for the config reloader", () => {
        const flags = (addon("prometheus-agent").values(CONTEXT) as { server: { defaultFlagsOverride: string[] } }).server.defaultFlagsOverride;
        assert.ok(flags.includes("--web.enable-lifecycle"), flags.join(" "));
        assert.ok(flags.includes("--agent"));
    });

    it("the Prometheus agent remote-writes to the AMP workspace of this region, labelled with the cluster", () => {
        const values = addon("prometheus-agent").values(CONTEXT) as {
            server: { remoteWrite: { url: string; sigv4: { region: string } }[]; global: { external_labels: { cluster: string } }; defaultFlagsOverride: string[] };
        };
        assert.equal(values.server.remoteWrite[0].url, `https://aps-workspaces.us-west-2.amazonaws.com/workspaces/${CONTEXT.ampWorkspaceId}/api/v1/remote_write`);
        assert.equal(values.server.remoteWrite[0].sigv4.region, "us-west-2");
        assert.equal(values.server.global.external_labels.cluster, CONTEXT.clusterName);
        assert.ok(values.server.defaultFlagsOverride.includes("--agent"));
    });

    it("external-secrets gets the region through extraEnv, the chart's list of container variables", () => {
        const values = addon("external-secrets").values(CONTEXT);
        assert.deepEqual(values.extraEnv, [{ name: "AWS_REGION", value: "us-west-2" }]);
        assert.equal(values.env, undefined);
    });
});

describe("addonCatalog: opt-in add-ons", () => {
    it("only the Node Termination Handler is opt-in, with its reason written down", () => {
        assert.deepEqual(ADDON_CATALOG.filter((a) => a.optIn).map((a) => a.name), ["aws-node-termination-handler"]);
        assert.match(addon("aws-node-termination-handler").optIn!, /managed node groups/);
    });

    it("selectAddons leaves the opt-in ones out unless chosen", () => {
        const everyOther = ADDON_CATALOG.filter((a) => a.name !== "aws-node-termination-handler").map((a) => a.name);
        assert.deepEqual(selectAddons([]).map((a) => a.name), everyOther);
        assert.deepEqual(selectAddons(["aws-node-termination-handler"]).map((a) => a.name), ADDON_CATALOG.map((a) => a.name));
    });
});

/** Read-only verbs; everything else is a write. */
/** Whether every action a pattern covers is a read, by the IAM action catalog's access levels. */
const isReadOnly = async (action: string) => {
    const covered = await catalogActions(action);
    return covered.length > 0 && !covered.some((a) => grantsWrite(a.accessLevel));
};
const resources = (s: PolicyStatement) => (s.Resource === undefined ? [] : Array.isArray(s.Resource) ? s.Resource : [s.Resource]);


describe("addonCatalog: the load balancer controller's policy", () => {
    const doc = addon("aws-load-balancer-controller").policy!(CONTEXT);
    const actions = doc.Statement.flatMap((s) => s.Action);

    it("cannot create or delete load balancers, or change listeners and rules (the weights are Pulumi's)", () => {
        const forbidden = ["CreateLoadBalancer", "DeleteLoadBalancer", "ModifyRule", "ModifyListener", "CreateRule", "DeleteRule", "CreateTargetGroup", "DeleteTargetGroup"];
        for (const action of forbidden) assert.equal(actions.includes(`elasticloadbalancing:${action}`), false, action);
        assert.equal(actions.includes("ec2:DeleteSecurityGroup"), false);
    });

    it("registers targets only in its own color's target groups", () => {
        const register = doc.Statement.find((s) => s.Action.includes("elasticloadbalancing:RegisterTargets"))!;
        assert.equal(register.Resource, "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/prod-usw2-*-green/*");
    });

    it("changes security-group rules only in the cluster's VPC", () => {
        const ingress = doc.Statement.find((s) => s.Action.includes("ec2:AuthorizeSecurityGroupIngress"))!;
        assert.deepEqual(ingress.Condition, { ArnEquals: { "ec2:Vpc": `arn:aws:ec2:us-west-2:123456789012:vpc/${CONTEXT.vpcId}` } });
    });
});

describe("addonCatalog: IAM policies", () => {
    const withPolicy = ADDON_CATALOG.filter((a) => a.policy);

    it("the add-ons that call AWS all have a policy", () => {
        assert.deepEqual(withPolicy.map((a) => a.name).sort(), ["aws-load-balancer-controller", "cluster-autoscaler", "external-secrets", "fluent-bit", "prometheus-agent"]);
    });

    for (const spec of withPolicy) {
        describe(spec.name, () => {
            const doc = spec.policy!(CONTEXT);

            it("is an Allow-only identity policy without wildcard actions", () => {
                assert.equal(doc.Version, "2012-10-17");
                assert.ok(doc.Statement.length > 0);
                for (const s of doc.Statement) {
                    assert.equal(s.Effect, "Allow");
                    assert.equal(s.Principal, undefined);
                    for (const action of s.Action) assert.doesNotMatch(action, /\*/, `${s.Sid}: ${action}`);
                    assert.ok(resources(s).length > 0, `${s.Sid} has no Resource`);
                }
            });

            it("scopes every write: no Resource \"*\" on a write action without a Condition (reads may use \"*\")", async () => {
                for (const s of doc.Statement) {
                    if (s.Condition || !resources(s).includes("*")) continue;
                    const writes = [];
                    for (const action of s.Action) if (!(await isReadOnly(action))) writes.push(action);
                    assert.deepEqual(writes, [], `statement ${s.Sid} allows writes on "*" without a Condition`);
                }
            });

            it("names only this account, partition and region (or wildcards) in its ARNs", () => {
                for (const arn of doc.Statement.flatMap(resources).filter((r) => r !== "*")) {
                    const [prefix, partition, , region, account] = arn.split(":");
                    assert.equal(prefix, "arn", arn);
                    assert.equal(partition, CONTEXT.partition, arn);
                    assert.ok(region === "" || region === "*" || region === CONTEXT.region, arn);
                    assert.ok(account === "" || account === "*" || account === CONTEXT.accountId, arn);
                }
            });
        });
    }

    it("the cluster autoscaler scales only groups tagged as owned by this cluster", () => {
        const statements = addon("cluster-autoscaler").policy!(CONTEXT).Statement;
        const scale = statements.find((s) => s.Action.includes("autoscaling:SetDesiredCapacity"))!;
        assert.deepEqual(scale.Condition, { StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/mitene-prod-usw2-green": "owned" } });
        const nodegroups = statements.find((s) => s.Action.includes("eks:DescribeNodegroup"))!;
        assert.equal(nodegroups.Resource, "arn:aws:eks:us-west-2:123456789012:nodegroup/mitene-prod-usw2-green/*");
    });

    it("external-secrets reads parameters under its env's path only", async () => {
        const [statement] = addon("external-secrets").policy!(CONTEXT).Statement;
        assert.equal(statement.Resource, "arn:aws:ssm:us-west-2:123456789012:parameter/mitene/prod/*");
        for (const action of statement.Action) assert.ok(await isReadOnly(action), action);
        assert.ok(!statement.Action.includes("ssm:DescribeParameters"));
    });

    // DescribeParameters supports no resource-level permissions: scoped to a path it is always denied, and
    // external-secrets' `find` by name fails (external-secrets docs/provider/aws-parameter-store.md).
    it("external-secrets may describe parameters on \"*\", the only resource that action takes", () => {
        const statements = addon("external-secrets").policy!(CONTEXT).Statement;
        const describe = statements.filter((s) => s.Action.includes("ssm:DescribeParameters"));
        assert.deepEqual(describe.map((s) => [s.Action, s.Resource]), [[["ssm:DescribeParameters"], "*"]]);
    });

    it("external-secrets' path is normalised: no doubled or missing slashes", () => {
        const [statement] = addon("external-secrets").policy!({ ...CONTEXT, parameterPath: "/mitene/prod/" }).Statement;
        assert.equal(statement.Resource, "arn:aws:ssm:us-west-2:123456789012:parameter/mitene/prod/*");
    });

    it("Fluent Bit writes to its one log group and its streams", () => {
        const [statement] = addon("fluent-bit").policy!(CONTEXT).Statement;
        const group = `arn:aws:logs:us-west-2:123456789012:log-group:${CONTEXT.logGroupName}`;
        assert.deepEqual(statement.Resource, [group, `${group}:log-stream:*`]);
        assert.ok(!statement.Action.includes("logs:CreateLogGroup"));
    });

    it("the Prometheus agent remote-writes to its one workspace", () => {
        const [statement] = addon("prometheus-agent").policy!(CONTEXT).Statement;
        assert.deepEqual(statement.Action, ["aps:RemoteWrite"]);
        assert.equal(statement.Resource, `arn:aws:aps:us-west-2:123456789012:workspace/${CONTEXT.ampWorkspaceId}`);
    });
});
