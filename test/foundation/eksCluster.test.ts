import { strict as assert } from "node:assert";
import { CONTROL_PLANE_LOG_TYPES, EksClusterArgs } from "../../components/eksCluster";
import { ArgsError } from "../../components/validation";
import { CORE_ADDON_VERSIONS } from "../../components/kubernetesVersions";
import { TEST_DEPLOY_ROLE, eksClusterProgram, onDemandGroup, spotGroup } from "../helpers/fixtures";
import { Run, causeMessages, constructedAfter, parseJson, runComponent, runFailing, usesProvider } from "../helpers/harness";

const EKS = "eks:index:Cluster";
const NODE_GROUP = "eks:index:ManagedNodeGroup";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const ADDON = "aws:eks/addon:Addon";
const API_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const DEPLOY_ROLE = TEST_DEPLOY_ROLE;

const build = eksClusterProgram;

describe("EksCluster: defaults", function () {
    let run: Run;
    before(async () => {
        run = await runComponent(build());
    });
    const eks = () => run.one(EKS).inputs;

    it("passes the Kubernetes version to the control plane", () => assert.equal(eks().version, "1.35"));
    it("keeps the API endpoint private: endpointPrivateAccess true, endpointPublicAccess false, no allow-list", () => {
        assert.equal(eks().endpointPrivateAccess, true);
        assert.equal(eks().endpointPublicAccess, false);
        assert.equal(eks().publicAccessCidrs, undefined);
    });
    it("encrypts Secrets with its own KMS key that rotates", () => {
        const key = run.one("aws:kms/key:Key");
        assert.equal(key.inputs.enableKeyRotation, true);
        assert.equal(eks().encryptionConfigKeyArn, key.state.arn);
        assert.equal(run.one("aws:kms/alias:Alias").inputs.name, "alias/eks/mitene-test-usw2-blue");
    });
    it("ships all five control-plane log types", () => {
        assert.deepEqual(eks().enabledClusterLogTypes, ["api", "audit", "authenticator", "controllerManager", "scheduler"]);
        assert.equal(CONTROL_PLANE_LOG_TYPES.length, 5);
    });
    it("uses access entries only (authenticationMode API), none by default", () => {
        assert.equal(eks().authenticationMode, "API");
        assert.deepEqual(eks().accessEntries, {});
    });
    it("creates the OIDC provider for IRSA", () => assert.equal(eks().createOidcProvider, true));
    it("skips the default node group", () => assert.equal(eks().skipDefaultNodeGroup, true));
    it("pins vpc-cni, coredns and kube-proxy from the table for the control plane's version", () => {
        const pinned = CORE_ADDON_VERSIONS["1.35"];
        assert.equal((eks().vpcCniOptions as { addonVersion: string }).addonVersion, pinned.vpcCni);
        assert.equal(run.one(ADDON, "c-coredns").inputs.addonVersion, pinned.coredns);
        assert.equal((eks().kubeProxyAddonOptions as { version: string }).version, pinned.kubeProxy);
    });
    // pulumi-eks #1819: options with a version make the SDK send enabled: true, and the component then creates
    // CoreDNS before any node exists; it stays DEGRADED until the create times out.
    it("keeps the Cluster component from creating CoreDNS, and creates it after every node group", () => {
        assert.equal((eks().corednsAddonOptions as { enabled: boolean }).enabled, false);
        assert.equal((eks().corednsAddonOptions as { version?: string }).version, undefined);
        const coredns = run.one(ADDON, "c-coredns");
        assert.deepEqual(
            [coredns.inputs.addonName, coredns.inputs.clusterName, coredns.inputs.resolveConflictsOnCreate, coredns.inputs.resolveConflictsOnUpdate],
            ["coredns", "mitene-test-usw2-blue", "OVERWRITE", "OVERWRITE"],
        );
        const groups = run.ofType(NODE_GROUP);
        assert.equal(groups.length, 2);
        for (const group of groups) assert.ok(run.dependsOn(coredns, group.object!), `coredns does not wait for ${group.name}`);
    });
    it("admits no API client besides the nodes by default", () => assert.deepEqual(run.ofType(API_RULE), []));
    it("names the cluster, places it in the given VPC and private subnets", () => {
        assert.equal(eks().name, "mitene-test-usw2-blue");
        assert.equal(eks().vpcId, "vpc-0123");
        assert.deepEqual(eks().privateSubnetIds, ["subnet-a", "subnet-b", "subnet-c"]);
    });

    it("creates one managed node group per spec, with an explicit version equal to the control plane's by default", () => {
        const groups = run.ofType(NODE_GROUP);
        assert.deepEqual(groups.map((g) => g.inputs.nodeGroupName).sort(), ["mitene-test-usw2-blue-spot", "mitene-test-usw2-blue-system"]);
        for (const g of groups) assert.equal(g.inputs.version, "1.35");
    });
    it("sets each group's capacity type and several instance types", () => {
        const spot = run.one(NODE_GROUP, "c-spot").inputs;
        const system = run.one(NODE_GROUP, "c-system").inputs;
        assert.equal(spot.capacityType, "SPOT");
        assert.deepEqual(spot.instanceTypes, spotGroup.instanceTypes);
        assert.ok((spot.instanceTypes).length > 1);
        assert.equal(system.capacityType, "ON_DEMAND");
        assert.deepEqual(system.instanceTypes, onDemandGroup.instanceTypes);
    });
    it("sizes groups as given and leaves the desired size to the cluster autoscaler afterwards", () => {
        const spot = run.one(NODE_GROUP, "c-spot").inputs;
        assert.deepEqual(spot.scalingConfig, { minSize: 2, maxSize: 10, desiredSize: 3 });
        assert.equal(spot.ignoreScalingChanges, true);
    });
    it("tags groups for cluster-autoscaler discovery and labels nodes with their group", () => {
        const spot = run.one(NODE_GROUP, "c-spot").inputs;
        assert.equal((spot.tags as Record<string, string>)["k8s.io/cluster-autoscaler/mitene-test-usw2-blue"], "owned");
        assert.equal((spot.tags as Record<string, string>)["k8s.io/cluster-autoscaler/enabled"], "true");
        assert.deepEqual(spot.labels, { workload: "web", "mitene.io/node-group": "spot" });
    });
    it("runs the nodes on their own launch template: IMDSv2 required, hop limit 1, no key pair, encrypted gp3 root", () => {
        for (const group of [spotGroup, onDemandGroup]) {
            const template = run.one(LAUNCH_TEMPLATE, `c-${group.name}`);
            assert.deepEqual(template.inputs.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
            assert.equal(template.inputs.keyName, undefined);
            const [device] = template.inputs.blockDeviceMappings as { ebs: Record<string, unknown> }[];
            assert.deepEqual(device.ebs, { volumeSize: group.diskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" });
            assert.equal((run.one(NODE_GROUP, `c-${group.name}`).inputs.launchTemplate as { id: string }).id, template.id);
        }
    });
    it("gives no SSH access to the nodes (shell through SSM only)", () => {
        for (const g of run.ofType(NODE_GROUP)) assert.equal(g.inputs.remoteAccess, undefined);
        const attached = run.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => a.inputs.policyArn);
        assert.ok(attached.includes("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"));
    });
    it("gives the node role the worker, ECR read and CNI policies, trusted by EC2 only", () => {
        const attached = run.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => a.inputs.policyArn).sort();
        assert.deepEqual(attached, [
            "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
            "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
            "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
            "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        ]);
        const trust = parseJson<{ Statement: { Principal: unknown }[] }>(run.one("aws:iam/role:Role", "c-node").inputs.assumeRolePolicy);
        assert.deepEqual(trust.Statement.map((s) => s.Principal), [{ Service: "ec2.amazonaws.com" }]);
    });
    it("uses the given AWS provider for every AWS resource and component (no default provider)", () => {
        const provider = run.one("pulumi:providers:aws", "aws");
        assert.equal(run.ofType("pulumi:providers:aws").length, 1);
        for (const r of run.resources.filter((x) => x.type.startsWith("aws:"))) assert.ok(usesProvider(r, provider), `${r.type} ${r.name}: ${r.provider}`);
        for (const r of [...run.ofType(EKS), ...run.ofType(NODE_GROUP)]) {
            assert.equal((r.opts?.providers as Record<string, unknown>).aws, provider.object, r.name);
        }
    });
    it("parents every child under the component", () => {
        const component = run.one("mitene:eks:EksCluster", "c");
        const children = run.resources.filter((r) => r !== component && !["pulumi:pulumi:Stack", "pulumi:providers:aws"].includes(r.type));
        assert.ok(children.length > 10);
        for (const r of children) assert.equal(r.parent, component.urn, `${r.type} ${r.name}`);
    });
    it("gives its Kubernetes provider the cluster's kubeconfig, readable (an exec of aws eks get-token holds no credential)", () => {
        assert.deepEqual(run.secretOutputs, []);
        const k8s = run.one("pulumi:providers:kubernetes", "c-k8s");
        assert.equal(k8s.inputs.kubeconfig, run.outputs.kubeconfig);
        assert.equal(k8s.inputs.kubeconfig, run.one(EKS).state.kubeconfigJson);
    });
});

describe("EksCluster: an in-place upgrade in progress, public allow-list, admin access", function () {
    let run: Run;
    before(async () => {
        run = await runComponent(build({
            kubernetesVersion: "1.35",
            coreAddonsVersion: "1.34",
            nodeGroupVersion: "1.34",
            publicAccessCidrs: ["203.0.113.0/24"],
            access: [
                { name: "argocd", principalArn: "arn:aws:iam::123456789012:role/mitene-prod-argocd", policy: "admin" },
                { name: "preview", principalArn: "arn:aws:iam::123456789012:role/mitene-prod-preview", policy: "view" },
                { name: "rollback", principalArn: "arn:aws:iam::123456789012:role/mitene-prod-rollback", policy: "view", kubernetesGroups: ["mitene:rollback"] },
                { name: "cron", principalArn: "arn:aws:iam::123456789012:role/cron-switch", kubernetesGroups: ["mitene:rollback"] },
            ],
            apiClients: [{ description: "the Ops VPC", cidr: "10.100.0.0/16" }, { description: "the runners", securityGroupId: "sg-0runner" }],
            tags: { "mitene.io/env": "test" },
        }));
    });

    it("node groups keep their own version while the control plane moves ahead", () => {
        assert.equal(run.one(EKS).inputs.version, "1.35");
        for (const g of run.ofType(NODE_GROUP)) assert.equal(g.inputs.version, "1.34");
    });
    it("core add-ons are pinned from coreAddonsVersion, not the control plane's version", () => {
        const eks = run.one(EKS).inputs;
        assert.equal((eks.kubeProxyAddonOptions as { version: string }).version, CORE_ADDON_VERSIONS["1.34"].kubeProxy);
        assert.equal((eks.vpcCniOptions as { addonVersion: string }).addonVersion, CORE_ADDON_VERSIONS["1.34"].vpcCni);
        assert.equal(run.one(ADDON, "c-coredns").inputs.addonVersion, CORE_ADDON_VERSIONS["1.34"].coredns);
    });
    it("admits each API client on 443 to pulumi-eks's cluster security group, by CIDR or by security group", () => {
        const rules = [run.one(API_RULE, "c-api-0").inputs, run.one(API_RULE, "c-api-1").inputs];
        const clusterGroup = run.one(EKS).state.clusterSecurityGroupId;
        assert.deepEqual(rules.map((r) => [r.type, r.securityGroupId, r.protocol, r.fromPort, r.toPort, r.cidrBlocks, r.sourceSecurityGroupId]), [
            ["ingress", clusterGroup, "tcp", 443, 443, ["10.100.0.0/16"], undefined],
            ["ingress", clusterGroup, "tcp", 443, 443, undefined, "sg-0runner"],
        ]);
        assert.match(String(rules[0].description), /Kubernetes API from the Ops VPC/);
    });
    // pulumi-eks fills its group with aws.ec2.SecurityGroupRule; both SDKs' docs warn against mixing the kinds on one group.
    it("writes no aws.vpc rule of the other kind on that group", () => assert.deepEqual(run.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"), []));
    it("opens the public endpoint only to the allow-list, keeping the private one", () => {
        const eks = run.one(EKS).inputs;
        assert.equal(eks.endpointPublicAccess, true);
        assert.equal(eks.endpointPrivateAccess, true);
        assert.deepEqual(eks.publicAccessCidrs, ["203.0.113.0/24"]);
    });
    it("gives each role its access entry: the access policy cluster-wide, Kubernetes groups as given", () => {
        const scope = { type: "cluster" };
        assert.deepEqual(run.one(EKS).inputs.accessEntries, {
            argocd: {
                principalArn: "arn:aws:iam::123456789012:role/mitene-prod-argocd",
                accessPolicies: { admin: { policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", accessScope: scope } },
            },
            preview: {
                principalArn: "arn:aws:iam::123456789012:role/mitene-prod-preview",
                accessPolicies: { view: { policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", accessScope: scope } },
            },
            rollback: {
                principalArn: "arn:aws:iam::123456789012:role/mitene-prod-rollback",
                kubernetesGroups: ["mitene:rollback"],
                accessPolicies: { view: { policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", accessScope: scope } },
            },
            cron: { principalArn: "arn:aws:iam::123456789012:role/cron-switch", kubernetesGroups: ["mitene:rollback"], accessPolicies: {} },
        });
    });
    it("tags the cluster, the node groups and the instances", () => {
        assert.deepEqual(run.one(EKS).inputs.tags, { "mitene.io/env": "test" });
        for (const g of run.ofType(NODE_GROUP)) assert.equal((g.inputs.tags as Record<string, string>)["mitene.io/env"], "test");
        const [spec] = run.one(LAUNCH_TEMPLATE, "c-spot").inputs.tagSpecifications as { tags: Record<string, string> }[];
        assert.equal(spec.tags["mitene.io/env"], "test");
    });
});

describe("EksCluster: validation, before any resource exists", () => {
    const cases: { title: string; overrides: Partial<Omit<EksClusterArgs, "provider">>; message: RegExp }[] = [
        { title: "nodeGroupVersion ahead of the control plane", overrides: { kubernetesVersion: "1.34", nodeGroupVersion: "1.35" }, message: /nodeGroupVersion 1\.35 is ahead of the control plane 1\.34/ },
        { title: "coreAddonsVersion ahead of the control plane", overrides: { kubernetesVersion: "1.34", coreAddonsVersion: "1.35" }, message: /coreAddonsVersion 1\.35 is ahead of the control plane 1\.34/ },
        { title: "a core add-on version with no pinned versions", overrides: { kubernetesVersion: "1.34", coreAddonsVersion: "1.31" }, message: /no core add-on versions are known for Kubernetes 1\.31/ },
        { title: "a control plane version with no pinned core add-ons", overrides: { kubernetesVersion: "1.37" }, message: /no core add-on versions are known for Kubernetes 1\.37/ },
        { title: "a version that is not a minor", overrides: { kubernetesVersion: "1.35.1", nodeGroupVersion: "1.34", coreAddonsVersion: "1.34" }, message: /kubernetesVersion "1\.35\.1" is not a Kubernetes minor/ },
        { title: "minSize > desiredSize", overrides: { nodeGroups: [{ ...spotGroup, minSize: 4, desiredSize: 3 }] }, message: /node group spot needs minSize <= desiredSize <= maxSize/ },
        { title: "desiredSize > maxSize", overrides: { nodeGroups: [{ ...spotGroup, desiredSize: 11 }] }, message: /node group spot needs minSize <= desiredSize <= maxSize/ },
        { title: "a node group without instance types", overrides: { nodeGroups: [{ ...spotGroup, instanceTypes: [] }] }, message: /node group spot has no instance types/ },
        { title: "no node groups", overrides: { nodeGroups: [] }, message: /at least one node group is needed/ },
        { title: "0.0.0.0/0 in publicAccessCidrs", overrides: { publicAccessCidrs: ["203.0.113.0/24", "0.0.0.0/0"] }, message: /publicAccessCidrs must not contain 0\.0\.0\.0\/0/ },
        { title: "::/0 in publicAccessCidrs", overrides: { publicAccessCidrs: ["::/0"] }, message: /publicAccessCidrs must not contain ::\/0/ },
        { title: "a cluster name EKS rejects", overrides: { clusterName: "mitene test" }, message: /clusterName "mitene test" is not a valid EKS name/ },
        { title: "a cluster name that is too long", overrides: { clusterName: "x".repeat(101) }, message: /is not a valid EKS name/ },
        { title: "an API client with both a CIDR and a security group", overrides: { apiClients: [{ description: "ops", cidr: "10.0.0.0/16", securityGroupId: "sg-1" }] }, message: /API client "ops" needs exactly one of cidr and securityGroupId/ },
        { title: "an API client with neither", overrides: { apiClients: [{ description: "ops" }] }, message: /API client "ops" needs exactly one of cidr and securityGroupId/ },
        { title: "the whole internet as an API client", overrides: { apiClients: [{ description: "anyone", cidr: "0.0.0.0/0" }] }, message: /API client "anyone" must not be the whole internet/ },
        {
            title: "two access entries of one name",
            overrides: { access: [{ name: "ops", principalArn: DEPLOY_ROLE, policy: "admin" }, { name: "ops", principalArn: "arn:aws:iam::123456789012:role/x", policy: "view" }] },
            message: /access entry names repeat: ops, ops/,
        },
        { title: "an access entry that grants nothing", overrides: { access: [{ name: "idle", principalArn: DEPLOY_ROLE }] }, message: /access entry idle grants nothing/ },
        { title: "a kubeconfig role that is not a role ARN", overrides: { kubernetesRoleArn: "mitene-test-deploy" }, message: /kubernetesRoleArn "mitene-test-deploy" is not an IAM role ARN/ },
        { title: "an unknown support type", overrides: { supportType: "FOREVER" as "EXTENDED" }, message: /supportType "FOREVER" must be one of STANDARD, EXTENDED/ },
        { title: "a control-plane log retention CloudWatch does not offer", overrides: { controlPlaneLogRetentionDays: 100 }, message: /controlPlaneLogRetentionDays 100 is not a CloudWatch retention period/ },
    ];
    for (const c of cases) {
        it(`rejects ${c.title}`, async () => {
            const failed = await runFailing(build(c.overrides));
            const [cause] = failed.error.causes;
            assert.ok(cause instanceof ArgsError, String(cause));
            assert.equal(cause.problems.length, 1, cause.problems.join(" | "));
            assert.match(cause.problems[0], c.message);
            assert.deepEqual(constructedAfter(failed, "mitene:eks:EksCluster").map((r) => `${r.type} ${r.name}`), []);
        });
    }

    it("lists every problem at once", async () => {
        const failed = await runFailing(build({ clusterName: "bad name", nodeGroups: [], publicAccessCidrs: ["0.0.0.0/0"], kubernetesVersion: "1.34", nodeGroupVersion: "1.36" }));
        const [message] = causeMessages(failed);
        assert.match(message, /^EksCluster c: invalid arguments:/);
        for (const part of [/nodeGroupVersion 1\.36/, /at least one node group/, /0\.0\.0\.0\/0/, /not a valid EKS name/]) assert.match(message, part);
        assert.deepEqual(constructedAfter(failed, "mitene:eks:EksCluster"), []);
    });
});
