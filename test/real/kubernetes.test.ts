import { strict as assert } from "node:assert";
import { DescribeClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import type { CustomObjectsApiListNamespacedCustomObjectRequest, V1Job } from "@kubernetes/client-node";
import { mockClient } from "aws-sdk-client-mock";
import {
    ApplicationsApi,
    ArgoCdHealth,
    EksClusterAccess,
    JobsApi,
    KubernetesClusterJobs,
    clusterKubeconfig,
    eksClusterAccess,
    applicationsApi,
    jobsApi,
    opsClusterAccess,
} from "../../automation/real/kubernetes";
import { ClusterRef, StackState } from "../../automation/core/ports";

const green: ClusterRef = {
    region: "ap-northeast-1",
    color: "green",
    clusterName: "mitene-prod-apne1-green",
    endpoint: "https://GREEN.gr7.ap-northeast-1.eks.amazonaws.com",
};
const access: EksClusterAccess = { name: green.clusterName, endpoint: green.endpoint, caData: "Q0EK", region: green.region };
const opsAccess: EksClusterAccess = { name: "ops-prod", endpoint: "https://OPS.gr7.ap-northeast-1.eks.amazonaws.com", caData: "T1BT", region: "ap-northeast-1" };
const DEPLOY = "arn:aws:iam::123456789012:role/mitene-prod-deploy";
const ROLLBACK = "arn:aws:iam::123456789012:role/mitene-prod-rollback";

const app = (name: string, destination: object, sync?: string, health?: string) => ({
    metadata: { name },
    spec: { destination },
    ...(sync ? { status: { sync: { status: sync }, health: { status: health } } } : {}),
});

/** An Applications API answering the given pages in order, recording what it was asked. */
function applications(pages: object[][]) {
    const asked: CustomObjectsApiListNamespacedCustomObjectRequest[] = [];
    const api: ApplicationsApi = {
        listNamespacedCustomObject: async (param) => {
            asked.push(param);
            const page = param._continue ? Number(param._continue.slice(1)) : 0;
            return { items: pages[page], metadata: page + 1 < pages.length ? { continue: `c${page + 1}` } : {} };
        },
    };
    return { api, asked };
}

describe("real/kubernetes clusterKubeconfig", () => {
    it("points at the cluster with its CA and an `aws eks get-token --role-arn <role>` exec user, never asking interactively", () => {
        const config = JSON.parse(clusterKubeconfig(access, ROLLBACK));
        assert.deepEqual(config.clusters, [{ name: access.name, cluster: { server: access.endpoint, "certificate-authority-data": "Q0EK" } }]);
        assert.equal(config.users[0].user.exec.command, "aws");
        assert.deepEqual(config.users[0].user.exec.args, ["eks", "get-token", "--cluster-name", access.name, "--region", "ap-northeast-1", "--role-arn", ROLLBACK, "--output", "json"]);
        assert.equal(config.users[0].user.exec.interactiveMode, "Never");
        assert.equal(config["current-context"], access.name);
        assert.deepEqual(config.contexts[0].context, { cluster: access.name, user: access.name });
    });
});

describe("real/kubernetes client", () => {
    it("builds real API clients from an EKS kubeconfig on this Node version", async () => {
        const kubeconfig = clusterKubeconfig({ name: "c", endpoint: "https://example.invalid", caData: "", region: "us-west-2" }, DEPLOY);
        assert.equal(typeof (await applicationsApi(kubeconfig)).listNamespacedCustomObject, "function");
        assert.equal(typeof (await jobsApi(kubeconfig)).listJobForAllNamespaces, "function");
    });
});

describe("real/kubernetes ArgoCdHealth", () => {
    it("lists Applications in argocd and reports those targeting the cluster by name or server", async () => {
        const { api, asked } = applications([
            [
                app("api", { name: green.clusterName }, "Synced", "Healthy"),
                app("web", { server: `${green.endpoint}/` }, "OutOfSync", "Progressing"),
                app("worker", { name: green.clusterName }),
                app("blue-api", { name: "mitene-prod-apne1-blue" }, "OutOfSync", "Degraded"),
            ],
        ]);
        const kubeconfigs: string[] = [];
        const envs: string[] = [];
        const argo = new ArgoCdHealth(async (env) => (envs.push(env), opsAccess), DEPLOY, async (kc) => (kubeconfigs.push(kc), api));
        assert.deepEqual(await argo.applications("prod", green), {
            total: 3,
            notReady: [
                { name: "web", sync: "OutOfSync", health: "Progressing" },
                { name: "worker", sync: "Unknown", health: "Unknown" },
            ],
        });
        assert.deepEqual(envs, ["prod"]);
        assert.deepEqual(kubeconfigs, [clusterKubeconfig(opsAccess, DEPLOY)]);
        assert.deepEqual(asked[0], { group: "argoproj.io", version: "v1alpha1", namespace: "argocd", plural: "applications", limit: 500, _continue: undefined });
    });

    it("reports the Ops cluster's own Applications: in-cluster by name or server, or registered by its name", async () => {
        const { api } = applications([
            [
                app("app-of-apps", { name: "in-cluster" }, "Synced", "Healthy"),
                app("grafana", { server: "https://kubernetes.default.svc" }, "Synced", "Degraded"),
                app("argocd-applicationsets", { name: "ops-prod" }, "Synced", "Healthy"),
                app("api", { name: green.clusterName }, "OutOfSync", "Missing"),
            ],
        ]);
        const ops: ClusterRef = { region: "ops", color: "blue", clusterName: "ops-prod", endpoint: "https://kubernetes.default.svc" };
        const argo = new ArgoCdHealth(async () => opsAccess, DEPLOY, async () => api);
        assert.deepEqual(await argo.opsApplications("prod", ops), { total: 3, notReady: [{ name: "grafana", sync: "Synced", health: "Degraded" }] });
    });

    it("follows the list's continue token", async () => {
        const { api, asked } = applications([[app("api", { name: green.clusterName }, "Synced", "Healthy")], [app("web", { name: green.clusterName }, "Synced", "Healthy")]]);
        const argo = new ArgoCdHealth(async () => opsAccess, DEPLOY, async () => api);
        assert.deepEqual(await argo.applications("prod", green), { total: 2, notReady: [] });
        assert.equal(asked[1]._continue, "c1");
    });

    it("connects once per env and reuses the client", async () => {
        const { api } = applications([[]]);
        let connects = 0;
        const argo = new ArgoCdHealth(async () => opsAccess, DEPLOY, async () => (connects++, api));
        await argo.applications("prod", green);
        await argo.applications("prod", green);
        assert.equal(connects, 1);
    });

    it("does not keep a failed connection, and names the cluster in the error", async () => {
        const { api } = applications([[]]);
        let attempts = 0;
        const argo = new ArgoCdHealth(
            async () => {
                if (++attempts === 1) throw new Error("stack ops-prod does not export clusterEndpoint");
                return opsAccess;
            },
            DEPLOY,
            async () => api,
        );
        await assert.rejects(argo.applications("prod", green), /^Error: Argo CD applications for mitene-prod-apne1-green \(ops-prod\): stack ops-prod does not export clusterEndpoint$/);
        assert.deepEqual(await argo.applications("prod", green), { total: 0, notReady: [] });
    });

    it("names the cluster when the API call fails", async () => {
        const api: ApplicationsApi = { listNamespacedCustomObject: async () => Promise.reject(new Error("HTTP-Code: 403 Forbidden")) };
        const argo = new ArgoCdHealth(async () => opsAccess, DEPLOY, async () => api);
        await assert.rejects(argo.applications("prod", green), /Argo CD applications for mitene-prod-apne1-green \(ops-prod\): HTTP-Code: 403/);
    });
});

const job = (namespace: string, name: string, active: number | undefined, ownerKind?: string): V1Job => ({
    metadata: { namespace, name, ownerReferences: ownerKind ? [{ kind: ownerKind, name: "owner", apiVersion: "batch/v1", uid: "u" }] : undefined },
    status: active === undefined ? undefined : { active },
});

describe("real/kubernetes KubernetesClusterJobs", () => {
    it("reports running Jobs owned by CronJobs, as namespace/name, sorted, reaching the cluster through EKS", async () => {
        const asked: unknown[] = [];
        const api: JobsApi = {
            listJobForAllNamespaces: async (param) => {
                asked.push(param);
                return asked.length === 1
                    ? { items: [job("batch", "nightly-export-29500", 1, "CronJob"), job("batch", "one-off-migrate", 1)], metadata: { _continue: "c1" } }
                    : { items: [job("app", "cleanup-29501", 2, "CronJob"), job("app", "cleanup-29499", 0, "CronJob"), job("app", "old", undefined, "CronJob")] };
            },
        };
        const refs: ClusterRef[] = [];
        const kubeconfigs: string[] = [];
        const jobs = new KubernetesClusterJobs(async (ref) => (refs.push(ref), access), ROLLBACK, async (kc) => (kubeconfigs.push(kc), api));
        assert.deepEqual(await jobs.runningCronJobs(green), ["app/cleanup-29501", "batch/nightly-export-29500"]);
        assert.deepEqual(refs, [green]);
        assert.deepEqual(kubeconfigs, [clusterKubeconfig(access, ROLLBACK)]);
        assert.deepEqual(asked, [{ limit: 500, _continue: undefined }, { limit: 500, _continue: "c1" }]);
    });

    it("names the cluster when the Jobs cannot be listed", async () => {
        const api: JobsApi = { listJobForAllNamespaces: async () => Promise.reject(new Error("connect ETIMEDOUT")) };
        const jobs = new KubernetesClusterJobs(async () => access, DEPLOY, async () => api);
        await assert.rejects(jobs.runningCronJobs(green), /^Error: jobs in cluster mitene-prod-apne1-green \(ap-northeast-1\): connect ETIMEDOUT$/);
    });
});

describe("real/kubernetes eksClusterAccess", () => {
    const eks = mockClient(EKSClient);
    const client = new EKSClient({ region: "ap-northeast-1" });
    beforeEach(() => eks.reset());

    it("takes the endpoint and CA from DescribeCluster", async () => {
        eks.on(DescribeClusterCommand).resolves({ cluster: { endpoint: green.endpoint, certificateAuthority: { data: "Q0EK" } } });
        assert.deepEqual(await eksClusterAccess(() => client)(green), access);
        assert.deepEqual(eks.commandCalls(DescribeClusterCommand)[0].args[0].input, { name: green.clusterName });
    });

    it("rejects a cluster that has no CA yet (still creating)", async () => {
        eks.on(DescribeClusterCommand).resolves({ cluster: { status: "CREATING" } });
        await assert.rejects(eksClusterAccess(() => client)(green), /EKS cluster mitene-prod-apne1-green in ap-northeast-1 has no endpoint or CA yet/);
    });
});

describe("real/kubernetes opsClusterAccess", () => {
    const engine = (outputs: Record<string, unknown> | null) => ({
        getStack: async (name: string) => (assert.equal(name, "ops-prod"), outputs === null ? undefined : ({ outputs } as unknown as StackState)),
    });
    const published = { clusterName: "ops-prod", region: "ap-northeast-1", clusterEndpoint: opsAccess.endpoint, clusterCertificateAuthority: opsAccess.caData };

    it("takes the Ops cluster's name, region, endpoint and CA from the ops stack's outputs (no secret to decrypt)", async () => {
        assert.deepEqual(await opsClusterAccess(engine({ ...published, argocdUrl: "https://argocd" }))("prod"), opsAccess);
    });

    for (const missing of Object.keys(published)) {
        it(`asks for the ops stack to be updated when it does not export ${missing}`, async () => {
            const outputs: Record<string, unknown> = { ...published };
            delete outputs[missing];
            await assert.rejects(opsClusterAccess(engine(outputs))("prod"), /stack ops-prod does not export clusterName, region, clusterEndpoint and clusterCertificateAuthority: update it first/);
        });
    }

    it("asks for the same when the ops stack was never deployed", async () => {
        await assert.rejects(opsClusterAccess(engine(null))("prod"), /update it first/);
    });
});
