/**
 * Who the EKS clusters let in, and their lifecycle settings: the kubeconfig names the run's role (pulumi-eks
 * providerCredentialOpts), the creator gets no implicit admin entry, the upgrade policy and the control-plane
 * log group are explicit. The fake cloud answers as pulumi-eks 4.3.0 does, so these fail on code that forgets.
 */
import { strict as assert } from "node:assert";
import type * as pulumi from "@pulumi/pulumi";
import { withoutCreatorAdmin } from "../../components/eksCluster";
import { CONTROL_PLANE, eksKubeconfig } from "../../fakecloud/resources";
import { TEST_DEPLOY_ROLE, eksClusterProgram } from "../helpers/fixtures";
import { Run, runComponent } from "../helpers/harness";

const EKS = "eks:index:Cluster";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const DEPLOY = TEST_DEPLOY_ROLE;
const PREVIEW = "arn:aws:iam::123456789012:role/mitene-test-preview";

const build = eksClusterProgram;

type Kubeconfig = { users: { user: { exec: { args: string[]; env: { name: string; value: string }[] } } }[] };
const execArgs = (kubeconfig: unknown) => (JSON.parse(kubeconfig as string) as Kubeconfig).users[0].user.exec.args;
const roleOf = (kubeconfig: unknown) => {
    const args = execArgs(kubeconfig);
    return args.includes("--role") ? args[args.indexOf("--role") + 1] : undefined;
};

describe("EksCluster: the Kubernetes identity and lifecycle", function () {
    let run: Run;
    before(async () => {
        run = await runComponent(build());
    });
    const eks = () => run.one(EKS);
    const plane = () => eks().state.eksCluster as Record<string, unknown>;

    it("asks pulumi-eks for a kubeconfig naming the run's role (providerCredentialOpts.roleArn)", () => {
        assert.deepEqual(eks().inputs.providerCredentialOpts, { roleArn: DEPLOY });
    });
    it("hands its Kubernetes provider that kubeconfig: `aws eks get-token ... --role <the run's role>`", () => {
        const provider = run.one("pulumi:providers:kubernetes", "c-k8s");
        assert.equal(roleOf(provider.inputs.kubeconfig), DEPLOY);
        assert.deepEqual(execArgs(provider.inputs.kubeconfig), ["--region", "us-west-2", "eks", "get-token", "--cluster-name", "mitene-test-usw2-blue", "--output", "json", "--role", DEPLOY]);
    });
    it("names whichever role the run has: a preview's kubeconfig presents the preview role", async () => {
        const preview = await runComponent(build({ kubernetesRoleArn: PREVIEW }));
        assert.equal(roleOf(preview.one("pulumi:providers:kubernetes", "c-k8s").inputs.kubeconfig), PREVIEW);
    });
    it("creates the control plane without the creator's implicit admin entry (bootstrapClusterCreatorAdminPermissions false)", () => {
        assert.deepEqual(plane().accessConfig, { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
    });
    it("sets upgradePolicy.supportType explicitly", async () => {
        assert.deepEqual(eks().inputs.upgradePolicy, { supportType: "EXTENDED" });
        assert.deepEqual(plane().upgradePolicy, { supportType: "EXTENDED" });
        const standard = await runComponent(build({ supportType: "STANDARD" }));
        assert.deepEqual(standard.one(EKS).inputs.upgradePolicy, { supportType: "STANDARD" });
    });
    it("creates the control-plane log group /aws/eks/<name>/cluster with a retention, before the cluster", () => {
        const group = run.one(LOG_GROUP, "c-control-plane");
        assert.deepEqual([group.inputs.name, group.inputs.retentionInDays], ["/aws/eks/mitene-test-usw2-blue/cluster", 90]);
        assert.ok(run.dependsOn(eks(), group.object!));
    });
    it("makes the control plane itself (pulumi-eks's child) wait for the log group", async () => {
        const group = run.one(LOG_GROUP, "c-control-plane").object!;
        const transforms = eks().opts!.transforms!;
        const dependsOn: unknown[] = [];
        for (const transform of transforms) {
            const result = await transform({ type: CONTROL_PLANE, name: "c-eks-eksCluster", custom: true, props: {}, opts: {} });
            dependsOn.push(...[result?.opts?.dependsOn ?? []].flat());
        }
        assert.ok(dependsOn.includes(group));
    });
    it("admits API clients on pulumi-eks's own cluster security group, the one on the control plane's ENIs, not the group EKS creates", () => {
        const vpcConfig = plane().vpcConfig as { securityGroupIds: string[]; clusterSecurityGroupId: string };
        assert.deepEqual(vpcConfig.securityGroupIds, [eks().state.clusterSecurityGroupId]);
        assert.notEqual(eks().state.clusterSecurityGroupId, vpcConfig.clusterSecurityGroupId);
    });
});

describe("withoutCreatorAdmin: the transform of pulumi-eks's control plane", () => {
    const args = (type: string, props: Record<string, unknown>): pulumi.ResourceTransformArgs => ({ type, name: "x", custom: true, props, opts: {} });

    it("turns bootstrapClusterCreatorAdminPermissions off and keeps every other input", () => {
        const props = { name: "c", version: "1.35", accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true } };
        assert.deepEqual(withoutCreatorAdmin(args(CONTROL_PLANE, props))?.props, {
            name: "c",
            version: "1.35",
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
        });
    });
    it("leaves every other resource alone", () => {
        for (const type of ["aws:eks/accessEntry:AccessEntry", "aws:ec2/securityGroup:SecurityGroup", "eks:index:Cluster"]) {
            assert.equal(withoutCreatorAdmin(args(type, { accessConfig: { bootstrapClusterCreatorAdminPermissions: true } })), undefined);
        }
    });
});

describe("fake cloud: eks:index:Cluster's kubeconfig as pulumi-eks 4.3.0 generates it", () => {
    const kubeconfig = (credentials = {}) => eksKubeconfig("us-west-2", "c", "https://E.gr7.us-west-2.eks.amazonaws.com", "Q0E=", credentials);

    it("runs `aws --region <r> eks get-token --cluster-name <n> --output json` with KUBERNETES_EXEC_INFO", () => {
        const { exec } = kubeconfig().users[0].user;
        assert.deepEqual(exec.args, ["--region", "us-west-2", "eks", "get-token", "--cluster-name", "c", "--output", "json"]);
        assert.deepEqual(exec.env, [{ name: "KUBERNETES_EXEC_INFO", value: `{"apiVersion": "client.authentication.k8s.io/v1beta1"}` }]);
    });
    it("appends --role only from providerCredentialOpts.roleArn", () => {
        assert.deepEqual(kubeconfig({ roleArn: DEPLOY }).users[0].user.exec.args.slice(-2), ["--role", DEPLOY]);
    });
    it("exports no profile: profileName reaches only the component's own provider (genKubeconfig(false))", () => {
        assert.deepEqual(kubeconfig({ profileName: "ops" }), kubeconfig());
    });
    it("points at the cluster by its endpoint and CA under pulumi-eks's names (cluster kubernetes, user aws)", () => {
        const config = kubeconfig();
        assert.deepEqual(config.clusters, [{ cluster: { server: "https://E.gr7.us-west-2.eks.amazonaws.com", "certificate-authority-data": "Q0E=" }, name: "kubernetes" }]);
        assert.deepEqual([config["current-context"], config.contexts[0].context], ["aws", { cluster: "kubernetes", user: "aws" }]);
    });
});
