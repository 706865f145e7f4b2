/**
 * One catalog add-on installed in a cluster: its IRSA role (when it needs AWS access) and its Helm release.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AddonContext, AddonSpec } from "./addonCatalog";
import { EksCluster } from "./eksCluster";
import { IrsaRole } from "./irsaRole";

export interface AddonReleaseArgs {
    /** The catalog entry. */
    spec: AddonSpec;
    /** What the values and policy depend on; the role ARN is filled in here. */
    context: pulumi.Input<Omit<AddonContext, "roleArn">>;
    /** AWS provider for the IRSA role. */
    provider: aws.Provider;
    /** Provider of the cluster the chart goes into. */
    kubernetesProvider: k8s.Provider;
    /** The cluster's OIDC provider, for the IRSA trust. */
    oidcProviderArn: pulumi.Input<string>;
    oidcProviderUrl: pulumi.Input<string>;
    /** Seconds Helm waits for the release to become ready. Default 600. */
    timeoutSeconds?: number;
}

/** `helm install` arguments for a chart from an HTTP repository or an OCI registry. */
export function chartSource(spec: Pick<AddonSpec, "chart" | "repository">): { chart: string; repositoryOpts?: { repo: string } } {
    return spec.repository.startsWith("oci://")
        ? { chart: `${spec.repository.replace(/\/$/, "")}/${spec.chart}` }
        : { chart: spec.chart, repositoryOpts: { repo: spec.repository } };
}

export class AddonRelease extends pulumi.ComponentResource {
    readonly release: k8s.helm.v3.Release;
    readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: AddonReleaseArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("mitene:addons:AddonRelease", name, {}, opts);
        const { spec } = args;
        const policy = spec.policy;
        const role = policy
            ? new IrsaRole(`${name}-irsa`, {
                  provider: args.provider,
                  oidcProviderArn: args.oidcProviderArn,
                  oidcProviderUrl: args.oidcProviderUrl,
                  namespace: spec.namespace,
                  serviceAccount: spec.serviceAccount,
                  policy: pulumi.output(args.context).apply((ctx) => policy({ ...ctx, roleArn: "" })),
                  description: `${spec.name} add-on`,
              }, { parent: this })
            : undefined;
        this.roleArn = role ? role.arn : pulumi.output("");

        this.release = new k8s.helm.v3.Release(name, {
            name: spec.name,
            ...chartSource(spec),
            version: spec.version,
            namespace: spec.namespace,
            createNamespace: true,
            values: pulumi.all([args.context, this.roleArn]).apply(([ctx, roleArn]) => spec.values({ ...ctx, roleArn })),
            // A failed upgrade rolls back by itself instead of leaving a half-applied release.
            atomic: true,
            cleanupOnFail: true,
            timeout: args.timeoutSeconds ?? 600,
        }, { parent: this, provider: args.kubernetesProvider });

        this.registerOutputs({ roleArn: this.roleArn, status: this.release.status });
    }
}

/** The account and partition a provider deploys into (they appear in every ARN of a policy). */
export function callerScope(provider: aws.Provider, parent: pulumi.Resource): pulumi.Output<{ accountId: string; partition: string }> {
    const identity = aws.getCallerIdentityOutput({}, { parent, provider });
    const partition = aws.getPartitionOutput({}, { parent, provider });
    return pulumi.all([identity.accountId, partition.partition]).apply(([accountId, partitionName]) => ({ accountId, partition: partitionName }));
}

export type ClusterAddonSettings = Omit<AddonContext, "roleArn" | "accountId" | "partition">;

/**
 * Installs each of `specs` into `cluster` as an AddonRelease named `<name>-<add-on>`, keyed by add-on name;
 * those whose wait needs nodes start once the cluster is ready for workloads (after its node groups).
 */
export function installAddons(
    name: string,
    specs: readonly AddonSpec[],
    cluster: EksCluster,
    provider: aws.Provider,
    settings: { [K in keyof ClusterAddonSettings]: pulumi.Input<ClusterAddonSettings[K]> },
    parent: pulumi.Resource,
): Record<string, AddonRelease> {
    const context = pulumi.all([callerScope(provider, parent), pulumi.output(settings)]).apply(([scope, rest]): Omit<AddonContext, "roleArn"> => ({ ...scope, ...rest }));
    return Object.fromEntries(
        specs.map((spec) => [
            spec.name,
            new AddonRelease(`${name}-${spec.name}`, {
                spec,
                context,
                provider,
                kubernetesProvider: cluster.kubernetesProvider,
                oidcProviderArn: cluster.oidcProviderArn,
                oidcProviderUrl: cluster.oidcProviderUrl,
            }, { parent, dependsOn: spec.needsNodes ? [cluster.readyForWorkloads] : [] }),
        ]),
    );
}
