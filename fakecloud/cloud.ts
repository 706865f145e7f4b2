/**
 * The fake AWS answering Pulumi's mock runtime, written once for tests, `render` and the sim engine.
 * IDs and ARNs are derived from (stack, type, name), so the same program always yields the same graph,
 * and they have AWS's shapes so that code parsing them (ARN suffixes, dimensions) works unchanged.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

export const FAKE_ACCOUNT_ID = "123456789012";

/** Answers StackReferences: the outputs of a fully qualified stack name, or undefined if not deployed. */
export type StackOutputsLookup = (fullyQualifiedName: string) => Record<string, unknown> | undefined;

export interface FakeCloudOptions {
    /** Stack being run; part of every derived ID. */
    stack: string;
    stackOutputs: StackOutputsLookup;
    accountId?: string;
}

/** Hosted zone ids of ALBs per region, as AWS publishes them (the alias target zone). */
const ALB_ZONE_IDS: Record<string, string> = {
    "ap-northeast-1": "Z14GRHDCWA56QT",
    "us-west-2": "Z1H1FL5HABSF5",
    "us-east-1": "Z35SXDOTRQ7X7K",
    "eu-west-1": "Z32O12XQLNTSW2",
};

export class StackNotDeployedError extends Error {
    constructor(readonly reference: string) {
        super(`StackReference ${reference}: that stack is not deployed (deploy it first)`);
    }
}

export class FakeCloud implements pulumi.runtime.Mocks {
    private readonly accountId: string;
    /** Provider resource id -> region, so resources know where they live. */
    private readonly providerRegions = new Map<string, string>();

    constructor(private readonly options: FakeCloudOptions) {
        this.accountId = options.accountId ?? FAKE_ACCOUNT_ID;
    }

    /** A stable hex string for this stack, resource type and name. */
    private hex(type: string, name: string, length: number): string {
        let out = "";
        for (let i = 0; out.length < length; i++) {
            out += createHash("sha256").update(`${this.options.stack}|${type}|${name}|${i}`).digest("hex");
        }
        return out.slice(0, length);
    }

    private regionOf(provider: string | undefined): string {
        const id = provider?.split("::").pop();
        const known = id ? this.providerRegions.get(id) : undefined;
        if (known) return known;
        // Components (eks:index:Cluster, awsx:ec2:Vpc) take a `providers` map the mock monitor does not pass on
        // (their `provider` is ""): they live in the region of the stack's AWS provider when there is only one.
        const regions = new Set(this.providerRegions.values());
        return regions.size === 1 ? [...regions][0] : "ap-northeast-1";
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
        const { type, name, inputs } = args;
        const region = this.regionOf(args.provider);
        const hex = (n: number) => this.hex(type, name, n);
        const acct = this.accountId;
        const physical = (inputs.name as string | undefined) ?? `${name}-${hex(7)}`;

        switch (type) {
            case "pulumi:providers:aws": {
                const id = `${name}-provider-${hex(8)}`;
                this.providerRegions.set(id, inputs.region as string);
                return { id, state: inputs };
            }
            case "pulumi:pulumi:StackReference": {
                const reference = inputs.name as string;
                const outputs = this.options.stackOutputs(reference);
                if (!outputs) throw new StackNotDeployedError(reference);
                return { id: reference, state: { name: reference, outputs, secretOutputNames: [] } };
            }
            case "eks:index:Cluster":
                return { id: `${name}-${hex(8)}`, state: this.eksCluster(physical, region, inputs, hex) };
            case "eks:index:ManagedNodeGroup":
                return {
                    id: `${name}-${hex(8)}`,
                    state: {
                        nodeGroup: {
                            nodeGroupName: inputs.nodeGroupName,
                            version: inputs.version,
                            capacityType: inputs.capacityType,
                            status: "ACTIVE",
                            arn: `arn:aws:eks:${region}:${acct}:nodegroup/${inputs.nodeGroupName}/${hex(8)}`,
                        },
                    },
                };
            case "awsx:ec2:Vpc":
                return { id: `${name}-${hex(8)}`, state: this.vpc(inputs, hex) };
            case "aws:lb/loadBalancer:LoadBalancer": {
                const suffix = `app/${physical}/${hex(16)}`;
                const arn = `arn:aws:elasticloadbalancing:${region}:${acct}:loadbalancer/${suffix}`;
                return {
                    id: arn,
                    state: {
                        ...inputs,
                        arn,
                        arnSuffix: suffix,
                        name: physical,
                        dnsName: `${inputs.internal ? "internal-" : ""}${physical}-${parseInt(hex(8), 16)}.${region}.elb.amazonaws.com`,
                        zoneId: ALB_ZONE_IDS[region] ?? "Z0000000000000",
                    },
                };
            }
            case "aws:lb/targetGroup:TargetGroup": {
                const suffix = `targetgroup/${physical}/${hex(16)}`;
                const arn = `arn:aws:elasticloadbalancing:${region}:${acct}:${suffix}`;
                return { id: arn, state: { ...inputs, arn, arnSuffix: suffix, name: physical } };
            }
            case "aws:lb/listener:Listener":
            case "aws:lb/listenerRule:ListenerRule": {
                const kind = type.endsWith("Rule") ? "listener-rule" : "listener";
                const arn = `arn:aws:elasticloadbalancing:${region}:${acct}:${kind}/app/${name}/${hex(16)}/${hex(16).split("").reverse().join("")}`;
                return { id: arn, state: { ...inputs, arn } };
            }
            case "aws:ec2/securityGroup:SecurityGroup":
                return { id: `sg-${hex(17)}`, state: { ...inputs, arn: `arn:aws:ec2:${region}:${acct}:security-group/sg-${hex(17)}` } };
            case "aws:ec2/launchTemplate:LaunchTemplate":
                return { id: `lt-${hex(17)}`, state: { ...inputs, latestVersion: 1, defaultVersion: 1, arn: `arn:aws:ec2:${region}:${acct}:launch-template/lt-${hex(17)}` } };
            case "aws:kms/key:Key": {
                const keyId = `${hex(8)}-${hex(12).slice(0, 4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
                return { id: keyId, state: { ...inputs, keyId, arn: `arn:aws:kms:${region}:${acct}:key/${keyId}` } };
            }
            case "aws:iam/role:Role":
                return { id: physical, state: { ...inputs, name: physical, arn: `arn:aws:iam::${acct}:role/${physical}`, uniqueId: `AROA${hex(17).toUpperCase()}` } };
            case "aws:cloudwatch/logGroup:LogGroup":
                return { id: physical, state: { ...inputs, name: physical, arn: `arn:aws:logs:${region}:${acct}:log-group:${physical}` } };
            case "aws:route53/record:Record":
                return { id: `${inputs.zoneId}_${inputs.name}_${inputs.type}${inputs.setIdentifier ? `_${inputs.setIdentifier}` : ""}`, state: { ...inputs, fqdn: inputs.name } };
            case "kubernetes:helm.sh/v3:Release":
                return {
                    id: `${inputs.namespace}/${inputs.name}`,
                    state: { ...inputs, status: { status: "deployed", name: inputs.name, namespace: inputs.namespace, version: inputs.version, revision: 1 } },
                };
            default:
                return { id: args.custom === false ? "" : `${name}-${hex(8)}`, state: { ...inputs, arn: `arn:aws:fake:${region}:${acct}:${type.split(":").pop()}/${physical}` } };
        }
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        switch (args.token) {
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return { accountId: this.accountId, arn: `arn:aws:iam::${this.accountId}:role/sim`, userId: "AROASIM", id: this.accountId };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
            case "aws:index/getRegion:getRegion":
                return { name: this.regionOf(args.provider), region: this.regionOf(args.provider), id: this.regionOf(args.provider) };
            case "aws:ssm/getParameter:getParameter":
                return { name: args.inputs.name, type: "SecureString", value: `sim-value-of-${args.inputs.name}`, version: 1, arn: `arn:aws:ssm:${this.regionOf(args.provider)}:${this.accountId}:parameter${args.inputs.name}`, id: args.inputs.name };
            default:
                throw new Error(`the fake cloud has no answer for ${args.token}`);
        }
    }

    private eksCluster(clusterName: string, region: string, inputs: Record<string, unknown>, hex: (n: number) => string) {
        const oidcId = hex(32).toUpperCase();
        const endpoint = `https://${oidcId}.gr7.${region}.eks.amazonaws.com`;
        const caData = Buffer.from(`fake CA of ${clusterName}`).toString("base64");
        const kubeconfig = {
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: clusterName, cluster: { server: endpoint, "certificate-authority-data": caData } }],
            contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
            "current-context": clusterName,
            users: [{ name: clusterName, user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region] } } }],
        };
        const oidcProviderUrl = `https://oidc.eks.${region}.amazonaws.com/id/${oidcId}`;
        return {
            eksCluster: {
                name: clusterName,
                arn: `arn:aws:eks:${region}:${this.accountId}:cluster/${clusterName}`,
                version: inputs.version,
                endpoint,
                status: "ACTIVE",
                certificateAuthority: { data: caData },
                vpcConfig: { clusterSecurityGroupId: `sg-${hex(17)}`, vpcId: inputs.vpcId },
            },
            kubeconfig,
            kubeconfigJson: JSON.stringify(kubeconfig),
            oidcProviderArn: `arn:aws:iam::${this.accountId}:oidc-provider/oidc.eks.${region}.amazonaws.com/id/${oidcId}`,
            oidcProviderUrl,
            oidcIssuer: oidcProviderUrl.replace("https://", ""),
            clusterSecurityGroupId: `sg-${hex(17)}`,
            nodeSecurityGroupId: "",
        };
    }

    private vpc(inputs: Record<string, unknown>, hex: (n: number) => string) {
        const azs = (inputs.availabilityZoneNames as string[] | undefined) ?? [];
        const specs = (inputs.subnetSpecs as { type: string; cidrBlocks?: string[] }[] | undefined) ?? [];
        const subnetIds = (kind: string) =>
            (specs.find((s) => s.type === kind)?.cidrBlocks ?? azs).map((_, i) => `subnet-${this.hex(`subnet-${kind}`, `${hex(6)}-${i}`, 17)}`);
        const vpcId = `vpc-${hex(17)}`;
        return {
            vpcId,
            vpc: { id: vpcId, cidrBlock: inputs.cidrBlock },
            privateSubnetIds: subnetIds("Private"),
            publicSubnetIds: subnetIds("Public"),
            isolatedSubnetIds: [],
        };
    }
}
