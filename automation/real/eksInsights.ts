/**
 * UpgradeInsights on EKS: the upgrade-readiness findings EKS computes for a cluster against a target version
 * (deprecated APIs still in use, add-on and kubelet version skew). ListInsights names them and their status;
 * DescribeInsight, asked for every insight that is not PASSING, adds what EKS recommends and which deprecated
 * APIs are still called (EKS API reference: ListInsights, DescribeInsight, Insight, DeprecationDetail).
 */
import { DescribeInsightCommand, DescribeInsightResponse, EKSClient, Insight, paginateListInsights } from "@aws-sdk/client-eks";
import { ClusterInsight, UpgradeInsights } from "../core/ports";
import { ClientFor } from "./clients";

const STATUSES: readonly ClusterInsight["status"][] = ["PASSING", "WARNING", "ERROR", "UNKNOWN"];

/** Only what DescribeInsight says beyond the summary, without empty fields. */
function details(insight: Insight | undefined): Pick<ClusterInsight, "recommendation" | "deprecations"> {
    const deprecations = (insight?.categorySpecificSummary?.deprecationDetails ?? []).map((d) => ({
        usage: d.usage ?? "",
        ...(d.replacedWith ? { replacedWith: d.replacedWith } : {}),
        ...(d.stopServingVersion ? { stopServingVersion: d.stopServingVersion } : {}),
    }));
    return { ...(insight?.recommendation ? { recommendation: insight.recommendation } : {}), ...(deprecations.length ? { deprecations } : {}) };
}

export class EksInsights implements UpgradeInsights {
    constructor(private readonly eks: ClientFor<EKSClient>) {}

    async insights(region: string, clusterName: string, targetVersion: string): Promise<ClusterInsight[]> {
        const found: ClusterInsight[] = [];
        const client = this.eks(region);
        const pages = paginateListInsights({ client }, { clusterName, filter: { categories: ["UPGRADE_READINESS"], kubernetesVersions: [targetVersion] } });
        for await (const page of pages) {
            for (const insight of page.insights ?? []) {
                const status = insight.insightStatus?.status;
                found.push({
                    id: insight.id ?? "",
                    name: insight.name ?? "",
                    // A status newer than this code knows is reported as UNKNOWN rather than guessed at.
                    status: STATUSES.find((s) => s === status) ?? "UNKNOWN",
                    reason: insight.insightStatus?.reason ?? "",
                });
            }
        }
        for (const insight of found.filter((i) => i.status !== "PASSING" && i.id)) {
            // An answer without the insight (it vanished between the calls) leaves the summary as it is.
            const described: DescribeInsightResponse | undefined = await client.send(new DescribeInsightCommand({ clusterName, id: insight.id }));
            Object.assign(insight, details(described?.insight));
        }
        return found;
    }
}
