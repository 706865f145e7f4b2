/**
 * Kubernetes versions on Amazon EKS: the support calendar and the core add-on versions per minor. Data, kept
 * current by hand (README "Keeping the version tables current"); preflight and the stack programs read it.
 */
// The two functions alone: all of semver (ranges included) costs the CLI a tenth of a second to load.
import semverCompare from "semver/functions/compare";
import semverMinor from "semver/functions/minor";

export interface EksVersionSupport {
    /** Kubernetes minor, e.g. "1.34". */
    version: string;
    /** Date EKS made the version available. */
    eksRelease: string;
    /** Last day of EKS standard support (extended support costs extra per cluster-hour after it). */
    endOfStandardSupport: string;
    /** Last day of EKS extended support; clusters are upgraded automatically after it. */
    endOfExtendedSupport: string;
    /** Where the dates come from. */
    source: string;
    /** The row was read in AWS's own calendar; false: its dates are unverified, and every view of the row says so. */
    verified: boolean;
}

/** Core EKS add-on versions pinned per Kubernetes minor (vpc-cni, coredns, kube-proxy). */
export interface CoreAddonVersions {
    vpcCni: string;
    coredns: string;
    kubeProxy: string;
}

/** Rows read in the AWS calendar itself (awsdocs/amazon-eks-user-guide kubernetes-versions.adoc@8596db85, the newest stored copy, whose newest row is 1.33). */
const AWS_CALENDAR = "AWS EKS User Guide kubernetes-versions.adoc, release calendar (awsdocs/amazon-eks-user-guide@8596db85), read 2026-11-27";
const AWS_CALENDAR_134 = "AWS EKS User Guide kubernetes-versions.adoc, release calendar (awsdocs/amazon-eks-user-guide@013856044148, latest/ug/versioning/kubernetes-versions.adoc), read 2026-12-04";
/** Rows newer than those copies: the AWS table row itself could not be read here. */
const NOT_IN_AWS_COPY =
    "NOT verified against AWS: the newest AWS calendar copy read (2026-12-04) stops at 1.34, and the newer AWS page (docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.md, read 2026-12-04) could not be read past its introduction. Dates from endoflife.date/amazon-eks (read 2026-11-27, again 2026-12-04), consistent with AWS's 14 + 12 month rule; check `aws eks describe-cluster-versions`";

export const EKS_VERSIONS: readonly EksVersionSupport[] = [
    { version: "1.30", eksRelease: "2024-05-23", endOfStandardSupport: "2025-07-23", endOfExtendedSupport: "2026-07-23", source: AWS_CALENDAR, verified: true },
    { version: "1.31", eksRelease: "2024-09-26", endOfStandardSupport: "2025-11-26", endOfExtendedSupport: "2026-11-26", source: AWS_CALENDAR, verified: true },
    { version: "1.32", eksRelease: "2025-01-23", endOfStandardSupport: "2026-03-23", endOfExtendedSupport: "2027-03-23", source: AWS_CALENDAR, verified: true },
    { version: "1.33", eksRelease: "2025-05-29", endOfStandardSupport: "2026-07-29", endOfExtendedSupport: "2027-07-29", source: AWS_CALENDAR, verified: true },
    // The AWS table row itself (awsdocs/amazon-eks-user-guide@01385604, the newest stored copy, whose newest row is 1.34).
    { version: "1.34", eksRelease: "2025-10-02", endOfStandardSupport: "2026-12-02", endOfExtendedSupport: "2027-12-02", source: AWS_CALENDAR_134, verified: true },
    // The calendar says 1.35 reached EKS on 2026-01-28 (not the 27th): issue 9, and endoflife.date agrees.
    { version: "1.35", eksRelease: "2026-01-28", endOfStandardSupport: "2027-03-27", endOfExtendedSupport: "2028-03-27", source: NOT_IN_AWS_COPY, verified: false },
    {
        version: "1.36",
        eksRelease: "2026-06-02",
        endOfStandardSupport: "2027-08-02",
        endOfExtendedSupport: "2028-08-02",
        source: "NOT verified: third-party report 2026-08-16, no AWS or endoflife.date row found 2026-11-27 or 2026-12-04 (the AWS page's translations name 1.36 as a current example, without dates); check `aws eks describe-cluster-versions` before relying on it",
        verified: false,
    },
];

/**
 * Core add-on versions, the default of each add-on for its minor. coredns and kube-proxy: the EKS User Guide
 * tables managing-coredns and managing-kube-proxy (docs.aws.amazon.com/eks/latest/userguide, the ja_jp
 * rendering of the same pages carries the newest rows, 1.30-1.36), read 2026-11-27: every value below
 * matches. vpc-cni: NOT verified: the managing-vpc-cni table read lists nothing past 1.32; the value is the one
 * `aws eks describe-addon-versions --addon-name vpc-cni` was noted to mark compatible (one version for every minor).
 */
export const CORE_ADDON_VERSIONS: Readonly<Record<string, CoreAddonVersions>> = {
    "1.32": { vpcCni: "v1.21.1-eksbuild.1", coredns: "v1.11.4-eksbuild.40", kubeProxy: "v1.32.13-eksbuild.16" },
    "1.33": { vpcCni: "v1.21.1-eksbuild.1", coredns: "v1.12.4-eksbuild.18", kubeProxy: "v1.33.10-eksbuild.13" },
    "1.34": { vpcCni: "v1.21.1-eksbuild.1", coredns: "v1.13.2-eksbuild.11", kubeProxy: "v1.34.6-eksbuild.13" },
    "1.35": { vpcCni: "v1.21.1-eksbuild.1", coredns: "v1.14.3-eksbuild.3", kubeProxy: "v1.35.3-eksbuild.13" },
    "1.36": { vpcCni: "v1.21.1-eksbuild.1", coredns: "v1.14.3-eksbuild.3", kubeProxy: "v1.36.0-eksbuild.14" },
};

/**
 * What a cluster's control plane costs per hour on EKS, and what a month is. Source: AWS Containers blog "Amazon
 * EKS extended support for Kubernetes versions pricing" (aws.amazon.com/blogs/containers/amazon-eks-extended-support-
 * for-kubernetes-versions-pricing): "$0.60 per cluster per hour" in extended support, "$0.10 per cluster per hour"
 * in standard support, since April 2024; read 2026-12-04. 730 hours: AWS's own monthly estimates (24 x 365 / 12).
 */
export const EKS_PRICING = {
    standardPerClusterHourUsd: 0.1,
    extendedPerClusterHourUsd: 0.6,
    hoursPerMonth: 730,
    source: "AWS Containers blog, Amazon EKS extended support for Kubernetes versions pricing: $0.60 (extended) vs $0.10 (standard) per cluster-hour, read 2026-12-04; 730 hours a month",
} as const;

/** What extended support adds per month for one cluster: (0.60 - 0.10) x 730 = 365 USD. */
export const extendedSupportExtraPerMonthUsd = () =>
    Math.round((EKS_PRICING.extendedPerClusterHourUsd - EKS_PRICING.standardPerClusterHourUsd) * EKS_PRICING.hoursPerMonth * 100) / 100;

/** True for a Kubernetes minor written as EKS takes it: `1.34` (not `1.034`: a leading zero is no version). */
export const isMinorVersion = (value: string) => /^1\.(0|[1-9]\d{0,2})$/.test(value);

/** `1.34` -> `1.34.0`, for semver comparisons. */
export function toSemver(minor: string): string {
    if (!isMinorVersion(minor)) throw new Error(`"${minor}" is not a Kubernetes minor version like 1.34`);
    return `${minor}.0`;
}

export const compareMinor = (a: string, b: string) => semverCompare(toSemver(a), toSemver(b));

/** How many minors `to` is ahead of `from` (negative for a downgrade). */
export const minorDistance = (from: string, to: string) => semverMinor(toSemver(to)) - semverMinor(toSemver(from));

export const nextMinor = (version: string) => `1.${semverMinor(toSemver(version)) + 1}`;

export const eksSupport = (version: string) => EKS_VERSIONS.find((v) => v.version === version);

export const coreAddonVersions = (version: string): CoreAddonVersions | undefined => CORE_ADDON_VERSIONS[version];

export type SupportPhase = "standard" | "extended" | "unsupported" | "unknown";

/** Where a version stands on `date` (ISO yyyy-mm-dd). */
export function supportPhase(version: string, date: string): SupportPhase {
    const support = eksSupport(version);
    if (!support) return "unknown";
    if (date < support.eksRelease) return "unknown";
    if (date <= support.endOfStandardSupport) return "standard";
    if (date <= support.endOfExtendedSupport) return "extended";
    return "unsupported";
}
