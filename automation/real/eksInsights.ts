/**
 * UpgradeInsights on EKS: the upgrade-readiness findings EKS computes for a cluster against a target
 * version (deprecated APIs still in use, add-on and kubelet version skew).
 */
import { EKSClient, paginateListInsights } from "@aws-sdk/client-eks";
import { ClusterInsight, UpgradeInsights } from "../core/ports";
import { ClientFor } from "./clients";

const STATUSES: readonly ClusterInsight["status"][] = ["PASSING", "WARNING", "ERROR", "UNKNOWN"];

export class EksInsights implements UpgradeInsights {
    constructor(private readonly eks: ClientFor<EKSClient>) {}

    async insights(region: string, clusterName: string, targetVersion: string): Promise<ClusterInsight[]> {
        const found: ClusterInsight[] = [];
        const pages = paginateListInsights(
            { client: this.eks(region) },
            { clusterName, filter: { categories: ["UPGRADE_READINESS"], kubernetesVersions: [targetVersion] } },
        );
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
        return found;
    }
}
