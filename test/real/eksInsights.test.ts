import { strict as assert } from "node:assert";
import { EKSClient, ListInsightsCommand } from "@aws-sdk/client-eks";
import { mockClient } from "aws-sdk-client-mock";
import { EksInsights } from "../../automation/real/eksInsights";

const eks = mockClient(EKSClient);
const client = new EKSClient({ region: "ap-northeast-1" });
const insights = new EksInsights(() => client);

describe("real/EksInsights", () => {
    beforeEach(() => eks.reset());

    it("lists upgrade-readiness insights for the target version and maps their status", async () => {
        eks.on(ListInsightsCommand).resolves({
            insights: [
                { id: "i-1", name: "Deprecated APIs removed in Kubernetes v1.35", insightStatus: { status: "ERROR", reason: "policy/v1beta1 in use" } },
                { id: "i-2", name: "Kubelet version skew", insightStatus: { status: "PASSING", reason: "No issues" } },
            ],
        });
        assert.deepEqual(await insights.insights("ap-northeast-1", "mitene-prod-apne1-blue", "1.35"), [
            { id: "i-1", name: "Deprecated APIs removed in Kubernetes v1.35", status: "ERROR", reason: "policy/v1beta1 in use" },
            { id: "i-2", name: "Kubelet version skew", status: "PASSING", reason: "No issues" },
        ]);
        const input = eks.commandCalls(ListInsightsCommand)[0].args[0].input;
        assert.equal(input.clusterName, "mitene-prod-apne1-blue");
        assert.deepEqual(input.filter, { categories: ["UPGRADE_READINESS"], kubernetesVersions: ["1.35"] });
    });

    it("follows nextToken", async () => {
        eks.on(ListInsightsCommand)
            .resolvesOnce({ insights: [{ id: "i-1", insightStatus: { status: "WARNING" } }], nextToken: "t2" })
            .resolvesOnce({ insights: [{ id: "i-2", insightStatus: { status: "PASSING" } }] });
        const found = await insights.insights("ap-northeast-1", "c", "1.35");
        assert.deepEqual(found.map((i) => i.id), ["i-1", "i-2"]);
        assert.equal(eks.commandCalls(ListInsightsCommand)[1].args[0].input.nextToken, "t2");
    });

    it("reports a status it does not know, or none, as UNKNOWN", async () => {
        eks.on(ListInsightsCommand).resolves({ insights: [{ id: "i-1", insightStatus: { status: "SNOOZED" as never } }, { id: "i-2" }] });
        const found = await insights.insights("ap-northeast-1", "c", "1.35");
        assert.deepEqual(found.map((i) => [i.status, i.reason]), [["UNKNOWN", ""], ["UNKNOWN", ""]]);
    });

    it("lets an EKS error through", async () => {
        eks.on(ListInsightsCommand).rejects(new Error("ResourceNotFoundException: No cluster found"));
        await assert.rejects(insights.insights("ap-northeast-1", "gone", "1.35"), /No cluster found/);
    });
});
