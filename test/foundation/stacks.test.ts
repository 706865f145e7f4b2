import { strict as assert } from "node:assert";
import { COLORS, Color, StackId, opsStack, parseStackName, regionStack, serviceClusterName, targetGroupName } from "../../components/naming";
import { ConfigError, parseStackConfig } from "../../stacks/config/load";
import { clusterConfigSchema, regionConfigSchema } from "../../stacks/config/schema";
import { ClusterOutputs, OpsOutputs, RegionOutputs } from "../../stacks/outputs";
import { UnknownStackError, programFor } from "../../stacks/programs";
import { listStacks } from "../../stacks/stackFiles";
import { Run, causeMessages, isMasked, runComponent, runFailing, runStack, runStackFailing, stackConfig, usesProvider } from "../helpers/harness";

/** Every key of T, checked by the compiler: a key added to stacks/outputs.ts and not listed here fails `tsc`. */
type Exhaustive<T, K extends readonly PropertyKey[]> = [Exclude<keyof T, K[number]>] extends [never] ? K : { missingKeys: Exclude<keyof T, K[number]> };
const documentedKeys =
    <T>() =>
    <const K extends readonly (keyof T & string)[]>(...keys: K & Exhaustive<T, K>): string[] =>
        [...keys].sort();

const OUTPUT_KEYS: Record<StackId["kind"], string[]> = {
    ops: documentedKeys<OpsOutputs>()("clusterName", "kubeconfig", "kubernetesVersion", "coreAddonsVersion", "nodeGroupVersion", "argocdRoleArn", "argocdUrl"),
    region: documentedKeys<RegionOutputs>()(
        "region", "vpcId", "privateSubnetIds", "publicSubnetIds", "privateSubnetCidrs", "loadBalancer", "services", "targetGroups", "ruleArns",
        "weights", "cronColor", "gate", "upgrade",
    ),
    cluster: documentedKeys<ClusterOutputs>()("clusterName", "color", "kubernetesVersion", "cron", "argocdRegistered", "endpoint", "nodeGroups"),
};

const RANK: Record<StackId["kind"], number> = { ops: 0, region: 1, cluster: 2 };
const STACKS = listStacks().sort((a, b) => RANK[parseStackName(a)!.kind] - RANK[parseStackName(b)!.kind]);
const kindOf = (stack: string) => parseStackName(stack)!.kind;

const TGB = "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding";

describe("stack programs: every committed stack under mocks", function () {
    const runs = new Map<string, Run>();
    const failures = new Map<string, unknown>();
    const outputs: Record<string, Record<string, unknown>> = {};

    before(async () => {
        // Ops and region stacks first: their outputs answer the cluster stacks' StackReferences.
        for (const stack of STACKS) {
            try {
                const run = await runStack(stack, outputs);
                runs.set(stack, run);
                outputs[stack] = run.outputs;
            } catch (error) {
                failures.set(stack, error);
            }
        }
    });

    const runOf = (stack: string): Run => {
        if (failures.has(stack)) throw failures.get(stack) as Error;
        const run = runs.get(stack);
        if (!run) throw new Error(`${stack} did not run`);
        return run;
    };

    it("there are committed stacks of all three kinds", () => {
        assert.deepEqual([...new Set(STACKS.map(kindOf))].sort(), ["cluster", "ops", "region"]);
    });

    for (const stack of STACKS) {
        const kind = kindOf(stack);
        const id = parseStackName(stack)!;

        describe(stack, () => {
            it("runs to completion with every StackReference answered", () => {
                const run = runOf(stack);
                assert.ok(run.resources.length > 10);
            });

            it("exports exactly the documented outputs", () => {
                assert.deepEqual(Object.keys(runOf(stack).outputs).sort(), OUTPUT_KEYS[kind]);
            });

            it("creates every AWS resource with the stack's one explicit provider, tagged with the stack", () => {
                const run = runOf(stack);
                const [provider] = run.ofType("pulumi:providers:aws");
                assert.equal(run.ofType("pulumi:providers:aws").length, 1);
                const region = id.kind === "ops" ? stackConfig(stack).values["mitene:region"] : id.region;
                assert.equal(provider.inputs.region, region);
                assert.equal(JSON.parse(provider.inputs.defaultTags as string).tags["mitene.io/stack"], stack);
                for (const r of run.resources.filter((x) => x.type.startsWith("aws:"))) assert.ok(usesProvider(r, provider), `${r.type} ${r.name}`);
            });

            if (kind === "ops") {
                it("exports the kubeconfig as a secret, and nothing else as one", () => {
                    assert.deepEqual(runOf(stack).secretOutputs, ["kubeconfig"]);
                    const kubeconfig = JSON.parse(runOf(stack).outputs.kubeconfig as string) as { clusters: { name: string }[] };
                    assert.equal(kubeconfig.clusters[0].name, stack);
                });
                it("exports the versions from its config and Argo CD's role", () => {
                    const out = runOf(stack).outputs as unknown as OpsOutputs;
                    const values = stackConfig(stack).values;
                    assert.equal(out.kubernetesVersion, values["mitene:kubernetesVersion"]);
                    assert.equal(out.nodeGroupVersion, values["mitene:nodeGroupVersion"] ?? values["mitene:kubernetesVersion"]);
                    assert.match(out.argocdRoleArn, /^arn:aws:iam::\d{12}:role\/ops-[a-z0-9]+-argocd-deployer$/);
                });
                it("keeps Argo CD's values (with the SSO secret) secret", () => {
                    assert.ok(isMasked(runOf(stack).one("kubernetes:helm.sh/v3:Release", "ops-argocd").inputs.values));
                });
            }

            if (id.kind === "region") {
                it("exports the weights from its config and a target group per service and color", () => {
                    const out = runOf(stack).outputs as unknown as RegionOutputs;
                    const config = parseStackConfig(stack, regionConfigSchema, stackConfig(stack).values);
                    assert.deepEqual(out.weights, config.weights);
                    assert.deepEqual(out.services.map((s) => s.name), config.services.map((s) => s.name));
                    for (const service of config.services) {
                        for (const color of COLORS) {
                            const group = out.targetGroups[service.name][color];
                            assert.match(group.arnSuffix, new RegExp(`^targetgroup/${targetGroupName(id.env, id.region, service.name, color)}/[0-9a-f]+$`));
                            assert.ok(group.arn.endsWith(group.arnSuffix));
                        }
                        assert.match(out.ruleArns[service.name], /:listener-rule\//);
                    }
                });
                it("exports its private subnet CIDRs, /20 or larger", () => {
                    const out = runOf(stack).outputs as unknown as RegionOutputs;
                    assert.equal(out.privateSubnetCidrs.length, out.privateSubnetIds.length);
                    for (const cidr of out.privateSubnetCidrs) assert.ok(Number(cidr.split("/")[1]) <= 20, cidr);
                });
            }

            if (id.kind === "cluster") {
                const region = regionStack(id.env, id.region);
                const ops = opsStack(id.env);

                it("exports its name, color and node group capacity", () => {
                    const out = runOf(stack).outputs as unknown as ClusterOutputs;
                    const config = parseStackConfig(stack, clusterConfigSchema, stackConfig(stack).values);
                    assert.equal(out.clusterName, serviceClusterName(id.env, id.region, id.color));
                    assert.equal(out.color, id.color);
                    assert.equal(out.kubernetesVersion, config.kubernetesVersion);
                    assert.deepEqual(out.nodeGroups, config.nodeGroups.map((g) => ({ name: g.name, maxSize: g.maxSize, maxPodsPerNode: g.maxPodsPerNode })));
                    assert.match(out.endpoint, new RegExp(`^https://[0-9A-F]+\\.gr7\\.${id.region}\\.eks\\.amazonaws\\.com$`));
                });
                it(`binds each service onto ${region}'s target group of its own color, opened to that ALB`, () => {
                    const edge = outputs[region] as unknown as RegionOutputs;
                    const bindings = runOf(stack).ofType(TGB);
                    assert.equal(bindings.length, edge.services.length);
                    for (const service of edge.services) {
                        const spec = runOf(stack).one(TGB, `svc-tgb-${service.name}`).inputs.spec as { targetGroupARN: string; networking: { ingress: { from: { securityGroup: { groupID: string } }[] }[] } };
                        assert.equal(spec.targetGroupARN, edge.targetGroups[service.name][id.color].arn);
                        assert.equal(spec.networking.ingress[0].from[0].securityGroup.groupID, edge.loadBalancer.securityGroupId);
                    }
                });
                it(`runs in ${region}'s VPC and private subnets`, () => {
                    const edge = outputs[region] as unknown as RegionOutputs;
                    const eks = runOf(stack).one("eks:index:Cluster").inputs;
                    assert.equal(eks.vpcId, edge.vpcId);
                    assert.deepEqual(eks.privateSubnetIds, edge.privateSubnetIds);
                });
                it(`registers in ${ops}'s Argo CD through its kubeconfig, and gives ${ops}'s Argo CD role access`, () => {
                    const run = runOf(stack);
                    const opsOut = outputs[ops] as unknown as OpsOutputs;
                    const opsProvider = run.one("pulumi:providers:kubernetes", "ops");
                    assert.equal(opsProvider.revealed.kubeconfig, opsOut.kubeconfig);
                    assert.ok(usesProvider(run.one("kubernetes:core/v1:Secret"), opsProvider));
                    const entries = run.one("eks:index:Cluster").inputs.accessEntries as Record<string, { principalArn: string }>;
                    assert.equal(entries.argocd.principalArn, opsOut.argocdRoleArn);
                    const data = run.one("kubernetes:core/v1:Secret").revealed.stringData as { config: string };
                    assert.equal((JSON.parse(data.config) as { awsAuthConfig: { roleARN: string } }).awsAuthConfig.roleARN, opsOut.argocdRoleArn);
                });
                it("trusts IRSA roles to this region's OIDC issuer", () => {
                    const trust = JSON.parse(runOf(stack).one("aws:iam/role:Role", "svc-aws-load-balancer-controller-irsa").inputs.assumeRolePolicy as string) as {
                        Statement: { Principal: { Federated: string } }[];
                    };
                    assert.match(trust.Statement[0].Principal.Federated, new RegExp(`:oidc-provider/oidc\\.eks\\.${id.region}\\.amazonaws\\.com/id/[0-9A-F]+$`));
                });
            }
        });
    }

    describe("failures", () => {
        const clusterStack = STACKS.find((s) => kindOf(s) === "cluster")!;
        const cluster = parseStackName(clusterStack) as Extract<StackId, { kind: "cluster" }>;
        const region = regionStack(cluster.env, cluster.region);
        const ops = opsStack(cluster.env);

        it("a cluster stack whose region stack is not deployed fails naming the missing stack", async () => {
            const failed = await runStackFailing(clusterStack, { [ops]: outputs[ops] });
            const messages = causeMessages(failed).join("\n");
            assert.ok(messages.includes(region), messages);
            assert.match(messages, /not deployed/);
        });

        it("a cluster stack whose ops stack is not deployed fails naming the missing stack", async () => {
            const failed = await runStackFailing(clusterStack, { [region]: outputs[region] });
            const messages = causeMessages(failed).join("\n");
            assert.ok(messages.includes(ops), messages);
        });

        it("a cluster may not run cron jobs the region stack gives to the other color", async () => {
            const other: Color = cluster.color === "blue" ? "green" : "blue";
            const { values } = stackConfig(clusterStack);
            const failed = await runFailing(() => programFor(clusterStack)({ ...values, "mitene:cron": "true" }), {
                stack: clusterStack,
                stackOutputs: { [ops]: outputs[ops], [region]: { ...outputs[region], cronColor: other } },
            });
            const [cause] = failed.error.causes;
            assert.ok(cause instanceof ConfigError, String(cause));
            assert.match(cause.message, new RegExp(`gives the cron jobs to ${other}`));
            assert.equal(failed.constructed.filter((c) => c.type === "mitene:cluster:ServiceCluster").length, 0);
        });

        it("an invalid stack config fails with a ConfigError before any resource is created", async () => {
            const regionStackName = STACKS.find((s) => kindOf(s) === "region")!;
            const { values } = stackConfig(regionStackName);
            const failed = await runFailing(() => programFor(regionStackName)({ ...values, "mitene:weights": '{"blue":50,"green":40}' }), { stack: regionStackName });
            const [cause] = failed.error.causes;
            assert.ok(cause instanceof ConfigError, String(cause));
            assert.deepEqual(cause.problems, ["mitene:weights: weights must sum to 100, got 90"]);
            assert.deepEqual(failed.constructed, []);
        });
    });
});

describe("stack programs: names and secrets", () => {
    for (const name of ["nope", "ops", "region-prod", "mitene-prod-ap-northeast-1-red", "Ops-prod"]) {
        it(`"${name}" is an UnknownStackError naming the expected forms`, () => {
            assert.throws(() => programFor(name), (error: Error) => {
                assert.ok(error instanceof UnknownStackError);
                assert.equal(error.stack, name);
                assert.match(error.message, new RegExp(`unknown stack name "${name}": expected ops-<env>, region-<env>-<region> or mitene-<env>-<region>-<blue\\|green>`));
                return true;
            });
        });
    }

    const opsName = STACKS.find((s) => kindOf(s) === "ops")!;
    const withSecretValue = () => {
        const { values } = stackConfig(opsName);
        const argocd = JSON.parse(values["mitene:argocd"]) as { sso: Record<string, unknown> };
        delete argocd.sso.clientSecretParameter;
        return { ...values, "mitene:argocd": JSON.stringify(argocd), "mitene:argocdSsoClientSecret": "s3cr3t-from-config" };
    };

    it("the ops program refuses the SSO client secret as plain config (the SDK's secret-key lookup works)", async () => {
        const config = withSecretValue();
        const failed = await runFailing(() => programFor(opsName)(config), { stack: opsName, config });
        const [cause] = failed.error.causes;
        assert.ok(cause instanceof ConfigError, String(cause));
        assert.deepEqual(cause.problems, ["mitene:argocdSsoClientSecret: holds a credential and must be a secret (pulumi config set --secret argocdSsoClientSecret)"]);
    });

    it("the ops program takes the SSO client secret from secret config into Argo CD's values, as a secret", async () => {
        const config = withSecretValue();
        const run = await runComponent(() => programFor(opsName)(config), { stack: opsName, config, secretKeys: ["mitene:argocdSsoClientSecret"] });
        const release = run.one("kubernetes:helm.sh/v3:Release", "ops-argocd");
        assert.ok(isMasked(release.inputs.values));
        const values = release.revealed.values as { configs: { secret: { extra: Record<string, string> } } };
        assert.equal(values.configs.secret.extra["oidc.clientSecret"], "s3cr3t-from-config");
    });
});
