/**
 * The EKS insights adapter against recorded responses in the AWS shapes (EKS API reference: ListInsights returns
 * `insights` of InsightSummary with `insightStatus {status, reason}` and `nextToken`; DescribeInsight returns
 * `insight` with `recommendation`, `additionalInfo` and `categorySpecificSummary.deprecationDetails`).
 */
import { strict as assert } from "node:assert";
import { DescribeInsightCommand, EKSClient, ListInsightsCommand } from "@aws-sdk/client-eks";
import { mockClient } from "aws-sdk-client-mock";
import { EksInsights } from "../../automation/real/eksInsights";

const eks = mockClient(EKSClient);
const client = new EKSClient({ region: "ap-northeast-1" });
const insights = new EksInsights(() => client);

/** A ListInsights page as EKS returns it for a cluster that still calls an API removed in the target. */
const LIST_PAGE = {
    insights: [
        {
            id: "a1b2c3d4-0000-4000-8000-000000000001",
            name: "Deprecated APIs removed in Kubernetes v1.35",
            category: "UPGRADE_READINESS" as const,
            kubernetesVersion: "1.35",
            lastRefreshTime: new Date("2026-12-03T10:00:00Z"),
            lastTransitionTime: new Date("2026-12-01T10:00:00Z"),
            description: "Checks for usage of deprecated APIs that are scheduled for removal in Kubernetes v1.35.",
            insightStatus: { status: "ERROR" as const, reason: "Deprecated API usage detected within last 30 days." },
        },
        {
            id: "a1b2c3d4-0000-4000-8000-000000000002",
            name: "Kubelet version skew",
            category: "UPGRADE_READINESS" as const,
            kubernetesVersion: "1.35",
            insightStatus: { status: "PASSING" as const, reason: "No issues detected." },
        },
    ],
};

/** DescribeInsight for the ERROR insight above. */
const DESCRIBED = {
    insight: {
        ...LIST_PAGE.insights[0],
        recommendation: "Update manifests and API clients to use newer Kubernetes APIs if applicable before upgrading to Kubernetes v1.35.",
        additionalInfo: { EKS: "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html" },
        resources: [],
        categorySpecificSummary: {
            deprecationDetails: [
                {
                    usage: "/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas",
                    replacedWith: "/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas",
                    stopServingVersion: "1.32",
                    startServingReplacementVersion: "1.29",
                    clientStats: [{ userAgent: "kube-controller-manager", numberOfRequestsLast30Days: 1200, lastRequestTime: new Date("2026-12-03T09:00:00Z") }],
                },
            ],
        },
    },
};

describe("real/EksInsights", () => {
    beforeEach(() => eks.reset());

    it("lists upgrade-readiness insights for the target version, and describes those that are not passing", async () => {
        eks.on(ListInsightsCommand).resolves(LIST_PAGE);
        eks.on(DescribeInsightCommand).resolves(DESCRIBED);
        assert.deepEqual(await insights.insights("ap-northeast-1", "mitene-prod-apne1-blue", "1.35"), [
            {
                id: "a1b2c3d4-0000-4000-8000-000000000001",
                name: "Deprecated APIs removed in Kubernetes v1.35",
                status: "ERROR",
                reason: "Deprecated API usage detected within last 30 days.",
                recommendation: DESCRIBED.insight.recommendation,
                deprecations: [{ usage: "/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas", replacedWith: "/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas", stopServingVersion: "1.32" }],
            },
            { id: "a1b2c3d4-0000-4000-8000-000000000002", name: "Kubelet version skew", status: "PASSING", reason: "No issues detected." },
        ]);
        const input = eks.commandCalls(ListInsightsCommand)[0].args[0].input;
        assert.equal(input.clusterName, "mitene-prod-apne1-blue");
        assert.deepEqual(input.filter, { categories: ["UPGRADE_READINESS"], kubernetesVersions: ["1.35"] });
        // Only the insight that is not passing is described.
        assert.deepEqual(eks.commandCalls(DescribeInsightCommand).map((c) => c.args[0].input), [{ clusterName: "mitene-prod-apne1-blue", id: "a1b2c3d4-0000-4000-8000-000000000001" }]);
    });

    it("follows nextToken", async () => {
        eks.on(ListInsightsCommand)
            .resolvesOnce({ insights: [{ id: "i-1", insightStatus: { status: "WARNING" } }], nextToken: "t2" })
            .resolvesOnce({ insights: [{ id: "i-2", insightStatus: { status: "PASSING" } }] });
        eks.on(DescribeInsightCommand).resolves({ insight: { id: "i-1" } });
        const found = await insights.insights("ap-northeast-1", "c", "1.35");
        assert.deepEqual(found.map((i) => i.id), ["i-1", "i-2"]);
        assert.equal(eks.commandCalls(ListInsightsCommand)[1].args[0].input.nextToken, "t2");
    });

    it("keeps the summary when DescribeInsight answers without the insight", async () => {
        eks.on(ListInsightsCommand).resolves({ insights: [{ id: "i-1", name: "n", insightStatus: { status: "WARNING", reason: "r" } }] });
        eks.on(DescribeInsightCommand).resolves({});
        assert.deepEqual(await insights.insights("ap-northeast-1", "c", "1.35"), [{ id: "i-1", name: "n", status: "WARNING", reason: "r" }]);
    });

    it("reports a status it does not know, or none, as UNKNOWN", async () => {
        eks.on(ListInsightsCommand).resolves({ insights: [{ id: "i-1", insightStatus: { status: "SNOOZED" as never } }, { id: "i-2" }] });
        eks.on(DescribeInsightCommand).resolves({});
        const found = await insights.insights("ap-northeast-1", "c", "1.35");
        assert.deepEqual(found.map((i) => [i.status, i.reason]), [["UNKNOWN", ""], ["UNKNOWN", ""]]);
    });

    it("lets an EKS error through", async () => {
        eks.on(ListInsightsCommand).rejects(new Error("ResourceNotFoundException: No cluster found"));
        await assert.rejects(insights.insights("ap-northeast-1", "gone", "1.35"), /No cluster found/);
    });
});
