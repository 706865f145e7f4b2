/**
 * ArgoHealth and ClusterJobs on the Kubernetes API: Argo CD `Application`s on the Ops cluster, and Jobs in a
 * service cluster. Both clusters are EKS, reached with an exec user running `aws eks get-token --role-arn`
 * for the run's role (the deploy role for upgrade, ops-upgrade and discard, the rollback role for rollback):
 * the Kubernetes identity is that role's access entry, never the shell's credentials, and no token is kept
 * on disk.
 *
 * `@kubernetes/client-node` is loaded only when a real cluster is contacted: it is large, and the sim never
 * needs it. It is pinned to 1.x, the line that runs on Node 20 (2.x needs Node >= 22.19).
 */
import { DescribeClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import type { BatchV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { eksKubeconfig } from "../../components/kubeconfig";
import { opsClusterName, opsStack } from "../../components/naming";
import { OpsOutputs } from "../../stacks/outputs";
import { AppsHealth, ArgoHealth, ClusterJobs, ClusterRef } from "../core/ports";
import { ClientFor } from "./clients";
import type { PulumiEngine } from "./pulumiEngine";

export type ApplicationsApi = Pick<CustomObjectsApi, "listNamespacedCustomObject">;
export type JobsApi = Pick<BatchV1Api, "listJobForAllNamespaces">;

/** What it takes to reach an EKS cluster's API. */
export interface EksClusterAccess {
    name: string;
    endpoint: string;
    /** Base64 PEM of the cluster CA, as EKS returns it. */
    caData: string;
    region: string;
}

/** A kubeconfig for `cluster` presenting a token for `roleArn` (JSON is valid YAML, so `loadFromString` takes it as is). */
export const clusterKubeconfig = (cluster: EksClusterAccess, roleArn: string) =>
    eksKubeconfig({ clusterName: cluster.name, endpoint: cluster.endpoint, caData: cluster.caData, region: cluster.region, roleArn });

async function kubeClient(kubeconfig: string) {
    const k8s = await import("@kubernetes/client-node");
    const config = new k8s.KubeConfig();
    config.loadFromString(kubeconfig);
    return { k8s, config };
}

export async function applicationsApi(kubeconfig: string): Promise<ApplicationsApi> {
    const { k8s, config } = await kubeClient(kubeconfig);
    return config.makeApiClient(k8s.CustomObjectsApi);
}

export async function jobsApi(kubeconfig: string): Promise<JobsApi> {
    const { k8s, config } = await kubeClient(kubeconfig);
    return config.makeApiClient(k8s.BatchV1Api);
}

/** The Ops cluster as the ops stack publishes it: name, region, endpoint and CA (none of them secret). */
export function opsClusterAccess(engine: Pick<PulumiEngine, "getStack">): (env: string) => Promise<EksClusterAccess> {
    return async (env) => {
        const outputs = ((await engine.getStack(opsStack(env)))?.outputs ?? {}) as Partial<OpsOutputs>;
        const { clusterName, region, clusterEndpoint, clusterCertificateAuthority } = outputs;
        if (!clusterName || !region || !clusterEndpoint || !clusterCertificateAuthority) {
            throw new Error(`stack ${opsStack(env)} does not export clusterName, region, clusterEndpoint and clusterCertificateAuthority: update it first`);
        }
        return { name: clusterName, endpoint: clusterEndpoint, caData: clusterCertificateAuthority, region };
    };
}

/** The service cluster's endpoint and CA from EKS itself (ClusterRef carries no CA). */
export function eksClusterAccess(eks: ClientFor<EKSClient>): (cluster: ClusterRef) => Promise<EksClusterAccess> {
    return async ({ region, clusterName }) => {
        const { cluster } = await eks(region).send(new DescribeClusterCommand({ name: clusterName }));
        if (!cluster?.endpoint || !cluster.certificateAuthority?.data) throw new Error(`EKS cluster ${clusterName} in ${region} has no endpoint or CA yet`);
        return { name: clusterName, endpoint: cluster.endpoint, caData: cluster.certificateAuthority.data, region };
    };
}

/** Lists every page (the API server pages large lists; a missed page would hide apps or jobs). */
async function listAll<T>(page: (cont: string | undefined) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
    const items: T[] = [];
    let cont: string | undefined;
    do {
        const result = await page(cont);
        items.push(...result.items);
        cont = result.next || undefined;
    } while (cont !== undefined);
    return items;
}

/** Clients are kept per cluster: the exec token is cached inside one, and the kubeconfig may be costly to get. */
function cached<A, T>(key: (arg: A) => string, connect: (arg: A) => Promise<T>): (arg: A) => Promise<T> {
    const clients = new Map<string, Promise<T>>();
    return (arg) => {
        let client = clients.get(key(arg));
        if (client === undefined) {
            client = connect(arg);
            clients.set(key(arg), client);
            // A failed connection is not kept: the next poll tries again.
            void client.catch(() => clients.delete(key(arg)));
        }
        return client;
    };
}

const PAGE = 500;
const trimSlash = (url: string | undefined) => url?.replace(/\/+$/, "");

interface Application {
    metadata: { name: string };
    spec?: { destination?: { name?: string; server?: string } };
    status?: { sync?: { status?: string }; health?: { status?: string } };
}

/** Argo CD on the Ops cluster of the env, read as `roleArn` (the deploy role: cluster admin there). */
export class ArgoCdHealth implements ArgoHealth {
    private readonly api: (env: string) => Promise<ApplicationsApi>;

    constructor(opsCluster: (env: string) => Promise<EksClusterAccess>, roleArn: string, connect: (kubeconfig: string) => Promise<ApplicationsApi> = applicationsApi) {
        this.api = cached(
            (env) => env,
            async (env) => connect(clusterKubeconfig(await opsCluster(env), roleArn)),
        );
    }

    async applications(env: string, cluster: ClusterRef): Promise<AppsHealth> {
        return this.health(env, cluster, [cluster.clusterName], [cluster.endpoint]);
    }

    /** Argo CD names its own cluster `in-cluster` at `https://kubernetes.default.svc` unless registered by name. */
    async opsApplications(env: string, opsCluster: ClusterRef): Promise<AppsHealth> {
        return this.health(env, opsCluster, [opsCluster.clusterName, "in-cluster"], [opsCluster.endpoint, "https://kubernetes.default.svc"]);
    }

    /** The Applications whose destination is one of `names` or `servers`, and those not Synced and Healthy. */
    private async health(env: string, cluster: ClusterRef, names: string[], servers: string[]): Promise<AppsHealth> {
        let apps: Application[];
        try {
            const api = await this.api(env);
            apps = await listAll(async (cont) => {
                const list = await api.listNamespacedCustomObject({
                    group: "argoproj.io",
                    version: "v1alpha1",
                    namespace: "argocd",
                    plural: "applications",
                    limit: PAGE,
                    _continue: cont,
                });
                return { items: list.items as Application[], next: list.metadata?.continue };
            });
        } catch (error) {
            throw new Error(`Argo CD applications for ${cluster.clusterName} (${opsClusterName(env)}): ${(error as Error).message}`, { cause: error });
        }
        const endpoints = servers.map(trimSlash);
        const targeting = apps.filter((app) => {
            const destination = app.spec?.destination ?? {};
            return names.includes(destination.name ?? "") || endpoints.includes(trimSlash(destination.server));
        });
        const notReady = targeting
            .map((app) => ({ name: app.metadata.name, sync: app.status?.sync?.status ?? "Unknown", health: app.status?.health?.status ?? "Unknown" }))
            .filter((app) => app.sync !== "Synced" || app.health !== "Healthy");
        return { total: targeting.length, notReady };
    }
}

/** Jobs in a service cluster, reached through its EKS endpoint and CA as `roleArn` (deploy or rollback: view there at least). */
export class KubernetesClusterJobs implements ClusterJobs {
    private readonly api: (cluster: ClusterRef) => Promise<JobsApi>;

    constructor(access: (cluster: ClusterRef) => Promise<EksClusterAccess>, roleArn: string, connect: (kubeconfig: string) => Promise<JobsApi> = jobsApi) {
        this.api = cached(
            (cluster) => `${cluster.region}/${cluster.clusterName}`,
            async (cluster) => connect(clusterKubeconfig(await access(cluster), roleArn)),
        );
    }

    async runningCronJobs(cluster: ClusterRef): Promise<string[]> {
        try {
            const api = await this.api(cluster);
            const jobs = await listAll(async (cont) => {
                const list = await api.listJobForAllNamespaces({ limit: PAGE, _continue: cont });
                return { items: list.items, next: list.metadata?._continue };
            });
            return jobs
                .filter((job) => (job.status?.active ?? 0) > 0 && (job.metadata?.ownerReferences ?? []).some((owner) => owner.kind === "CronJob"))
                .map((job) => `${job.metadata!.namespace}/${job.metadata!.name}`)
                .sort();
        } catch (error) {
            throw new Error(`jobs in cluster ${cluster.clusterName} (${cluster.region}): ${(error as Error).message}`, { cause: error });
        }
    }
}
