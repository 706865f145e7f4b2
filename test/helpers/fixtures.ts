/**
 * Minimal valid inputs for the foundation tests: stack configs with only the required keys (so defaults
 * show), and component arguments.
 */
import { AddonContext } from "../../components/addonCatalog";
import * as aws from "@pulumi/aws";
import { EksCluster, EksClusterArgs, NodeGroupSpec } from "../../components/eksCluster";

/** `key: value` pairs to engine config: `mitene:` prefix, structured values as JSON. */
export function engine(values: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k.includes(":") ? k : `mitene:${k}`, typeof v === "string" ? v : JSON.stringify(v)]));
}

export const minimalNodeGroup = { name: "general", instanceTypes: ["m7i.large", "m6i.large"], minSize: 1, maxSize: 3, desiredSize: 2 };

/** The account every minimal config names (the fake cloud's). */
export const TEST_ACCOUNT = "123456789012";

/** The three roles of env `env` by their fixed names (stacks/config/access.ts). */
export const envRoles = (env = "test", account = TEST_ACCOUNT) => ({
    deployRoleArn: `arn:aws:iam::${account}:role/mitene-${env}-deploy`,
    previewRoleArn: `arn:aws:iam::${account}:role/mitene-${env}-preview`,
    rollbackRoleArn: `arn:aws:iam::${account}:role/mitene-${env}-rollback`,
});

export const minimalOps = () => ({
    accountId: TEST_ACCOUNT,
    ...envRoles(),
    region: "ap-northeast-1",
    kubernetesVersion: "1.34",
    vpcCidr: "10.100.0.0/16",
    availabilityZones: ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"],
    nodeGroups: [minimalNodeGroup],
    accessLogsBucket: "mitene-test-alb-logs",
    argocd: {
        hostname: "argocd.ops-test.mitene.internal",
        certificateArn: "arn:aws:acm:ap-northeast-1:123456789012:certificate/abc",
        privateHostedZoneId: "Z0TESTINTERNAL",
        gitopsRepoUrl: "https://github.com/mitene/gitops.git",
        sso: { issuer: "https://sso.mitene.example", clientId: "argocd-test", clientSecretParameter: "/mitene/test/argocd/sso" },
    },
});

export const minimalRegion = () => ({
    accountId: TEST_ACCOUNT,
    ...envRoles(),
    vpcCidr: "10.20.0.0/16",
    availabilityZones: ["us-west-2a", "us-west-2b", "us-west-2c"],
    certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/abc",
    hostedZoneId: "Z0TESTPUBLIC",
    accessLogsBucket: "mitene-test-alb-logs",
    services: [{ name: "api", host: "api.mitene.example", port: 3000 }],
    weights: { blue: 100, green: 0 },
    cronColor: "blue",
});

export const minimalCluster = () => ({
    accountId: TEST_ACCOUNT,
    ...envRoles(),
    kubernetesVersion: "1.34",
    cron: true,
    nodeGroups: [minimalNodeGroup],
    ampWorkspaceId: "ws-test",
});

export const spotGroup: NodeGroupSpec = {
    name: "spot",
    capacityType: "SPOT",
    instanceTypes: ["m7i.xlarge", "m6i.xlarge", "m6a.xlarge"],
    minSize: 2,
    maxSize: 10,
    desiredSize: 3,
    diskSizeGiB: 80,
    labels: { workload: "web" },
};

export const onDemandGroup: NodeGroupSpec = {
    name: "system",
    capacityType: "ON_DEMAND",
    instanceTypes: ["m7i.large", "m6i.large"],
    minSize: 2,
    maxSize: 4,
    desiredSize: 2,
    diskSizeGiB: 50,
    labels: {},
};

/** An add-on's context in a prod service cluster (us-west-2, green). */
export const ADDON_CONTEXT: AddonContext = {
    partition: "aws",
    accountId: "123456789012",
    region: "us-west-2",
    clusterName: "mitene-prod-usw2-green",
    vpcId: "vpc-0123456789abcdef0",
    kubernetesVersion: "1.35",
    roleArn: "arn:aws:iam::123456789012:role/addon-irsa",
    ampWorkspaceId: "ws-11111111-2222-3333-4444-555555555555",
    logGroupName: "/mitene/prod/mitene-prod-usw2-green/containers",
    parameterPath: "/mitene/prod",
    targetGroupPattern: "prod-usw2-*-green",
};

/** The deploy role the EKS cluster tests name: the one a run of `MITENE_ACCESS=deploy` would. */
export const TEST_DEPLOY_ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/mitene-test-deploy`;

/** A program that builds one EksCluster with valid arguments, changed by `overrides`. */
export function eksClusterProgram(overrides: Partial<Omit<EksClusterArgs, "provider">> = {}) {
    return () => {
        const provider = new aws.Provider("aws", { region: "us-west-2" });
        const cluster = new EksCluster("c", {
            provider,
            clusterName: "mitene-test-usw2-blue",
            vpcId: "vpc-0123",
            privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"],
            kubernetesVersion: "1.35",
            nodeGroups: [onDemandGroup, spotGroup],
            kubernetesRoleArn: TEST_DEPLOY_ROLE,
            supportType: "EXTENDED",
            controlPlaneLogRetentionDays: 90,
            ...overrides,
        });
        return { kubeconfig: cluster.kubeconfig, oidcProviderArn: cluster.oidcProviderArn };
    };
}
