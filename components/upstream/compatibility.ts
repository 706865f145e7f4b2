/**
 * Which Kubernetes versions each pinned chart supports, as upstream says it, with where that was read. Three
 * kinds of fact, in the order the readiness ledger (automation/plan/ledger.ts) weighs them:
 *
 * - `kubeVersion`: the constraint in the chart's own Chart.yaml at the pinned version. Helm refuses to install
 *   the chart on a cluster outside it, so a target outside it blocks.
 * - `tested`: a compatibility matrix the project publishes (Kubernetes minors it tests a release on). Outside
 *   it is a warning: upstream did not test the pair, nothing refuses it.
 * - `newer`: versions found published in the chart's repository after the pinned one, with their support range
 *   only when it was read. A version whose range was not read is never chosen to move to.
 *
 * The project's own range (`kubernetes` in components/addonCatalog.ts: what has run in staging) decides as
 * preflight does; these facts say why, and what to move to. Facts, not copies of upstream files.
 */
import { ChartName } from "./charts";

export interface KubeRange {
    min: string;
    /** null: no upper bound stated. */
    max: string | null;
}

export interface ChartRelease {
    version: string;
    /** Where the version was found published, read when. */
    published: string;
    /** The Kubernetes minors this version supports, when read (its Chart.yaml or a matrix), with the source; else null. */
    supports: (KubeRange & { source: string }) | null;
}

export interface ChartCompatibility {
    /** The version the facts below were read for (the pin when they were; `plan --write` may since have moved it to one of `newer`). */
    version: string;
    /** Chart.yaml `kubeVersion` of that version, or null when the chart declares none. */
    kubeVersion: string | null;
    /** The Chart.yaml read (the copy under shared/fidelity-upstream, with its upstream commit). */
    chartYaml: string;
    /** An upstream test matrix for the pinned version, when one names it. */
    tested: (KubeRange & { source: string }) | null;
    /** What else upstream says about Kubernetes versions (a matrix that stops before the pinned version, ...). */
    notes: string | null;
    /** Versions published after `version`. */
    newer: readonly ChartRelease[];
}

const COPY = "shared/fidelity-upstream/charts";

export const CHART_COMPATIBILITY: Readonly<Record<ChartName, ChartCompatibility>> = {
    "aws-load-balancer-controller": {
        version: "3.5.0",
        kubeVersion: null,
        chartYaml: `${COPY}/aws-load-balancer-controller/3.5.0/Chart.yaml (aws/eks-charts@5239609)`,
        tested: null,
        notes: "no kubeVersion in Chart.yaml and no version matrix found for v3.5 (searched 2026-12-04)",
        newer: [],
    },
    "cluster-autoscaler": {
        version: "9.58.0",
        kubeVersion: null,
        chartYaml: `${COPY}/cluster-autoscaler/9.58.0/Chart.yaml (kubernetes/autoscaler@cluster-autoscaler-chart-9.58.0; appVersion 1.35.0)`,
        tested: null,
        notes:
            "kubernetes/autoscaler cluster-autoscaler/README.md Releases: the autoscaler's minor must match the cluster's (tested on GCP only); the table read 2026-12-04 stops at 1.32.x -> chart 9.45.0+. The project sets the image per minor (CLUSTER_AUTOSCALER_IMAGES)",
        newer: [
            {
                version: "9.59.0",
                published: "kubernetes/autoscaler gh-pages index.yaml (generated 2026-07-26), read 2026-11-27",
                supports: null,
            },
        ],
    },
    "aws-node-termination-handler": {
        version: "0.27.0",
        kubeVersion: ">= 1.16-0",
        chartYaml: `${COPY}/aws-node-termination-handler/0.27.0/Chart.yaml (aws/aws-node-termination-handler@286ed54, v1.25.0)`,
        tested: null,
        notes: null,
        newer: [],
    },
    "external-secrets": {
        version: "2.9.0",
        kubeVersion: ">= 1.19.0-0",
        chartYaml: `${COPY}/external-secrets/2.9.0/Chart.yaml (external-secrets/external-secrets@helm-chart-2.9.0)`,
        tested: null,
        notes:
            "external-secrets.io/v2.8.0/introduction/stability-support (read 2026-12-04): each release is tested on the Kubernetes of its test suite only (2.0-2.6: 1.34-1.35, 2.7: 1.35); the row of 2.9 was not read",
        newer: [],
    },
    "metrics-server": {
        version: "3.13.0",
        kubeVersion: null,
        chartYaml: `${COPY}/metrics-server/3.13.0/Chart.yaml (kubernetes-sigs/metrics-server@e8b1075e; appVersion 0.8.0)`,
        tested: null,
        notes: "the README's compatibility matrix (kubernetes-sigs/metrics-server#compatibility-matrix) was not found in a copy newer than 0.3.x (searched 2026-12-04)",
        newer: [
            {
                version: "3.13.1",
                published: "kubernetes-sigs/metrics-server gh-pages index.yaml (generated 2026-06-11), read 2026-11-27",
                supports: null,
            },
        ],
    },
    "fluent-bit": {
        version: "0.57.2",
        kubeVersion: null,
        chartYaml: `${COPY}/fluent-bit/0.57.2/Chart.yaml (fluent/helm-charts@f320c83)`,
        tested: null,
        notes: null,
        newer: [
            {
                version: "0.58.1",
                published: "fluent/helm-charts gh-pages index.yaml (generated 2026-08-18), read 2026-11-27",
                supports: null,
            },
        ],
    },
    prometheus: {
        version: "29.27.0",
        kubeVersion: ">=1.19.0-0",
        chartYaml: `${COPY}/prometheus/29.27.0/Chart.yaml (prometheus-community/helm-charts@prometheus-29.27.0)`,
        tested: null,
        notes: null,
        newer: [],
    },
    "argo-cd": {
        version: "10.1.1",
        kubeVersion: ">=1.25.0-0",
        chartYaml: `${COPY}/argo-cd/10.1.1/Chart.yaml (argoproj/argo-helm@argo-cd-10.1.1; appVersion v3.4.4)`,
        tested: null,
        notes: "Argo CD's tested-kubernetes-versions.md (docs/operator-manual) for v3.4 was not found in a stored copy (searched 2026-12-04)",
        newer: [],
    },
    grafana: {
        version: "12.11.1",
        kubeVersion: "^1.25.0-0",
        chartYaml: `${COPY}/grafana/12.11.1-grafana-community/Chart.yaml (grafana-community/helm-charts@grafana-12.11.1)`,
        tested: null,
        notes: null,
        newer: [],
    },
};
