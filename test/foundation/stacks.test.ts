import { strict as assert } from "node:assert";
import { eksKubeconfig } from "../../components/kubeconfig";
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
    ops: documentedKeys<OpsOutputs>()(
        "region", "accountId", "vpcId", "vpcCidr", "privateRouteTableIds", "ciRunnerProjects",
        "clusterName", "clusterEndpoint", "clusterCertificateAuthority", "kubernetesVersion", "coreAddonsVersion", "nodeGroupVersion", "argocdRoleArn", "argocdUrl",
    ),
    region: documentedKeys<RegionOutputs>()(
        "region", "accountId", "vpcId", "vpcCidr", "privateRouteTableIds", "opsPeeringConnectionId", "privateSubnetIds", "publicSubnetIds",
        "privateSubnetCidrs", "loadBalancer", "services", "targetGroups", "ruleArns", "weights", "cronColor", "gate", "upgrade",
    ),
    cluster: documentedKeys<ClusterOutputs>()("clusterName", "color", "kubernetesVersion", "cron", "argocdRegistered", "endpoint", "clusterSecurityGroupId", "nodeGroups", "addons"),
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

            // The Ops region's provider of a region stack manages the Ops side of the peering; nothing else.
            const OPS_SIDE = ["aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter", "aws:ec2/route:Route"];

            it("creates every AWS resource with an explicit provider of its region, tagged with the stack", () => {
                const run = runOf(stack);
                const region = id.kind === "ops" ? stackConfig(stack).values["mitene:region"] : id.region;
                const providers = run.ofType("pulumi:providers:aws");
                const own = run.one("pulumi:providers:aws", `aws-${region}`);
                assert.equal(own.inputs.region, region);
                for (const provider of providers) assert.equal(JSON.parse(provider.inputs.defaultTags as string).tags["mitene.io/stack"], stack);
                if (id.kind !== "region") {
                    assert.equal(providers.length, 1);
                    for (const r of run.resources.filter((x) => x.type.startsWith("aws:"))) assert.ok(usesProvider(r, own), `${r.type} ${r.name}`);
                    return;
                }
                const opsRegion = stackConfig(opsStack(id.env)).values["mitene:region"];
                const opsSide = run.one("pulumi:providers:aws", `aws-ops-${opsRegion}`);
                assert.equal(opsSide.inputs.region, opsRegion);
                assert.equal(providers.length, 2);
                for (const r of run.resources.filter((x) => x.type.startsWith("aws:"))) {
                    const onOpsSide = OPS_SIDE.includes(r.type) && !r.name.includes("-to-ops-");
                    assert.ok(usesProvider(r, onOpsSide ? opsSide : own), `${r.type} ${r.name}`);
                }
            });

            it("pins every AWS provider to the env's account, assuming its deploy role", () => {
                const values = stackConfig(stack).values;
                for (const provider of runOf(stack).ofType("pulumi:providers:aws")) {
                    assert.deepEqual(JSON.parse(provider.inputs.allowedAccountIds as string), [values["mitene:accountId"]], provider.name);
                    const [assume] = JSON.parse(provider.inputs.assumeRoles as string) as { roleArn: string; sessionName: string }[];
                    assert.equal(assume.roleArn, values["mitene:deployRoleArn"]);
                    assert.equal(assume.sessionName, `mitene-${stack}`);
                }
            });

            if (kind === "ops") {
                it("exports the Ops cluster's endpoint and CA (no kubeconfig with its own run's role), and no secret", () => {
                    const run = runOf(stack);
                    assert.deepEqual(run.secretOutputs, []);
                    const plane = run.one("eks:index:Cluster").state.eksCluster as { name: string; endpoint: string; certificateAuthority: { data: string } };
                    const out = run.outputs as unknown as OpsOutputs;
                    assert.deepEqual([out.clusterName, out.clusterEndpoint, out.clusterCertificateAuthority], [stack, plane.endpoint, plane.certificateAuthority.data]);
                });
                it("exports the versions from its config and Argo CD's role", () => {
                    const out = runOf(stack).outputs as unknown as OpsOutputs;
                    const values = stackConfig(stack).values;
                    assert.equal(out.kubernetesVersion, values["mitene:kubernetesVersion"]);
                    assert.equal(out.nodeGroupVersion, values["mitene:nodeGroupVersion"] ?? values["mitene:kubernetesVersion"]);
                    assert.match(out.argocdRoleArn, new RegExp(`^arn:aws:iam::\\d{12}:role/mitene-${id.env}-argocd$`));
                });
                it("keeps Argo CD's values (with the SSO secret) secret", () => {
                    assert.ok(isMasked(runOf(stack).one("kubernetes:helm.sh/v3:Release", "ops-argocd").inputs.values));
                });
                it("exports its VPC, CIDR and the private route tables the regions route from", () => {
                    const out = runOf(stack).outputs as unknown as OpsOutputs;
                    const vpc = runOf(stack).one("awsx:ec2:Vpc");
                    assert.equal(out.vpcId, vpc.state.vpcId);
                    assert.equal(out.vpcCidr, vpc.inputs.cidrBlock);
                    const associations = vpc.state.routeTableAssociations as { subnetId: string; routeTableId: string }[];
                    assert.deepEqual(out.privateRouteTableIds, (vpc.state.privateSubnetIds as string[]).map((subnet) => associations.find((a) => a.subnetId === subnet)!.routeTableId));
                    assert.equal(new Set(out.privateRouteTableIds).size, (vpc.inputs.availabilityZoneNames as string[]).length);
                });
                it(`runs two CI runners of ${id.env} (deploy, preview) in the Ops VPC's private subnets, each admitted to the Ops cluster's API, neither able to assume a role`, () => {
                    const run = runOf(stack);
                    const vpc = run.one("awsx:ec2:Vpc");
                    assert.deepEqual((run.outputs as unknown as OpsOutputs).ciRunnerProjects, { deploy: `mitene-${id.env}-deploy-runner`, preview: `mitene-${id.env}-preview-runner` });
                    const groups = new Set<string>();
                    for (const kind of ["deploy", "preview"]) {
                        const project = run.ofType("aws:codebuild/project:Project").find((p) => p.inputs.name === `mitene-${id.env}-${kind}-runner`)!;
                        const vpcConfig = project.inputs.vpcConfig as { vpcId: string; subnets: string[]; securityGroupIds: string[] };
                        assert.equal(vpcConfig.vpcId, vpc.state.vpcId);
                        assert.deepEqual(vpcConfig.subnets, vpc.state.privateSubnetIds);
                        const runnerGroup = run.one("aws:ec2/securityGroup:SecurityGroup", `ci-${kind}-runner`);
                        assert.deepEqual(vpcConfig.securityGroupIds, [runnerGroup.id]);
                        groups.add(String(runnerGroup.id));
                        const admitted = run.resources.filter((r) => /securityGroup(Ingress)?Rule/.test(r.type) && (r.inputs.referencedSecurityGroupId ?? r.inputs.sourceSecurityGroupId) === runnerGroup.id);
                        assert.deepEqual(admitted.map((r) => [r.inputs.fromPort, r.inputs.toPort]), [[443, 443]], kind);
                        const policy = JSON.parse(run.one("aws:iam/rolePolicy:RolePolicy", `ci-${kind}-runner`).inputs.policy as string) as { Statement: { Action: string[] }[] };
                        assert.deepEqual(policy.Statement.flatMap((st) => st.Action).filter((a) => a.startsWith("sts:") || a.startsWith("iam:")), [], kind);
                    }
                    assert.equal(groups.size, 2, "a security group of its own each");
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
                it("peers its VPC with the Ops VPC: one connection in the Ops region, accepted by the Ops region's provider across regions, routes both ways", () => {
                    const run = runOf(stack);
                    const out = run.outputs as unknown as RegionOutputs;
                    const opsOut = outputs[opsStack(id.env)] as unknown as OpsOutputs;
                    const peering = run.one("aws:ec2/vpcPeeringConnection:VpcPeeringConnection");
                    const sameRegion = opsOut.region === id.region;
                    assert.deepEqual(
                        [peering.inputs.vpcId, peering.inputs.peerVpcId, peering.inputs.peerRegion, peering.inputs.peerOwnerId, peering.inputs.autoAccept],
                        [out.vpcId, opsOut.vpcId, sameRegion ? undefined : opsOut.region, opsOut.accountId, sameRegion ? true : undefined],
                    );
                    const accepters = run.ofType("aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter");
                    assert.deepEqual(accepters.map((a) => [a.inputs.vpcPeeringConnectionId, a.inputs.autoAccept]), sameRegion ? [] : [[peering.id, true]]);
                    assert.equal(out.opsPeeringConnectionId, peering.id);
                    const routes = run.ofType("aws:ec2/route:Route").map((r) => [r.inputs.routeTableId, r.inputs.destinationCidrBlock, r.inputs.vpcPeeringConnectionId]);
                    const expected = [
                        ...out.privateRouteTableIds.map((table) => [table, opsOut.vpcCidr, peering.id]),
                        ...opsOut.privateRouteTableIds.map((table) => [table, out.vpcCidr, peering.id]),
                    ];
                    assert.deepEqual(routes.map(String).sort(), expected.map(String).sort());
                    assert.equal(out.privateRouteTableIds.length, out.privateSubnetIds.length);
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
                it(`registers in ${ops}'s Argo CD through a kubeconfig of its own for the run's role, and gives ${ops}'s Argo CD role access`, () => {
                    const run = runOf(stack);
                    const opsOut = outputs[ops] as unknown as OpsOutputs;
                    const opsProvider = run.one("pulumi:providers:kubernetes", "ops");
                    const roleArn = stackConfig(stack).values["mitene:deployRoleArn"];
                    const expected = eksKubeconfig({ clusterName: opsOut.clusterName, endpoint: opsOut.clusterEndpoint, caData: opsOut.clusterCertificateAuthority, region: opsOut.region, roleArn });
                    assert.equal(opsProvider.revealed.kubeconfig, expected);
                    assert.ok(usesProvider(run.one("kubernetes:core/v1:Secret"), opsProvider));
                    const entries = run.one("eks:index:Cluster").inputs.accessEntries as Record<string, { principalArn: string }>;
                    assert.equal(entries.argocd.principalArn, opsOut.argocdRoleArn);
                    const data = run.one("kubernetes:core/v1:Secret").revealed.stringData as { config: string };
                    assert.equal((JSON.parse(data.config) as { awsAuthConfig: { roleARN: string } }).awsAuthConfig.roleARN, opsOut.argocdRoleArn);
                });
                it(`admits ${ops}'s VPC (Argo CD, CI runners) to the private API on 443`, () => {
                    const run = runOf(stack);
                    const opsOut = outputs[ops] as unknown as OpsOutputs;
                    const rule = run.one("aws:ec2/securityGroupRule:SecurityGroupRule");
                    assert.deepEqual(
                        [rule.inputs.type, rule.inputs.securityGroupId, rule.inputs.cidrBlocks, rule.inputs.protocol, rule.inputs.fromPort, rule.inputs.toPort],
                        ["ingress", (run.outputs as unknown as ClusterOutputs).clusterSecurityGroupId, [opsOut.vpcCidr], "tcp", 443, 443],
                    );
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

        it("a region or cluster stack in another account than its Ops stack fails naming both accounts", async () => {
            for (const stack of [region, clusterStack]) {
                const failed = await runStackFailing(stack, { [ops]: { ...outputs[ops], accountId: "999999999999" }, [region]: outputs[region] });
                const [cause] = failed.error.causes;
                assert.ok(cause instanceof ConfigError, String(cause));
                assert.match(cause.message, /mitene:accountId: \d{12} differs from the Ops stack's 999999999999/);
            }
        });

        it("a region stack whose VPC overlaps the Ops VPC fails before creating the peering", async () => {
            const regionValues = stackConfig(region).values;
            const failed = await runFailing(() => programFor(region)(regionValues), {
                stack: region,
                config: regionValues,
                stackOutputs: { [ops]: { ...outputs[ops], vpcCidr: "10.0.0.0/8" } },
            });
            assert.match(causeMessages(failed).join("\n"), /region VPC 10\.\d+\.0\.0\/16 overlaps the Ops VPC 10\.0\.0\.0\/8/);
            assert.equal(failed.constructed.filter((c) => c.type === "aws:ec2/vpcPeeringConnection:VpcPeeringConnection").length, 0);
        });

        it("a cluster installs the Node Termination Handler only when its stack file opts in", async () => {
            const installed = (run: Run) => run.ofType("kubernetes:helm.sh/v3:Release").some((r) => r.inputs.name === "aws-node-termination-handler");
            assert.equal(installed(runOf(clusterStack)), false);
            const { values } = stackConfig(clusterStack);
            const config = { ...values, "mitene:nodeTerminationHandler": "true" };
            const run = await runComponent(() => programFor(clusterStack)(config), { stack: clusterStack, config, stackOutputs: { [ops]: outputs[ops], [region]: outputs[region] } });
            assert.equal(installed(run), true);
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
