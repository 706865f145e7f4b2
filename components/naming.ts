/**
 * Stack names and AWS resource names. Pure: the driver, the stack programs and the tests all derive names
 * from these functions, so a stack name always maps to the same cluster, target groups and ALB.
 */

export const COLORS = ["blue", "green"] as const;
export type Color = (typeof COLORS)[number];

export function otherColor(color: Color): Color {
    return color === "blue" ? "green" : "blue";
}

export type StackId =
    | { kind: "ops"; env: string }
    | { kind: "region"; env: string; region: string }
    | { kind: "cluster"; env: string; region: string; color: Color };

const ENV = "[a-z][a-z0-9]{1,11}";
const REGION = "[a-z]{2}(?:-gov)?-[a-z]+-\\d";
const STACK_PATTERNS: [RegExp, (m: RegExpMatchArray) => StackId][] = [
    [new RegExp(`^ops-(${ENV})$`), (m) => ({ kind: "ops", env: m[1] })],
    [new RegExp(`^region-(${ENV})-(${REGION})$`), (m) => ({ kind: "region", env: m[1], region: m[2] })],
    [
        new RegExp(`^mitene-(${ENV})-(${REGION})-(blue|green)$`),
        (m) => ({ kind: "cluster", env: m[1], region: m[2], color: m[3] as Color }),
    ],
];

/** Parses `ops-<env>`, `region-<env>-<region>` or `mitene-<env>-<region>-<color>`; undefined otherwise. */
export function parseStackName(name: string): StackId | undefined {
    for (const [pattern, build] of STACK_PATTERNS) {
        const match = name.match(pattern);
        if (match) return build(match);
    }
    return undefined;
}

export function stackName(id: StackId): string {
    switch (id.kind) {
        case "ops":
            return `ops-${id.env}`;
        case "region":
            return `region-${id.env}-${id.region}`;
        case "cluster":
            return `mitene-${id.env}-${id.region}-${id.color}`;
    }
}

export const opsStack = (env: string) => `ops-${env}`;
export const regionStack = (env: string, region: string) => `region-${env}-${region}`;
export const clusterStack = (env: string, region: string, color: Color) => `mitene-${env}-${region}-${color}`;

const DIRECTIONS: Record<string, string> = {
    north: "n",
    south: "s",
    east: "e",
    west: "w",
    central: "c",
    northeast: "ne",
    northwest: "nw",
    southeast: "se",
    southwest: "sw",
};

/**
 * `ap-northeast-1` -> `apne1`: AWS limits load balancer and target group names to 32 characters, so the
 * region part of every name is the short code operators already read in dashboards.
 */
export function regionCode(region: string): string {
    const match = region.match(/^([a-z]{2})(-gov)?-([a-z]+)-(\d)$/);
    if (!match) throw new Error(`not an AWS region: ${region}`);
    const direction = DIRECTIONS[match[3]];
    if (!direction) throw new Error(`unknown direction in region ${region}`);
    return `${match[1]}${match[2] ? "gov" : ""}${direction}${match[4]}`;
}

/** The EKS cluster name of a service cluster, also its Argo CD cluster name. */
export const serviceClusterName = (env: string, region: string, color: Color) =>
    `mitene-${env}-${regionCode(region)}-${color}`;

export const opsClusterName = (env: string) => `ops-${env}`;

/**
 * The env's CodeBuild runner project of one kind (`deploy` or `preview`), also its service role's name;
 * workflows ask for `codebuild-<this>-${{ github.run_id }}-${{ github.run_attempt }}`.
 */
export const ciRunnerProjectName = (env: string, kind: "deploy" | "preview") => `mitene-${env}-${kind}-runner`;

/** The role Argo CD assumes in the service clusters (an access entry there): a fixed name, so trusts can name it. */
export const argocdRoleName = (env: string) => `mitene-${env}-argocd`;

/** Target group names: at most 32 characters, so service names are validated against this. */
export const targetGroupName = (env: string, region: string, service: string, color: Color) =>
    `${env}-${regionCode(region)}-${service}-${color}`;

export const loadBalancerName = (env: string, region: string) => `mitene-${env}-${regionCode(region)}`;

export const AWS_NAME_MAX = 32;
